import type { Db } from './db';
import type { RunOrderKey, RunPredicate } from '../search/resolve';
import { likeHasPrefix, numericComparison, pluckAll, pluckOne, stringComparison, type Sql } from './search-sql';

/**
 * The SQL shapes of a run search (see search-runs.ts for how one is chosen): each MLflow predicate
 * and sort key as SQL, the plain single-statement plan, the plan driven by one filter's index, and
 * the plan that reads the first sort key's index in order, split into MLflow's rank segments.
 * Predicates name the run through a caller-given expression so per-run checks can run on the
 * driving index's copy of the run key, before the runs row is fetched.
 */

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

// ------------------------------------------------------------------ binding metric keys

export type BoundPredicate = RunPredicate & { keyId?: number | null };
export type BoundOrderKey = RunOrderKey & { keyId?: number | null };

function metricKeyId(db: Db, key: string): number | null {
  return pluckOne<number>(db, { sql: 'SELECT key_id FROM metric_keys WHERE key = ?', params: [key] }) ?? null;
}

export function bind(db: Db, spec: RunQuerySpec): { preds: BoundPredicate[]; keys: BoundOrderKey[] } {
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
export function predicateSql(p: BoundPredicate, run = 'r.run_pk'): Sql {
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

export interface QueryParts {
  from: Sql;
  joins: Sql[];
  where: Sql[];
  order: string[];
}

export function assemble(parts: QueryParts, columns: string, window: Sql | null): Sql {
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

export const windowSql = (limit: number, offset: number): Sql => ({
  sql: 'LIMIT ? OFFSET ?',
  params: [limit, Math.max(0, offset)],
});

// ------------------------------------------------------------------ plans

export interface Bound {
  spec: RunQuerySpec;
  preds: BoundPredicate[];
  keys: BoundOrderKey[];
}

/** Conditions every plan applies to the runs row: scope first, then the filters in a chosen order. */
export const scopeAndExtra = (b: Bound): Sql[] => [...scopeSql(b.spec), ...(b.spec.extraWhere ?? [])];

/** The plain query: SQLite picks the access path and sorts everything that matches. */
export function generalParts(b: Bound, residual: Sql[]): QueryParts {
  const { joins, terms } = orderTerms(b.keys, 1);
  return {
    from: { sql: 'runs r', params: [] },
    joins,
    where: residual,
    order: [...terms, ...tieBreakers(b.keys)],
  };
}

/**
 * A filter read straight from an index: metric values by (key_id, is_nan, value), params and tags
 * by (key, value). Such a filter can drive the query, be counted cheaply, or be materialized once
 * as a set of run keys instead of probed run by run.
 */
export interface IndexedFilter {
  index: number;
  from: string;
  condition: Sql;
  /** Equality on the index: its run keys come out sorted, so materializing is cheap. */
  sorted: boolean;
  /** The index range holds exactly the matches (else rows of the key are tested one by one). */
  exact: boolean;
}

export function indexedFilter(p: BoundPredicate, index: number): IndexedFilter | null {
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
export interface CountedFilter {
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

export const materialized = (x: CountedFilter, run: string): Sql =>
  x.pks
    ? { sql: `${run} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(x.pks)] }
    : { sql: `${run} IN (SELECT d.run_pk FROM ${x.f.from} WHERE ${x.f.condition.sql})`, params: x.f.condition.params };

/** Plan A: read the selective filter's matches, check the rest per run, sort what is left. */
export function drivenParts(b: Bound, driver: CountedFilter, residual: Residual): QueryParts {
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
export type Residual = (run: string) => Sql[];

/**
 * Plan B: the first sort key's index read in order, split where MLflow's rank changes (present
 * values, NaN, missing), so each segment's rows arrive sorted and LIMIT stops the scan early.
 * Later keys and tie-breakers only order rows within equal first-key values.
 */
export function segmentParts(db: Db, b: Bound, residual: Residual): QueryParts[] {
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
    // Without statistics SQLite can take any (experiment_id, ...) index here and sort; name the one
    // that yields this column in order.
    const index = attributeIndex(db, first.column);
    const from = index ? { sql: `runs r INDEXED BY ${index}`, params: [] } : runs;
    // SQLite already sorts NULLs last when descending, which is MLflow's order.
    if (!first.ascending) return [{ from, joins, where: residual('r.run_pk'), order: [`${col} DESC`, ...tail] }];
    return [
      {
        from,
        joins,
        where: [cond(`${col} IS NOT NULL`), ...residual('r.run_pk')],
        order: [`${col} ASC`, ...tail],
      },
      { from, joins, where: [cond(`${col} IS NULL`), ...residual('r.run_pk')], order: tail },
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
const ORDER_INDEXES: Partial<Record<string, string>> = {
  end_time: 'runs_by_experiment_end',
  name: 'runs_by_experiment_name',
};
const indexNames = new WeakMap<Db, Set<string>>();

/** The migration-005 index serving a runs column's order, if this database has it. */
function attributeIndex(db: Db, column: string): string | null {
  const name = ORDER_INDEXES[column];
  if (!name) return null;
  let names = indexNames.get(db);
  if (!names) {
    names = new Set(pluckAll<string>(db, { sql: "SELECT name FROM sqlite_master WHERE type = 'index'", params: [] }));
    indexNames.set(db, names);
  }
  return names.has(name) ? name : null;
}

/** Whether an index delivers the first sort key in order (no keys: start_time DESC, indexed). */
export function orderDrivable(db: Db, keys: readonly BoundOrderKey[]): boolean {
  const first = keys[0];
  if (!first || first.kind !== 'attribute') return true;
  // start_time: runs_by_experiment_time; run_uuid: its unique index.
  return first.column === 'start_time' || first.column === 'run_uuid' || attributeIndex(db, first.column) !== null;
}

/** Runs segments in order, carrying the window across them. */
export function runSegments(db: Db, segments: QueryParts[], offset: number, limit: number): number[] {
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

/** Counts an indexed filter's matches up to `cap` (fetching them when its range is not exact). */
export function countFilter(db: Db, f: IndexedFilter, total: number, cap: number): CountedFilter {
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
