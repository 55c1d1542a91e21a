import type { Db } from './db';
import { cachedStatement, type Sql } from './search-sql';
import { buildRunFilterSql } from './search-runs';
import { parseFilter } from '../search/filter-parser';
import { resolveRunFilter } from '../search/resolve';

/**
 * Named SQL for the UI query layer (`src-main/query/`), run on a read-only connection (in the query
 * worker) so long UI reads never hold the writer. List arguments are bound as one JSON text and
 * expanded with `json_each`, so statements are prepared once whatever the list length.
 *
 * The runs view is computed in two steps: `orderedRuns` returns the run keys of the whole view in
 * order (filtering, sorting and grouping in SQL, one statement), which the query layer lays out
 * (pinned, tree, group headers) and keeps while the database does not change; windows of rows
 * then fetch only their runs and only the requested columns.
 */

export interface ExperimentSummaryRow {
  experiment_id: number;
  name: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
  run_count: number;
  last_run_start: number | null;
  description: string | null;
}

export interface UiRunRow {
  run_pk: number;
  run_uuid: string;
  experiment_id: number;
  name: string;
  status: string;
  start_time: number | null;
  end_time: number | null;
  user_id: string;
  lifecycle_stage: 'active' | 'deleted';
  artifact_uri: string;
  source: string | null;
  git_commit: string | null;
  parent_run_id: string | null;
}

/** A param or tag cell as a raw row: [run_pk, key, value]. */
export type CellRow = [runPk: number, key: string, value: string];

/** A metric cell as a raw row: [run_pk, key, value, is_nan, min_value, max_value]. */
export type MetricCellRow = [
  runPk: number,
  key: string,
  value: number,
  isNan: number,
  min: number | null,
  max: number | null,
];

export type UiAttribute =
  | 'name'
  | 'run_id'
  | 'experiment_id'
  | 'status'
  | 'user_id'
  | 'start_time'
  | 'end_time'
  | 'duration'
  | 'source'
  | 'git_commit';

/** A column the view sorts or groups by, already validated by the query layer. */
export type UiColumn =
  | { kind: 'attribute'; key: UiAttribute }
  | { kind: 'metric'; key: string; agg?: 'latest' | 'min' | 'max' }
  | { kind: 'param' | 'tag'; key: string };

export type UiSortTerm = UiColumn & { desc: boolean };

/** Which runs a view selects (conditions on the runs row). */
export interface ViewScope {
  experimentIds: readonly number[];
  lifecycle: 'active' | 'deleted' | 'all';
  /** MLflow filter text ('' = none). */
  filter: string;
  search: string;
  statuses: readonly string[];
  startedAfter: number | null;
  startedBefore: number | null;
  hidden: readonly string[];
  runIds: readonly string[] | null;
}

const TAG_ATTRIBUTES: Partial<Record<UiAttribute, string>> = {
  source: 'mlflow.source.name',
  git_commit: 'mlflow.source.git.commit',
};

