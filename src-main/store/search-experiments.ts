import type { Db } from './db';
import { parseExperimentFilter } from '../search/filter-parser';
import { createPageToken, parseStartOffset } from '../search/page-token';
import {
  resolveExperimentFilter,
  resolveExperimentOrderBy,
  type ExperimentOrderKey,
  type ExperimentPredicate,
} from '../search/resolve';
import {
  lifecycleStage,
  numericComparison,
  pluckAll,
  stringComparison,
  validateMaxResults,
  type Sql,
  type ViewType,
} from './search-sql';

/**
 * MLflow's search_experiments (SQL store `_search_experiments`): attribute filters on name and
 * times, tag filters with inner-join semantics, order_by attributes with experiment_id as the
 * tie-breaker, offset page tokens, and one extra row fetched to know whether a next page exists.
 * Experiments are few; one plain statement is fast.
 */

export interface SearchExperimentsQuery {
  viewType: ViewType;
  /** null = the request had no max_results, which MLflow reads as 0 (and refuses). */
  maxResults: number | null;
  filter: string;
  orderBy: string[];
  pageToken: string | null;
}

function predicateSql(p: ExperimentPredicate): Sql {
  switch (p.kind) {
    case 'attribute':
      return stringComparison(`e.${p.column}`, p.op, p.value);
    case 'numeric-attribute':
      return numericComparison(`e.${p.column}`, p.op, p.value);
    case 'tag': {
      const c = stringComparison('t.value', p.op, p.value);
      return {
        sql: `EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ? AND ${c.sql})`,
        params: [p.key, ...c.params],
      };
    }
  }
}

const orderSql = (k: ExperimentOrderKey): string => `e.${k.column} ${k.ascending ? 'ASC' : 'DESC'}`;

/** The experiments/search store call; validation in MLflow's order (max_results, filter, order_by, token). */
export function searchExperiments(
  db: Db,
  q: SearchExperimentsQuery,
): { experimentIds: number[]; nextPageToken: string | null } {
  const maxResults = q.maxResults ?? 0;
  validateMaxResults(maxResults);
  const predicates = resolveExperimentFilter(parseExperimentFilter(q.filter ?? ''));
  const order = resolveExperimentOrderBy(q.orderBy ?? []);
  const offset = parseStartOffset(q.pageToken);
  const stage = lifecycleStage(q.viewType);
  const where = [
    ...(stage ? [{ sql: 'e.lifecycle_stage = ?', params: [stage] }] : []),
    ...predicates.map(predicateSql),
  ];
  const sql =
    'SELECT e.experiment_id FROM experiments e' +
    (where.length ? ` WHERE ${where.map((w) => w.sql).join(' AND ')}` : '') +
    ` ORDER BY ${order.map(orderSql).join(', ')} LIMIT ? OFFSET ?`;
  const ids = pluckAll<number>(db, {
    sql,
    params: [...where.flatMap((w) => w.params), maxResults + 1, Math.max(0, offset)],
  });
  const nextPageToken = ids.length === maxResults + 1 ? createPageToken(offset + maxResults) : null;
  return { experimentIds: ids.slice(0, maxResults), nextPageToken };
}
