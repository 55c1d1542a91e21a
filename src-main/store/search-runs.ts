import type { Db } from './db';
import { invalidParam } from '../core/errors';
import { parseFilter, type FilterClause } from '../search/filter-parser';
import { createPageToken, parseStartOffset } from '../search/page-token';
import { resolveRunFilter, resolveRunOrderBy } from '../search/resolve';
import { lifecycleStage, pluckAll, pluckOne, validateMaxResults, type Sql, type ViewType } from './search-sql';
import {
  assemble,
  bind,
  countFilter,
  drivenParts,
  generalParts,
  indexedFilter,
  materialized,
  orderDrivable,
  predicateSql,
  runSegments,
  scopeAndExtra,
  segmentParts,
  windowSql,
  type Bound,
  type CountedFilter,
  type Residual,
  type RunQuerySpec,
} from './search-runs-sql';

export type { RunQuerySpec } from './search-runs-sql';

/**
 * MLflow's search_runs over the tracking schema, with MLflow's results (SQL store `_search_runs`):
 * filter clauses are inner-join semantics (a run lacking the key never matches, `!=` included),
 * metrics compare on their latest value (NaN stored as 0 compares as 0, as in MLflow), each sort
 * key puts missing values last (metrics: finite, then NaN, then missing), ties fall back to
 * start_time DESC then run id.
 *
 * Speed comes from choosing, per query, which index drives it (see `queryRunPks`): a selective
 * filter's index, else the first sort key's index read in order so LIMIT stops early, else the
 * runs-by-start-time index. SQLite alone would scan every run of the experiment and sort.
 */

export interface SearchRunsQuery {
  experimentIds: string[];
  filter: string;
  runViewType: ViewType;
  maxResults: number;
  orderBy: string[];
  pageToken: string | null;
}

const parsedFilters = new Map<string, FilterClause[]>();

/** `parseFilter` with a small memo: the same filter strings come back page after page. */
function parseFilterCached(filter: string): FilterClause[] {
  const hit = parsedFilters.get(filter);
  if (hit) return hit;
  const clauses = parseFilter(filter);
  if (parsedFilters.size >= 200) parsedFilters.delete(parsedFilters.keys().next().value!);
  parsedFilters.set(filter, clauses);
  return clauses;
}

/** Python `int(text)` as MLflow applies it to experiment ids. */
function experimentIdInt(id: string): number {
  const m = /^\s*([+-]?\d(?:_?\d)*)\s*$/u.exec(String(id));
  if (!m) throw invalidParam(`invalid literal for int() with base 10: '${id}'`);
  return Number(m[1]!.replace(/_/g, ''));
}

/**
 * The runs/search endpoint's store call. Validation happens in MLflow's order: max_results, the
 * filter's syntax, order_by, comparators, the page token, then the experiment ids.
 */
export function searchRuns(db: Db, q: SearchRunsQuery): { runPks: number[]; nextPageToken: string | null } {
  validateMaxResults(q.maxResults);
  const clauses = parseFilterCached(q.filter ?? '');
  const orderBy = resolveRunOrderBy(q.orderBy ?? []);
  const predicates = resolveRunFilter(clauses);
  const offset = parseStartOffset(q.pageToken);
  const experimentIds = q.experimentIds.map(experimentIdInt);
  const runPks = queryRunPks(db, {
    experimentIds,
    stage: lifecycleStage(q.runViewType),
    predicates,
    orderBy,
    offset,
    limit: q.maxResults,
  });
  // MLflow hands out a next token whenever the page is full, even if nothing follows.
  const nextPageToken = runPks.length === q.maxResults ? createPageToken(offset + q.maxResults) : null;
  return { runPks, nextPageToken };
}

/**
 * The full MLflow search as one SQL statement (SQLite's own plan), selecting `columns` of `runs r`
 * (default the run key). For callers that need raw SQL; `queryRunPks` is the fast path.
 */
export function buildRunSearchSql(db: Db, spec: RunQuerySpec, columns = 'r.run_pk'): Sql {
  const { preds, keys } = bind(db, spec);
  const b = { spec, preds, keys };
  return assemble(
    generalParts(b, [...scopeAndExtra(b), ...preds.map((p) => predicateSql(p))]),
    columns,
    windowSql(spec.limit, spec.offset),
  );
}

