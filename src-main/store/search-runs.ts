import type { Db } from './db';
import { invalidParam } from '../core/errors';
import { parseFilter, type FilterClause } from '../search/filter-parser';
import { createPageToken, parseStartOffset } from '../search/page-token';
import { resolveRunFilter, resolveRunOrderBy, type RunOrderKey, type RunPredicate } from '../search/resolve';
import {
  lifecycleStage,
  likeHasPrefix,
  numericComparison,
  pluckAll,
  pluckOne,
  stringComparison,
  validateMaxResults,
  type Sql,
  type ViewType,
} from './search-sql';

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

/** What to fetch: scope, MLflow predicates and sort keys, a window, and optional extra conditions. */
export interface RunQuerySpec {
  experimentIds: readonly number[];
  /** Lifecycle stage to keep, or null for all runs. */
  stage: 'active' | 'deleted' | null;
  predicates: readonly RunPredicate[];
  orderBy: readonly RunOrderKey[];
  offset: number;
  limit: number;
  /** Extra conditions on the runs row (alias `r`), ANDed in, e.g. from the UI's own filters. */
  extraWhere?: readonly Sql[];
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

// ------------------------------------------------------------------ binding metric keys

type BoundPredicate = RunPredicate & { keyId?: number | null };
type BoundOrderKey = RunOrderKey & { keyId?: number | null };

function metricKeyId(db: Db, key: string): number | null {
  return pluckOne<number>(db, { sql: 'SELECT key_id FROM metric_keys WHERE key = ?', params: [key] }) ?? null;
}

function bind(db: Db, spec: RunQuerySpec): { preds: BoundPredicate[]; keys: BoundOrderKey[] } {
  const ids = new Map<string, number | null>();
  const idOf = (key: string): number | null => {
    if (!ids.has(key)) ids.set(key, metricKeyId(db, key));
    return ids.get(key)!;
  };
  return {
    preds: spec.predicates.map((p) => (p.kind === 'metric' ? { ...p, keyId: idOf(p.key) } : p)),
    keys: spec.orderBy.map((k) => (k.kind === 'metric' ? { ...k, keyId: idOf(k.key) } : k)),
  };
}

// ------------------------------------------------------------------ SQL fragments

/** MLflow stores ±Infinity as ±DBL_MAX; we keep infinities, so comparisons at that edge clamp. */
const DBL_MAX = 1.7976931348623157e308;

const TABLE = { param: 'params', tag: 'tags' } as const;

function metricCondition(alias: string, p: Extract<BoundPredicate, { kind: 'metric' }>): Sql {
  if (Math.abs(p.value) >= DBL_MAX || Number.isNaN(p.value)) {
    return { sql: `max(min(${alias}.value, ?), ?) ${p.op} ?`, params: [DBL_MAX, -DBL_MAX, p.value] };
  }
  return { sql: `${alias}.value ${p.op} ?`, params: [p.value] };
}

/**
 * One predicate as a condition on a run. `run` is the SQL naming the run key: `r.run_pk`, or the
 * driving index's copy of it, so per-run probes can run before the runs row is fetched.
 */
function predicateSql(p: BoundPredicate, run = 'r.run_pk'): Sql {
  switch (p.kind) {
    case 'metric': {
      if (p.keyId === null || p.keyId === undefined) return { sql: '0', params: [] };
      const c = metricCondition('f', p);
      return {
        sql: `EXISTS (SELECT 1 FROM latest_metrics f WHERE f.run_pk = ${run} AND f.key_id = ? AND ${c.sql})`,
        params: [p.keyId, ...c.params],
      };
    }
    case 'param':
    case 'tag': {
      const c = stringComparison('f.value', p.op, p.value);
      return {
        sql: `EXISTS (SELECT 1 FROM ${TABLE[p.kind]} f WHERE f.run_pk = ${run} AND f.key = ? AND ${c.sql})`,
        params: [p.key, ...c.params],
      };
    }
    case 'attribute':
      return stringComparison(`r.${p.column}`, p.op, p.value);
    case 'numeric-attribute':
      return numericComparison(`r.${p.column}`, p.op, p.value);
    case 'dataset': {
      if (p.field === 'context') {
        const c = stringComparison("(t.value ->> '$.value')", p.op, p.value);
        return {
          sql:
            `EXISTS (SELECT 1 FROM run_dataset_inputs i, json_each(i.tags_json) t WHERE i.run_pk = ${run} ` +
            `AND (t.value ->> '$.key') = 'mlflow.data.context' AND ${c.sql})`,
          params: c.params,
        };
      }
      const c = stringComparison(`d.${p.field}`, p.op, p.value);
      return {
        sql:
          'EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk ' +
          `WHERE i.run_pk = ${run} AND ${c.sql})`,
        params: c.params,
      };
    }
  }
}

/** How a sort key reads its value: a LEFT JOIN (metrics, params, tags) or a runs column. */
interface SortSource {
  join: Sql | null;
  /** MLflow's `clause_N` rank: 0 present, 1 NaN (metrics), 1/2 missing. */
  rank: string;
  value: string;
  dir: 'ASC' | 'DESC';
}

function sortSource(k: BoundOrderKey, alias: string): SortSource | null {
  const dir = k.ascending ? 'ASC' : 'DESC';
  if (k.kind === 'attribute') return { join: null, rank: `(r.${k.column} IS NULL)`, value: `r.${k.column}`, dir };
  if (k.kind === 'metric') {
    // An unknown metric is missing on every run: a constant, no effect on the order.
    if (k.keyId === null || k.keyId === undefined) return null;
    return {
      join: {
        sql: `LEFT JOIN latest_metrics ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key_id = ?`,
        params: [k.keyId],
      },
      rank: `(CASE WHEN ${alias}.is_nan = 1 THEN 1 WHEN ${alias}.value IS NULL THEN 2 ELSE 0 END)`,
      value: `${alias}.value`,
      dir,
    };
  }
  return {
    join: {
      sql: `LEFT JOIN ${TABLE[k.kind]} ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key = ?`,
      params: [k.key],
    },
    rank: `(${alias}.value IS NULL)`,
    value: `${alias}.value`,
    dir,
  };
}

/** ORDER BY terms and joins for sort keys, followed by MLflow's tie-breakers. */
function orderTerms(keys: readonly BoundOrderKey[], firstAlias: number): { joins: Sql[]; terms: string[] } {
  const joins: Sql[] = [];
  const terms: string[] = [];
  keys.forEach((k, i) => {
    const s = sortSource(k, `o${firstAlias + i}`);
    if (!s) return;
    if (s.join) joins.push(s.join);
    terms.push(s.rank, `${s.value} ${s.dir}`);
  });
  return { joins, terms };
}

function tieBreakers(keys: readonly BoundOrderKey[]): string[] {
  const hasStart = keys.some((k) => k.kind === 'attribute' && k.column === 'start_time');
  return hasStart ? ['r.run_uuid'] : ['r.start_time DESC', 'r.run_uuid'];
}

function scopeSql(spec: RunQuerySpec): Sql[] {
  const out: Sql[] = [];
  const ids = spec.experimentIds;
  if (ids.length === 1) out.push({ sql: 'r.experiment_id = ?', params: [ids[0]] });
  else out.push({ sql: `r.experiment_id IN (${ids.map(() => '?').join(', ')})`, params: [...ids] });
  if (spec.stage) out.push({ sql: 'r.lifecycle_stage = ?', params: [spec.stage] });
  return out;
}

interface QueryParts {
  from: Sql;
  joins: Sql[];
  where: Sql[];
  order: string[];
}

function assemble(parts: QueryParts, columns: string, window: Sql | null): Sql {
  const where = parts.where.length ? ` WHERE ${parts.where.map((w) => w.sql).join(' AND ')}` : '';
  const order = parts.order.length ? ` ORDER BY ${parts.order.join(', ')}` : '';
  const sql =
    `SELECT ${columns} FROM ${parts.from.sql}${parts.joins.map((j) => ' ' + j.sql).join('')}${where}${order}` +
    (window ? ` ${window.sql}` : '');
  const params = [
    ...parts.from.params,
    ...parts.joins.flatMap((j) => j.params),
    ...parts.where.flatMap((w) => w.params),
    ...(window?.params ?? []),
  ];
  return { sql, params };
}

const windowSql = (limit: number, offset: number): Sql => ({
  sql: 'LIMIT ? OFFSET ?',
  params: [limit, Math.max(0, offset)],
});

// ------------------------------------------------------------------ plans

interface Bound {
  spec: RunQuerySpec;
  preds: BoundPredicate[];
  keys: BoundOrderKey[];
}

/** Conditions every plan applies to the runs row: scope first, then the filters in a chosen order. */
const scopeAndExtra = (b: Bound): Sql[] => [...scopeSql(b.spec), ...(b.spec.extraWhere ?? [])];

/** The plain query: SQLite picks the access path and sorts everything that matches. */
function generalParts(b: Bound, residual: Sql[]): QueryParts {
  const { joins, terms } = orderTerms(b.keys, 1);
  return {
    from: { sql: 'runs r', params: [] },
    joins,
    where: residual,
    order: [...terms, ...tieBreakers(b.keys)],
  };
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

/**
 * A filter read straight from an index: metric values by (key_id, is_nan, value), params and tags
 * by (key, value). Such a filter can drive the query, be counted cheaply, or be materialized once
 * as a set of run keys instead of probed run by run.
 */
interface IndexedFilter {
  index: number;
  from: string;
  condition: Sql;
  /** Equality on the index: its run keys come out sorted, so materializing is cheap. */
  sorted: boolean;
  /** The index range holds exactly the matches (else rows of the key are tested one by one). */
  exact: boolean;
}

function indexedFilter(p: BoundPredicate, index: number): IndexedFilter | null {
  if (p.kind === 'metric') {
    if (p.keyId === null || p.keyId === undefined) return null;
    const c = metricCondition('d', p);
    // is_nan IN (0, 1) lets the index serve the value range for both kinds of rows.
    return {
      index,
      from: 'latest_metrics d',
      condition: { sql: `d.key_id = ? AND d.is_nan IN (0, 1) AND ${c.sql}`, params: [p.keyId, ...c.params] },
      sorted: false,
      exact: p.op !== '!=' && c.params.length === 1,
    };
  }
  if (p.kind === 'param' || p.kind === 'tag') {
    const c = stringComparison('d.value', p.op, p.value);
    return {
      index,
      from: `${TABLE[p.kind]} d`,
      condition: { sql: `d.key = ? AND ${c.sql}`, params: [p.key, ...c.params] },
      sorted: p.op === '=',
      exact: p.op === '=' || (p.op === 'LIKE' && likeHasPrefix(p.value as string)),
    };
  }
  return null;
}

/** An indexed filter after counting: its match count (capped) and, if fetched, its run keys. */
interface CountedFilter {
  f: IndexedFilter;
  count: number;
  sel: number;
  /** Sorted run keys, when fetched (filters whose index range must be scanned in full). */
  pks: number[] | null;
}

/** The filter's matches as a source of run keys named `d.run_pk`. */
const filterSource = (x: CountedFilter): Sql =>
  x.pks
    ? { sql: '(SELECT value AS run_pk FROM json_each(?)) d', params: [JSON.stringify(x.pks)] }
    : { sql: `(SELECT d.run_pk FROM ${x.f.from} WHERE ${x.f.condition.sql}) d`, params: x.f.condition.params };

const materialized = (x: CountedFilter, run: string): Sql =>
  x.pks
    ? { sql: `${run} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(x.pks)] }
    : { sql: `${run} IN (SELECT d.run_pk FROM ${x.f.from} WHERE ${x.f.condition.sql})`, params: x.f.condition.params };

/** Plan A: read the selective filter's matches, check the rest per run, sort what is left. */
function drivenParts(b: Bound, driver: CountedFilter, residual: Residual): QueryParts {
  const { joins, terms } = orderTerms(b.keys, 1);
  const source = driver.pks ? filterSource(driver) : { sql: driver.f.from, params: [] };
  return {
    // CROSS JOIN keeps SQLite from reordering: the driver's index is the outer loop.
    from: { sql: `${source.sql} CROSS JOIN runs r ON r.run_pk = d.run_pk`, params: source.params },
    joins,
    where: [...(driver.pks ? [] : [driver.f.condition]), ...residual('d.run_pk')],
    order: [...terms, ...tieBreakers(b.keys)],
  };
}

/** Per-run conditions of a plan, given the SQL naming the run key at the driving loop. */
type Residual = (run: string) => Sql[];

/**
 * Plan B: the first sort key's index read in order, split where MLflow's rank changes (present
 * values, NaN, missing), so each segment's rows arrive sorted and LIMIT stops the scan early.
 * Later keys and tie-breakers only order rows within equal first-key values.
 */
function segmentParts(b: Bound, residual: Residual): QueryParts[] {
  const [first, ...rest] = b.keys;
  const restOrder = orderTerms(rest, 2);
  const tail = [...restOrder.terms, ...tieBreakers(b.keys)];
  const joins = restOrder.joins;
  const runs = { sql: 'runs r', params: [] };
  const cond = (sql: string, ...params: unknown[]): Sql => ({ sql, params });
  if (!first || (first.kind === 'metric' && (first.keyId === null || first.keyId === undefined))) {
    return [{ from: runs, joins, where: residual('r.run_pk'), order: tail }];
  }
  const dir = first.ascending ? 'ASC' : 'DESC';
  if (first.kind === 'attribute') {
    const col = `r.${first.column}`;
    // SQLite already sorts NULLs last when descending, which is MLflow's order.
    if (!first.ascending) return [{ from: runs, joins, where: residual('r.run_pk'), order: [`${col} DESC`, ...tail] }];
    return [
      {
        from: runs,
        joins,
        where: [cond(`${col} IS NOT NULL`), ...residual('r.run_pk')],
        order: [`${col} ASC`, ...tail],
      },
      { from: runs, joins, where: [cond(`${col} IS NULL`), ...residual('r.run_pk')], order: tail },
    ];
  }
  if (first.kind === 'metric') {
    const from = { sql: 'latest_metrics o1 CROSS JOIN runs r ON r.run_pk = o1.run_pk', params: [] };
    const key = cond('o1.key_id = ?', first.keyId);
    return [
      {
        from,
        joins,
        where: [key, cond('o1.is_nan = 0'), ...residual('o1.run_pk')],
        order: [`o1.value ${dir}`, ...tail],
      },
      { from, joins, where: [key, cond('o1.is_nan = 1'), ...residual('o1.run_pk')], order: tail },
      {
        from: runs,
        joins,
        where: [
          cond('NOT EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_pk = r.run_pk AND x.key_id = ?)', first.keyId),
          ...residual('r.run_pk'),
        ],
        order: tail,
      },
    ];
  }
  const table = TABLE[first.kind];
  return [
    {
      from: { sql: `${table} o1 CROSS JOIN runs r ON r.run_pk = o1.run_pk`, params: [] },
      joins,
      where: [cond('o1.key = ?', first.key), ...residual('o1.run_pk')],
      order: [`o1.value ${dir}`, ...tail],
    },
    {
      from: runs,
      joins,
      where: [
        cond(`NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.run_pk = r.run_pk AND x.key = ?)`, first.key),
        ...residual('r.run_pk'),
      ],
      order: tail,
    },
  ];
}

/** runs columns with an index that yields them in order (runs_by_experiment_time, run_uuid's). */
const INDEXED_COLUMNS = new Set<string>(['start_time', 'run_uuid']);

/** Whether an index delivers the first sort key in order (no keys: start_time DESC, indexed). */
function orderDrivable(keys: readonly BoundOrderKey[]): boolean {
  const first = keys[0];
  return !first || first.kind !== 'attribute' || INDEXED_COLUMNS.has(first.column);
}

/** Runs segments in order, carrying the window across them. */
function runSegments(db: Db, segments: QueryParts[], offset: number, limit: number): number[] {
  const out: number[] = [];
  let skip = Math.max(0, offset);
  for (const seg of segments) {
    const want = limit - out.length;
    if (want <= 0) break;
    const rows = pluckAll<number>(db, assemble(seg, 'r.run_pk', windowSql(want, skip)));
    out.push(...rows);
    if (rows.length === want) break;
    if (rows.length > 0) skip = 0;
    else if (skip > 0) {
      const total = pluckOne<number>(db, assemble({ ...seg, order: [] }, 'count(*)', null)) ?? 0;
      skip = Math.max(0, skip - total);
    }
  }
  return out;
}

/** Below this many runs in the store, planning costs more than it saves. */
const SMALL_STORE = 2000;
/**
 * Relative costs measured on the bench store: probing one run's row of a 5M-row table costs about
 * 20× reading one sorted index entry into a set, 4× an unsorted one.
 */
const SORTED_SET_FACTOR = 20;
const UNSORTED_SET_FACTOR = 4;

/** Counts an indexed filter's matches up to `cap` (fetching them when its range is not exact). */
function countFilter(db: Db, f: IndexedFilter, total: number, cap: number): CountedFilter {
  let count: number;
  let pks: number[] | null = null;
  if (f.exact) {
    count =
      pluckOne<number>(db, {
        sql: `SELECT count(*) FROM (SELECT 1 FROM ${f.from} WHERE ${f.condition.sql} LIMIT ?)`,
        params: [...f.condition.params, cap],
      }) ?? 0;
  } else {
    // Testing every row of the key costs a full range scan: keep what it finds, to scan once.
    const found = pluckAll<number>(db, {
      sql: `SELECT d.run_pk FROM ${f.from} WHERE ${f.condition.sql} LIMIT ?`,
      params: [...f.condition.params, cap],
    });
    count = found.length;
    if (count < cap) pks = found.sort((a, b) => a - b);
  }
  // A count that reached the cap says only "at least cap": assume a broad filter.
  const sel = count < cap ? count / total : Math.max(cap / total, 0.5);
  return { f, count, sel, pks };
}

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
  const drivable = orderDrivable(keys);
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
  if (drivable && !byScope) return runSegments(db, segmentParts(b, residual), spec.offset, spec.limit);
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
  const residual: Residual = (run) => [
    ...filters.filter((x) => x !== driver && x.count < cap).map((x) => materialized(x, run)),
    ...filters.filter((x) => x.count >= cap).map((x) => predicateSql(preds[x.f.index]!, run)),
    ...scopeAndExtra(b),
    ...preds.filter((p) => p.kind === 'attribute' || p.kind === 'numeric-attribute').map((p) => predicateSql(p)),
    ...preds.filter((p) => p.kind === 'dataset').map((p) => predicateSql(p, run)),
  ];
  const parts = driver ? drivenParts(b, driver, residual) : generalParts(b, residual('r.run_pk'));
  return assemble({ ...parts, joins: [], order: [] }, 'r.run_pk', null);
}