/** `runlens_num(text)`: the number a param/tag value spells, or NULL (sorts numbers as numbers). */
function registerFunctions(db: Db): void {
  db.function('runlens_num', { deterministic: true }, (v: unknown) => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string' || v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  });
}

const json = (v: unknown): string => JSON.stringify(v);

/** LIKE pattern matching `text` anywhere (LIKE is ASCII case-insensitive in SQLite). */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The scope's conditions on `runs r`. The MLflow filter goes through the REST search's own parser
 * and SQL (so the UI and `runs/search` agree on every operator) as a run-key subquery.
 */
export function scopeWhere(db: Db, s: ViewScope): Sql[] {
  const out: Sql[] = [];
  if (s.experimentIds.length === 1) out.push({ sql: 'r.experiment_id = ?', params: [s.experimentIds[0]] });
  else out.push({ sql: 'r.experiment_id IN (SELECT value FROM json_each(?))', params: [json(s.experimentIds)] });
  if (s.lifecycle !== 'all') out.push({ sql: 'r.lifecycle_stage = ?', params: [s.lifecycle] });
  if (s.search) out.push({ sql: "r.name LIKE ? ESCAPE '\\'", params: [containsPattern(s.search)] });
  if (s.statuses.length) out.push({ sql: 'r.status IN (SELECT value FROM json_each(?))', params: [json(s.statuses)] });
  if (s.startedAfter !== null) out.push({ sql: 'r.start_time >= ?', params: [s.startedAfter] });
  if (s.startedBefore !== null) out.push({ sql: 'r.start_time <= ?', params: [s.startedBefore] });
  if (s.hidden.length) {
    out.push({ sql: 'r.run_uuid NOT IN (SELECT value FROM json_each(?))', params: [json(s.hidden)] });
  }
  if (s.runIds) out.push({ sql: 'r.run_uuid IN (SELECT value FROM json_each(?))', params: [json(s.runIds)] });
  if (s.filter.trim()) {
    const predicates = resolveRunFilter(parseFilter(s.filter));
    if (predicates.length) {
      const sub = buildRunFilterSql(db, {
        experimentIds: s.experimentIds,
        stage: s.lifecycle === 'all' ? null : s.lifecycle,
        predicates,
      });
      out.push({ sql: `r.run_pk IN (${sub.sql})`, params: sub.params });
    }
  }
  return out;
}

/** A column's value as SQL over `runs r` plus the LEFT JOIN it needs (alias `alias`). */
interface ColumnSource {
  join: Sql | null;
  /** Expression of the value. */
  value: string;
  /** Extra rank terms placed before the value (missing and NaN last). */
  ranks: string[];
  /** Compare as numbers when the text is numeric (params, tags). */
  numericText: boolean;
}

function metricKeyIdSql(alias: string): string {
  return `${alias}.key_id = (SELECT key_id FROM metric_keys WHERE key = ?)`;
}

function columnSource(c: UiColumn, alias: string): ColumnSource {
  if (c.kind === 'attribute') {
    const tag = TAG_ATTRIBUTES[c.key];
    if (tag) {
      return {
        join: { sql: `LEFT JOIN tags ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key = ?`, params: [tag] },
        value: `${alias}.value`,
        ranks: [`(${alias}.value IS NULL)`],
        numericText: false,
      };
    }
    const expr: Record<string, string> = {
      name: 'r.name COLLATE NOCASE',
      run_id: 'r.run_uuid',
      experiment_id: 'r.experiment_id',
      status: 'r.status',
      user_id: 'r.user_id',
      start_time: 'r.start_time',
      end_time: 'r.end_time',
      duration: '(r.end_time - r.start_time)',
    };
    const value = expr[c.key]!;
    const nullable = c.key === 'start_time' || c.key === 'end_time' || c.key === 'duration';
    return { join: null, value, ranks: nullable ? [`(${value} IS NULL)`] : [], numericText: false };
  }
  if (c.kind === 'metric') {
    const join = {
      sql: `LEFT JOIN latest_metrics ${alias} ON ${alias}.run_pk = r.run_pk AND ${metricKeyIdSql(alias)}`,
      params: [c.key],
    };
    if (c.agg === 'min' || c.agg === 'max') {
      const value = `${alias}.${c.agg}_value`;
      return { join, value, ranks: [`(${value} IS NULL)`], numericText: false };
    }
    // No value last, then NaN, then numbers.
    return {
      join,
      value: `${alias}.value`,
      ranks: [`(${alias}.run_pk IS NULL)`, `${alias}.is_nan`],
      numericText: false,
    };
  }
  const table = c.kind === 'param' ? 'params' : 'tags';
  return {
    join: { sql: `LEFT JOIN ${table} ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key = ?`, params: [c.key] },
    value: `${alias}.value`,
    ranks: [`(${alias}.value IS NULL)`],
    numericText: true,
  };
}

/** ORDER BY terms for a column: missing values last in both directions, numbers before text. */
function orderTerms(src: ColumnSource, desc: boolean): string[] {
  const dir = desc ? 'DESC' : 'ASC';
  if (src.numericText) {
    const num = `runlens_num(${src.value})`;
    return [...src.ranks, `(${num} IS NULL)`, `${num} ${dir}`, `${src.value} ${dir}`];
  }
  return [...src.ranks, `${src.value} ${dir}`];
}

export interface OrderedRuns {
  pks: number[];
  /** Group key values per run (grouped views only), parallel to `pks`. */
  groupValues: (string | null)[][] | null;
}

/**
 * The run keys of a view in display order (groups first, then the sort, then start time newest
 * first and run id as tie-breakers), and each run's group values when grouped.
 */
export function orderedRuns(
  db: Db,
  scope: ViewScope,
  sort: readonly UiSortTerm[],
  groupBy: readonly UiColumn[],
): OrderedRuns {
  const joins: Sql[] = [];
  const order: string[] = [];
  const groupExprs: string[] = [];
  groupBy.forEach((g, i) => {
    const src = columnSource(g, `g${i}`);
    if (src.join) joins.push(src.join);
    // Group values are text (or NULL) whatever the column, so keys compare equal across rows.
    groupExprs.push(`CAST(${src.value.replace(' COLLATE NOCASE', '')} AS TEXT)`);
    order.push(...orderTerms({ ...src, numericText: true, value: groupExprs[i]! }, false));
  });
  sort.forEach((t, i) => {
    const src = columnSource(t, `s${i}`);
    if (src.join) joins.push(src.join);
    order.push(...orderTerms(src, t.desc));
  });
  // Newest first (NULL start last), then run id: the order of runs_by_experiment_time, so the
  // default view of one experiment reads an index in order and sorts nothing.
  order.push('r.start_time DESC', 'r.run_uuid');
  const where = scopeWhere(db, scope);
  const columns = ['r.run_pk', ...groupExprs].join(', ');
  const sql =
    `SELECT ${columns} FROM runs r ${joins.map((j) => j.sql).join(' ')}` +
    ` WHERE ${where.map((w) => w.sql).join(' AND ')} ORDER BY ${order.join(', ')}`;
  const params = [...joins.flatMap((j) => j.params), ...where.flatMap((w) => w.params)];
  const st = cachedStatement(db, sql);
  if (!groupBy.length) return { pks: st.pluck(true).all(...params) as number[], groupValues: null };
  const rows = st
    .pluck(false)
    .raw(true)
    .all(...params) as unknown[][];
  st.raw(false);
  return {
    pks: rows.map((r) => r[0] as number),
    groupValues: rows.map((r) => r.slice(1) as (string | null)[]),
  };
}

/** The scope's runs in the default order (newest first, then run id), from runs_by_experiment_time. */
export function scopeOrder(db: Db, scope: ViewScope): number[] {
  const where = scopeWhere(db, scope);
  const sql = `SELECT r.run_pk FROM runs r WHERE ${where.map((w) => w.sql).join(' AND ')} ORDER BY r.start_time DESC, r.run_uuid`;
  return cachedStatement(db, sql)
    .pluck(true)
    .all(...where.flatMap((w) => w.params)) as number[];
}

/**
 * Every run's latest value of a metric in value order, read from latest_metrics_by_key (an index
 * range in order, no sort): finite values as [run_pk, value] pairs, then the runs whose latest
 * value is NaN. Unknown key: nothing.
 */
export function metricInOrder(db: Db, key: string, desc: boolean): { values: [number, number][]; nans: number[] } {
  const keyId = cachedStatement(db, 'SELECT key_id FROM metric_keys WHERE key = ?').pluck(true).get(key) as
    number | undefined;
  if (keyId === undefined) return { values: [], nans: [] };
  const st = cachedStatement(
    db,
    `SELECT run_pk, value FROM latest_metrics WHERE key_id = ? AND is_nan = 0 ORDER BY value ${desc ? 'DESC' : 'ASC'}`,
  ).raw(true);
  const values = st.all(keyId) as [number, number][];
  st.raw(false);
  const nans = cachedStatement(db, 'SELECT run_pk FROM latest_metrics WHERE key_id = ? AND is_nan = 1')
    .pluck(true)
    .all(keyId) as number[];
  return { values, nans };
}

/** Every run's value of a param or tag, as [run_pk, value] in text order (the (key, value) index). */
export function textInOrder(db: Db, kind: 'param' | 'tag', key: string): [number, string][] {
  const table = kind === 'param' ? 'params' : 'tags';
  const st = cachedStatement(db, `SELECT run_pk, value FROM ${table} WHERE key = ? ORDER BY value`).raw(true);
  const rows = st.all(key) as [number, string][];
  st.raw(false);
  return rows;
}

export function maxRunPk(db: Db): number {
  return (cachedStatement(db, 'SELECT max(run_pk) FROM runs').pluck(true).get() as number | null) ?? 0;
}

/**
 * One window of a view without computing the whole order: the default order or one metric's
 * order read straight from an index with LIMIT, so the first rows of a 100,000-run view (or of
 * a re-sort) cost a few index entries. Metric order is split where its rank changes (values,
 * NaN, missing) and the window carried across the parts. `extra` conditions are ANDed in.
 */
/** Up to this many runs kept by a filter, a window reads them by run key and sorts them. */
const FEW_MATCHES = 2000;

export function windowDirect(
  db: Db,
  scope: ViewScope,
  sort: { key: string; desc: boolean } | null,
  offset: number,
  limit: number,
  extra: Sql[] = [],
  /** Runs in the scope (its count), when the caller knows it: picks the plan. */
  matches?: number,
): number[] {
  // A filter that keeps few runs: reading the experiment's runs (or the sort key's index) in order
  // would visit every run to find them (100,000 runs, 84 matches, sorted by a metric: ~130 ms).
  // Then the filter's run keys drive (`+` keeps SQLite off the experiment index) and the few
  // matches are sorted: ~2 ms. The ORDER BY is the same, so is the answer.
  const few = matches !== undefined && matches <= FEW_MATCHES && scope.filter.trim() !== '';
  const where = [...scopeWhere(db, scope), ...extra].map((w) =>
    few && /^r\.(experiment_id|lifecycle_stage) /.test(w.sql) ? { ...w, sql: `+${w.sql}` } : w,
  );
  const cond = where.map((w) => w.sql).join(' AND ');
  const params = where.flatMap((w) => w.params);
  const tail = 'r.start_time DESC, r.run_uuid';
  if (!sort) {
    return cachedStatement(db, `SELECT r.run_pk FROM runs r WHERE ${cond} ORDER BY ${tail} LIMIT ? OFFSET ?`)
      .pluck(true)
      .all(...params, limit, offset) as number[];
  }
  const keyId = cachedStatement(db, 'SELECT key_id FROM metric_keys WHERE key = ?').pluck(true).get(sort.key) as
    number | undefined;
  const byIndex = few
    ? 'FROM runs r CROSS JOIN latest_metrics s ON s.run_pk = r.run_pk WHERE s.key_id = ?'
    : 'FROM latest_metrics s CROSS JOIN runs r ON r.run_pk = s.run_pk WHERE s.key_id = ?';
  const parts: { from: string; lead: unknown[]; order: string }[] =
    keyId === undefined
      ? [{ from: `FROM runs r WHERE ${cond}`, lead: [], order: tail }]
      : [
          {
            from: `${byIndex} AND s.is_nan = 0 AND ${cond}`,
            lead: [keyId],
            order: `s.value ${sort.desc ? 'DESC' : 'ASC'}, ${tail}`,
          },
          { from: `${byIndex} AND s.is_nan = 1 AND ${cond}`, lead: [keyId], order: tail },
          {
            from: `FROM runs r WHERE NOT EXISTS (SELECT 1 FROM latest_metrics x WHERE x.run_pk = r.run_pk AND x.key_id = ?) AND ${cond}`,
            lead: [keyId],
            order: tail,
          },
        ];
  const out: number[] = [];
  let skip = offset;
  for (const part of parts) {
    const want = limit - out.length;
    if (want <= 0) break;
    const rows = cachedStatement(db, `SELECT r.run_pk ${part.from} ORDER BY ${part.order} LIMIT ? OFFSET ?`)
      .pluck(true)
      .all(...part.lead, ...params, want, skip) as number[];
    out.push(...rows);
    if (rows.length > 0) skip = 0;
    else if (skip > 0) {
      const n = cachedStatement(db, `SELECT count(*) ${part.from}`)
        .pluck(true)
        .get(...part.lead, ...params) as number;
      skip = Math.max(0, skip - n);
    }
  }
  return out;
}

/** Runs in the scope (with extra conditions). */
export function countScope(db: Db, scope: ViewScope, extra: Sql[] = []): number {
  const where = [...scopeWhere(db, scope), ...extra];
  return cachedStatement(db, `SELECT count(*) FROM runs r WHERE ${where.map((w) => w.sql).join(' AND ')}`)
    .pluck(true)
    .get(...where.flatMap((w) => w.params)) as number;
}

/** Whether any run of the experiments is nested under another (tree layout needed). */
export function hasNestedRuns(db: Db, experimentIds: readonly number[]): boolean {
  return (
    cachedStatement(
      db,
      `SELECT 1 FROM tags t JOIN runs c ON c.run_pk = t.run_pk
       WHERE t.key = 'mlflow.parentRunId' AND c.experiment_id IN (SELECT value FROM json_each(?)) LIMIT 1`,
    )
      .pluck(true)
      .get(json(experimentIds)) !== undefined
  );
}

export interface GroupAggregateRow {
  values: (string | null)[];
  /** Per aggregated metric: [count, sum, sum of squares, min, max]. */
  stats: [number, number | null, number | null, number | null, number | null][];
}

/**
 * Per-group aggregates of metrics' latest values (NaN excluded) over the view's runs, in SQL:
 * count, sum, sum of squares, min, max — the caller derives mean and standard deviation.
 */
export function groupAggregates(
  db: Db,
  scope: ViewScope,
  groupBy: readonly UiColumn[],
  metrics: readonly string[],
  excludeRunIds: readonly string[],
): GroupAggregateRow[] {
  const joins: Sql[] = [];
  const keys: string[] = [];
  groupBy.forEach((g, i) => {
    const src = columnSource(g, `g${i}`);
    if (src.join) joins.push(src.join);
    keys.push(`CAST(${src.value.replace(' COLLATE NOCASE', '')} AS TEXT)`);
  });
  const aggs: string[] = [];
  metrics.forEach((key, i) => {
    const a = `a${i}`;
    joins.push({
      sql: `LEFT JOIN latest_metrics ${a} ON ${a}.run_pk = r.run_pk AND ${metricKeyIdSql(a)} AND ${a}.is_nan = 0`,
      params: [key],
    });
    aggs.push(`COUNT(${a}.value), SUM(${a}.value), SUM(${a}.value * ${a}.value), MIN(${a}.value), MAX(${a}.value)`);
  });
  const where = scopeWhere(db, scope);
  if (excludeRunIds.length) {
    where.push({ sql: 'r.run_uuid NOT IN (SELECT value FROM json_each(?))', params: [json(excludeRunIds)] });
  }
  const groupCols = keys.map((_, i) => `${i + 1}`).join(', ');
  const sql =
    `SELECT ${[...keys, 'COUNT(*)', ...aggs].join(', ')} FROM runs r ${joins.map((j) => j.sql).join(' ')}` +
    ` WHERE ${where.map((w) => w.sql).join(' AND ')} GROUP BY ${groupCols}`;
  const params = [...joins.flatMap((j) => j.params), ...where.flatMap((w) => w.params)];
  const st = cachedStatement(db, sql).pluck(false).raw(true);
  const rows = st.all(...params) as unknown[][];
  st.raw(false);
  const n = groupBy.length;
  return rows.map((r) => ({
    values: r.slice(0, n) as (string | null)[],
    stats: metrics.map((_, i) => r.slice(n + 1 + i * 5, n + 6 + i * 5) as GroupAggregateRow['stats'][number]),
  }));
}

/** "Run key → parent run key" for nested runs of the given experiments (tag `mlflow.parentRunId`). */
export function parentLinks(db: Db, experimentIds: readonly number[]): [number, number][] {
  const st = cachedStatement(
    db,
    `SELECT t.run_pk, p.run_pk FROM tags t
       JOIN runs c ON c.run_pk = t.run_pk
       JOIN runs p ON p.run_uuid = t.value
     WHERE t.key = 'mlflow.parentRunId' AND c.experiment_id IN (SELECT value FROM json_each(?))`,
  )
    .pluck(false)
    .raw(true);
  const rows = st.all(json(experimentIds)) as [number, number][];
  st.raw(false);
  return rows;
}

const RUN_COLUMNS = `r.run_pk, r.run_uuid, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.user_id,
  r.lifecycle_stage, r.artifact_uri,
  (SELECT value FROM tags WHERE run_pk = r.run_pk AND key = 'mlflow.source.name') AS source,
  (SELECT value FROM tags WHERE run_pk = r.run_pk AND key = 'mlflow.source.git.commit') AS git_commit,
  (SELECT value FROM tags WHERE run_pk = r.run_pk AND key = 'mlflow.parentRunId') AS parent_run_id`;

/**
 * Distinct keys of `params`/`tags` present in the matching runs: a recursive skip-scan over the
 * (key, value) index yields each distinct key once, then one existence probe per key.
 */
function distinctKeysSql(table: 'params' | 'tags', runFilter: string): string {
  return `WITH RECURSIVE k(key) AS (
      SELECT MIN(key) FROM ${table}
      UNION ALL
      SELECT (SELECT MIN(key) FROM ${table} WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
    )
    SELECT k.key FROM k
    WHERE k.key IS NOT NULL AND EXISTS (
      SELECT 1 FROM ${table} x JOIN runs r ON r.run_pk = x.run_pk WHERE x.key = k.key AND ${runFilter})
    ORDER BY k.key`;
}

const RUN_FILTER = `r.experiment_id IN (SELECT value FROM json_each(@experiment_ids))
  AND (@lifecycle = 'all' OR r.lifecycle_stage = @lifecycle)`;

type KeyScope = { experiment_ids: string; lifecycle: string };
type CellArgs = { run_pks: string; keys: string };

export function uiQueryStatements(db: Db) {
  registerFunctions(db);
  return {
    experiments: db.prepare<[], ExperimentSummaryRow>(
      `SELECT e.experiment_id, e.name, e.lifecycle_stage, e.creation_time, e.last_update_time,
         (SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.experiment_id AND r.lifecycle_stage = 'active')
           AS run_count,
         (SELECT MAX(r.start_time) FROM runs r WHERE r.experiment_id = e.experiment_id) AS last_run_start,
         (SELECT value FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = 'mlflow.note.content')
           AS description
       FROM experiments e
       ORDER BY e.creation_time DESC, e.experiment_id DESC`,
    ),
    experimentName: db.prepare<[number], { name: string }>('SELECT name FROM experiments WHERE experiment_id = ?'),

    // Key discovery walks the distinct keys (few) and asks, per key, whether any matching run has
    // it: an index probe that stops at the first hit, instead of scanning every (run, key) row.
    metricKeys: db.prepare<[KeyScope], { key: string }>(
      `SELECT mk.key FROM metric_keys mk
       WHERE EXISTS (
         SELECT 1 FROM latest_metrics lm JOIN runs r ON r.run_pk = lm.run_pk
         WHERE lm.key_id = mk.key_id AND ${RUN_FILTER})
       ORDER BY mk.key`,
    ),
    paramKeys: db.prepare<[KeyScope], { key: string }>(distinctKeysSql('params', RUN_FILTER)),
    tagKeys: db.prepare<[KeyScope], { key: string }>(distinctKeysSql('tags', RUN_FILTER)),

    /** Distinct values of a param/tag key in some experiments, from `prefix` on, in order. */
    paramValues: db.prepare<
      [{ experiment_ids: string; key: string; prefix: string; limit: number }],
      { value: string }
    >(
      `SELECT DISTINCT x.value FROM params x JOIN runs r ON r.run_pk = x.run_pk
       WHERE x.key = @key AND x.value >= @prefix AND substr(x.value, 1, length(@prefix)) = @prefix
         AND r.experiment_id IN (SELECT value FROM json_each(@experiment_ids))
       ORDER BY x.value LIMIT @limit`,
    ),
    tagValues: db.prepare<[{ experiment_ids: string; key: string; prefix: string; limit: number }], { value: string }>(
      `SELECT DISTINCT x.value FROM tags x JOIN runs r ON r.run_pk = x.run_pk
       WHERE x.key = @key AND x.value >= @prefix AND substr(x.value, 1, length(@prefix)) = @prefix
         AND r.experiment_id IN (SELECT value FROM json_each(@experiment_ids))
       ORDER BY x.value LIMIT @limit`,
    ),
    userValues: db.prepare<[{ experiment_ids: string; prefix: string; limit: number }], { value: string }>(
      `SELECT DISTINCT r.user_id AS value FROM runs r
       WHERE r.experiment_id IN (SELECT value FROM json_each(@experiment_ids))
         AND substr(r.user_id, 1, length(@prefix)) = @prefix
       ORDER BY 1 LIMIT @limit`,
    ),

    /** Run keys of the given run ids in some experiments (pinned and expanded runs). */
    runPksByIds: db.prepare<
      [{ run_ids: string; experiment_ids: string; lifecycle: string }],
      { run_pk: number; run_uuid: string }
    >(
      `SELECT r.run_pk, r.run_uuid FROM runs r
       WHERE r.run_uuid IN (SELECT value FROM json_each(@run_ids)) AND ${RUN_FILTER}`,
    ),
    /** Run ids of run keys (bound as a JSON list), for exports and "select all". */
    runPksForUuid(runPks: string): { run_pk: number; run_uuid: string }[] {
      return cachedStatement(db, 'SELECT run_pk, run_uuid FROM runs WHERE run_pk IN (SELECT value FROM json_each(?))')
        .pluck(false)
        .all(runPks) as { run_pk: number; run_uuid: string }[];
    },
    runByUuid: db.prepare<[string], UiRunRow>(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_uuid = ?`),
    runsByPks: db.prepare<[string], UiRunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_pk IN (SELECT value FROM json_each(?))`,
    ),
    childrenOf: db.prepare<[string], { run_uuid: string; name: string; status: string }>(
      `SELECT r.run_uuid, r.name, r.status FROM tags t JOIN runs r ON r.run_pk = t.run_pk
       WHERE t.key = 'mlflow.parentRunId' AND t.value = ? ORDER BY r.start_time DESC, r.run_uuid`,
    ),
    allParams: db.prepare<[number], { key: string; value: string }>(
      'SELECT key, value FROM params WHERE run_pk = ? ORDER BY key',
    ),
    allTags: db.prepare<[number], { key: string; value: string }>(
      'SELECT key, value FROM tags WHERE run_pk = ? ORDER BY key',
    ),
    allMetrics: db.prepare<
      [number],
      {
        key: string;
        value: number;
        is_nan: number;
        step: number;
        timestamp: number;
        min_value: number | null;
        max_value: number | null;
        point_count: number;
      }
    >(
      `SELECT k.key, l.value, l.is_nan, l.step, l.timestamp, l.min_value, l.max_value, l.point_count
       FROM latest_metrics l JOIN metric_keys k ON k.key_id = l.key_id WHERE l.run_pk = ? ORDER BY k.key`,
    ),

    // Cells of a window (100 runs × ~100 columns): raw rows (arrays) cost ~40% less than objects.
    latestMetrics: db
      .prepare<[CellArgs], MetricCellRow>(
        `SELECT lm.run_pk, mk.key, lm.value, lm.is_nan, lm.min_value, lm.max_value
         FROM latest_metrics lm JOIN metric_keys mk ON mk.key_id = lm.key_id
         WHERE lm.run_pk IN (SELECT value FROM json_each(@run_pks))
           AND lm.key_id IN (SELECT key_id FROM metric_keys WHERE key IN (SELECT value FROM json_each(@keys)))`,
      )
      .raw(),
    params: db
      .prepare<[CellArgs], CellRow>(
        `SELECT run_pk, key, value FROM params
         WHERE run_pk IN (SELECT value FROM json_each(@run_pks)) AND key IN (SELECT value FROM json_each(@keys))`,
      )
      .raw(),
    tags: db
      .prepare<[CellArgs], CellRow>(
        `SELECT run_pk, key, value FROM tags
         WHERE run_pk IN (SELECT value FROM json_each(@run_pks)) AND key IN (SELECT value FROM json_each(@keys))`,
      )
      .raw(),

    /**
     * Per key among some runs: how many have it and its smallest/largest value — a key differs
     * across the runs when some lack it or min ≠ max.
     */
    paramSpread: db.prepare<[CellArgs], { key: string; n: number; lo: string; hi: string }>(
      `SELECT key, COUNT(*) AS n, MIN(value) AS lo, MAX(value) AS hi FROM params
       WHERE run_pk IN (SELECT value FROM json_each(@run_pks)) AND key IN (SELECT value FROM json_each(@keys))
       GROUP BY key`,
    ),
    tagSpread: db.prepare<[CellArgs], { key: string; n: number; lo: string; hi: string }>(
      `SELECT key, COUNT(*) AS n, MIN(value) AS lo, MAX(value) AS hi FROM tags
       WHERE run_pk IN (SELECT value FROM json_each(@run_pks)) AND key IN (SELECT value FROM json_each(@keys))
       GROUP BY key`,
    ),
    metricSpread: db.prepare<[CellArgs & { agg: string }], { key: string; n: number; lo: number; hi: number }>(
      `SELECT mk.key, COUNT(*) AS n,
         MIN(CASE @agg WHEN 'min' THEN lm.min_value WHEN 'max' THEN lm.max_value
             ELSE CASE WHEN lm.is_nan THEN NULL ELSE lm.value END END) AS lo,
         MAX(CASE @agg WHEN 'min' THEN lm.min_value WHEN 'max' THEN lm.max_value
             ELSE CASE WHEN lm.is_nan THEN NULL ELSE lm.value END END) AS hi,
         SUM(lm.is_nan) AS nans
       FROM latest_metrics lm JOIN metric_keys mk ON mk.key_id = lm.key_id
       WHERE lm.run_pk IN (SELECT value FROM json_each(@run_pks))
         AND lm.key_id IN (SELECT key_id FROM metric_keys WHERE key IN (SELECT value FROM json_each(@keys)))
       GROUP BY mk.key`,
    ),

    /** Changes whenever another connection commits: the key for caching computed views. */
    dataVersion(): number {
      return db.pragma('data_version', { simple: true }) as number;
    },

    /** Runs several reads against one snapshot of the database. */
    snapshot<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
  };
}

export type UiQueryStatements = ReturnType<typeof uiQueryStatements>;

/** Statements on the writer connection: the UI's persistent state (migration 004). */
export function uiStateStatements(db: Db) {
  return {
    get: db.prepare<[string], { value: string }>('SELECT value FROM ui_state WHERE key = ?'),
    put: db.prepare<[string, string, number]>(
      `INSERT INTO ui_state (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    remove: db.prepare<[string]>('DELETE FROM ui_state WHERE key = ?'),
  };
}