/** Below this many runs in the store, planning costs more than it saves. */
const SMALL_STORE = 2000;
/**
 * Relative costs measured on the bench store: probing one run's row of a 5M-row table costs about
 * 20× reading one sorted index entry into a set, 4× an unsorted one.
 */
const SORTED_SET_FACTOR = 20;
const UNSORTED_SET_FACTOR = 4;

/**
 * Run keys of one window of an MLflow search, in MLflow's order.
 *
 * The plan is chosen by cost. Every filter that lives in an index (metrics, params, tags) is
 * counted up to a cap (a short index scan). Then either the most selective of them drives (plan A,
 * cost ≈ its count), or the first sort key's index is read in order until the window is full
 * (plan B, cost ≈ window end / combined selectivity). Filters with a known small count are
 * materialized once as a set of run keys (cheap lookups instead of a B-tree probe per run), and
 * the remaining per-run checks run cheapest and most selective first.
 */
export function queryRunPks(db: Db, spec: RunQuerySpec): number[] {
  if (spec.experimentIds.length === 0 || spec.limit <= 0) return [];
  const { preds, keys } = bind(db, spec);
  const b: Bound = { spec, preds, keys };
  if (preds.some((p) => p.kind === 'metric' && (p.keyId === null || p.keyId === undefined))) return [];
  const window = windowSql(spec.limit, spec.offset);

  const total = pluckOne<number>(db, { sql: 'SELECT max(run_pk) FROM runs', params: [] }) ?? 0;
  // A run-id lookup is a handful of rows through the unique index; SQLite finds that itself.
  const byRunId = preds.some(
    (p) => p.kind === 'attribute' && p.column === 'run_uuid' && (p.op === '=' || p.op === 'IN'),
  );
  if (total <= SMALL_STORE || byRunId) {
    return pluckAll<number>(
      db,
      assemble(generalParts(b, [...scopeAndExtra(b), ...preds.map((p) => predicateSql(p))]), 'r.run_pk', window),
    );
  }

  const need = Math.max(0, spec.offset) + spec.limit;
  const cap = Math.round(Math.min(total, 20000, Math.max(2000, 4 * Math.sqrt(need * total))));
  const filters: CountedFilter[] = [];
  for (const [i, p] of preds.entries()) {
    const f = indexedFilter(p, i);
    if (!f) continue;
    const counted = countFilter(db, f, total, cap);
    // Filters are ANDed: one that matches nothing anywhere settles the search.
    if (counted.count === 0) return [];
    filters.push(counted);
  }
  const drivable = orderDrivable(db, keys);
  const plainResidual: Residual = (run) => [
    ...scopeAndExtra(b),
    ...preds.map((p) => predicateSql(p, p.kind === 'attribute' || p.kind === 'numeric-attribute' ? 'r.run_pk' : run)),
  ];
  // Runs of the experiments read in the sort's own index order: nothing to choose.
  if (filters.length === 0 && drivable && (keys.length === 0 || keys[0]!.kind === 'attribute')) {
    return runSegments(db, segmentParts(db, b, plainResidual), spec.offset, spec.limit);
  }
  // The experiments in scope act as one more filter: a small experiment in a big store is best
  // read through runs_by_experiment_time and sorted, whatever the sort key.
  const ids = spec.experimentIds;
  const scopeCount =
    pluckOne<number>(db, {
      sql: `SELECT count(*) FROM (SELECT 1 FROM runs r WHERE r.experiment_id IN (${ids.map(() => '?').join(', ')}) LIMIT ?)`,
      params: [...ids, cap],
    }) ?? 0;
  if (scopeCount === 0) return [];
  const scopeSel = scopeCount < cap ? scopeCount / total : Math.max(cap / total, 0.5);
  const selectivity = filters.reduce((acc, x) => acc * x.sel, scopeSel);
  const orderJoins = keys.filter((k) => k.kind !== 'attribute').length;
  const scanRows = drivable ? Math.min(total, need / Math.max(selectivity, 1 / total)) : total;
  const known = filters.filter((x) => x.count < cap).sort((x, y) => x.count - y.count);
  const perRow = 1 + orderJoins;
  let driver = known[0] && known[0].count * perRow < scanRows ? known[0] : null;
  const byScope =
    scopeCount < cap && scopeCount * perRow < Math.min(scanRows, driver ? driver.count * perRow : Infinity);
  if (byScope) driver = null;
  const rowsVisited = byScope ? scopeCount : driver ? driver.count : scanRows;

  const toSet: CountedFilter[] = [];
  const toProbe: CountedFilter[] = [];
  for (const x of filters) {
    if (x === driver) continue;
    const factor = x.f.sorted ? SORTED_SET_FACTOR : UNSORTED_SET_FACTOR;
    if (x.count < cap && (x.pks || x.count <= factor * rowsVisited)) toSet.push(x);
    else toProbe.push(x);
  }
  toProbe.sort((x, y) => x.sel - y.sel);
  // Per-run conditions, cheapest and most selective first: sets of run keys, probes of the
  // metrics/params/tags tables, then the runs row (scope, attributes) and dataset lookups.
  const residual: Residual = (run) => [
    ...toSet.map((x) => materialized(x, run)),
    ...toProbe.map((x) => predicateSql(preds[x.f.index]!, run)),
    ...scopeAndExtra(b),
    ...preds.filter((p) => p.kind === 'attribute' || p.kind === 'numeric-attribute').map((p) => predicateSql(p)),
    ...preds.filter((p) => p.kind === 'dataset').map((p) => predicateSql(p, run)),
  ];

  if (driver) return pluckAll<number>(db, assemble(drivenParts(b, driver, residual), 'r.run_pk', window));
  if (drivable && !byScope) return runSegments(db, segmentParts(db, b, residual), spec.offset, spec.limit);
  return pluckAll<number>(db, assemble(generalParts(b, residual('r.run_pk')), 'r.run_pk', window));
}

/**
 * The run keys an MLflow filter selects in some experiments, as one SQL subquery (no order, no
 * window), for callers that combine it with their own sort: `r.run_pk IN (<sql>)`. Reads from
 * the most selective indexed filter, with the others as run-key sets or per-run checks.
 */
export function buildRunFilterSql(
  db: Db,
  spec: Pick<RunQuerySpec, 'experimentIds' | 'stage' | 'predicates' | 'extraWhere'>,
): Sql {
  const full: RunQuerySpec = { ...spec, orderBy: [], offset: 0, limit: -1 };
  const { preds, keys } = bind(db, full);
  const b: Bound = { spec: full, preds, keys };
  if (
    spec.experimentIds.length === 0 ||
    preds.some((p) => p.kind === 'metric' && (p.keyId === null || p.keyId === undefined))
  ) {
    return { sql: 'SELECT r.run_pk FROM runs r WHERE 0', params: [] };
  }
  const total = pluckOne<number>(db, { sql: 'SELECT max(run_pk) FROM runs', params: [] }) ?? 0;
  const cap = Math.max(1, Math.min(total, 20000));
  const filters = preds.flatMap((p, i) => {
    const f = indexedFilter(p, i);
    return f ? [countFilter(db, f, total, cap)] : [];
  });
  const known = filters.filter((x) => x.count < cap).sort((x, y) => x.count - y.count);
  const driver = known[0] ?? null;
  // Without a driver every run in scope is visited: a run-key set built once from the index
  // beats a B-tree probe per run even for a big filter (100,000 runs, two filters matching
  // 25,000 and 99,000 runs: ~110 → ~70 ms). Behind a small driver, big filters stay probes.
  const asSet = (x: CountedFilter): boolean => x !== driver && (x.count < cap || driver === null);
  const residual: Residual = (run) => [
    ...filters.filter(asSet).map((x) => materialized(x, run)),
    ...filters.filter((x) => x !== driver && !asSet(x)).map((x) => predicateSql(preds[x.f.index]!, run)),
    ...scopeAndExtra(b),
    ...preds.filter((p) => p.kind === 'attribute' || p.kind === 'numeric-attribute').map((p) => predicateSql(p)),
    ...preds.filter((p) => p.kind === 'dataset').map((p) => predicateSql(p, run)),
  ];
  const parts = driver ? drivenParts(b, driver, residual) : generalParts(b, residual('r.run_pk'));
  return assemble({ ...parts, joins: [], order: [] }, 'r.run_pk', null);
}
