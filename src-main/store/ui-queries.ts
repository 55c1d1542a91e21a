import type Database from 'better-sqlite3';
import type { Db } from './db';
import { cachedStatement, type Sql } from './search-sql';
import { buildRunSearchSql } from './search-runs';
import { parseFilter } from '../search/filter-parser';
import { resolveRunFilter } from '../search/resolve';

/**
 * Named SQL for the UI query layer (`src-main/query/`). Runs on a read-only connection so long
 * UI reads never hold the writer. Array arguments are bound as one JSON text and expanded with
 * `json_each`, so each statement is prepared once whatever the list length.
 */

export interface ExperimentSummaryRow {
  experiment_id: number;
  name: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
  run_count: number;
  last_run_start: number | null;
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
}

export interface CellRow {
  run_pk: number;
  key: string;
  value: string;
}

export interface MetricCellRow {
  run_pk: number;
  key: string;
  value: number;
  is_nan: number;
}

export type UiAttribute = 'name' | 'status' | 'start_time' | 'end_time' | 'duration' | 'user_id';

/** One ORDER BY term of the runs window, already validated by the query layer. */
export type UiSortTerm =
  | { kind: 'attribute'; key: UiAttribute; desc: boolean }
  | { kind: 'metric' | 'param' | 'tag'; key: string; desc: boolean };

export interface RunsWindowArgs {
  experimentIds: number[];
  lifecycle: 'active' | 'deleted' | 'all';
  sort: readonly UiSortTerm[];
  offset: number;
  limit: number;
  /** Only runs whose run_pk this subquery selects (an MLflow filter, see `runFilterSubquery`). */
  restrict?: Sql | null;
}

/**
 * The runs an MLflow filter string selects (`metrics.acc > 0.9 and params.model = 'rf'`), as a
 * run_pk subquery built by the REST search's own parser and SQL, so the UI and `runs/search`
 * agree on every operator. Throws MLflow's INVALID_PARAMETER_VALUE on a bad filter.
 */
export function runFilterSubquery(db: Db, experimentIds: readonly number[], filter: string): Sql | null {
  if (!filter.trim()) return null;
  const predicates = resolveRunFilter(parseFilter(filter));
  if (predicates.length === 0) return null;
  // Lifecycle, sort and window are the UI query's own; LIMIT -1 is SQLite for "no limit".
  return buildRunSearchSql(db, { experimentIds, stage: null, predicates, orderBy: [], offset: 0, limit: -1 });
}

/** `runlens_num(text)`: the number a param/tag value spells, or NULL (used to sort numbers as numbers). */
function registerFunctions(db: Db): void {
  db.function('runlens_num', { deterministic: true }, (v: unknown) => {
    if (typeof v === 'number') return v;
    if (typeof v !== 'string' || v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  });
}

const RUN_COLUMNS = `r.run_pk, r.run_uuid, r.experiment_id, r.name, r.status, r.start_time, r.end_time, r.user_id,
  r.lifecycle_stage`;

const RUN_FILTER = `r.experiment_id IN (SELECT value FROM json_each(@experiment_ids))
  AND (@lifecycle = 'all' OR r.lifecycle_stage = @lifecycle)`;

/** One experiment (the common case): `=` lets the planner read runs_by_experiment_time in order. */
const RUN_FILTER_SINGLE = `r.experiment_id = @experiment_id AND (@lifecycle = 'all' OR r.lifecycle_stage = @lifecycle)`;

function direction(desc: boolean): string {
  return desc ? 'DESC' : 'ASC';
}

/** ORDER BY terms for one sort term; missing values last in both directions. */
function orderTerms(term: UiSortTerm, alias: string): string[] {
  const dir = direction(term.desc);
  if (term.kind === 'attribute') {
    switch (term.key) {
      case 'name':
        return [`r.name COLLATE NOCASE ${dir}`, `r.name ${dir}`];
      case 'status':
        return [`r.status ${dir}`];
      case 'user_id':
        return [`r.user_id ${dir}`];
      // SQLite puts NULLs last in DESC order already; ASC needs the explicit term.
      case 'start_time':
        return term.desc ? ['r.start_time DESC'] : ['(r.start_time IS NULL)', 'r.start_time ASC'];
      case 'end_time':
        return term.desc ? ['r.end_time DESC'] : ['(r.end_time IS NULL)', 'r.end_time ASC'];
      case 'duration':
        return ['(r.end_time IS NULL OR r.start_time IS NULL)', `(r.end_time - r.start_time) ${dir}`];
    }
  }
  if (term.kind === 'metric') {
    // No value last, then NaN, then numbers.
    return [`(${alias}.run_pk IS NULL)`, `${alias}.is_nan`, `${alias}.value ${dir}`];
  }
  return [
    `(${alias}.value IS NULL)`,
    `(runlens_num(${alias}.value) IS NULL)`,
    `runlens_num(${alias}.value) ${dir}`,
    `${alias}.value ${dir}`,
  ];
}

function joinFor(term: UiSortTerm, alias: string, param: string): string {
  switch (term.kind) {
    case 'attribute':
      return '';
    case 'metric':
      return `LEFT JOIN latest_metrics ${alias} ON ${alias}.run_pk = r.run_pk
        AND ${alias}.key_id = (SELECT key_id FROM metric_keys WHERE key = @${param})`;
    case 'param':
      return `LEFT JOIN params ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key = @${param}`;
    case 'tag':
      return `LEFT JOIN tags ${alias} ON ${alias}.run_pk = r.run_pk AND ${alias}.key = @${param}`;
  }
}

/** Builds the window SQL for a sort shape (kinds, attribute keys and directions; keys are bound). */
function windowSql(sort: readonly UiSortTerm[], single: boolean, restrict: string | null = null): string {
  const joins: string[] = [];
  const order: string[] = [];
  sort.forEach((term, i) => {
    const alias = `s${i}`;
    const join = joinFor(term, alias, `k${i}`);
    if (join) joins.push(join);
    order.push(...orderTerms(term, alias));
  });
  // Tie-breakers make windows stable: newest first (NULL start last), then run id — the order of
  // runs_by_experiment_time, so the default sort of one experiment needs no sorting at all.
  order.push('r.start_time DESC', 'r.run_uuid');
  return `SELECT ${RUN_COLUMNS} FROM runs r ${joins.join(' ')}
    WHERE ${single ? RUN_FILTER_SINGLE : RUN_FILTER}${restrict ? ` AND r.run_pk IN (${restrict})` : ''}
    ORDER BY ${order.join(', ')}
    LIMIT @limit OFFSET @offset`;
}

/**
 * Distinct keys of `params`/`tags` present in the matching runs: a recursive skip-scan over the
 * (key, value) index yields each distinct key once, then one existence probe per key.
 */
function distinctKeysSql(table: 'params' | 'tags'): string {
  return `WITH RECURSIVE k(key) AS (
      SELECT MIN(key) FROM ${table}
      UNION ALL
      SELECT (SELECT MIN(key) FROM ${table} WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
    )
    SELECT k.key FROM k
    WHERE k.key IS NOT NULL AND EXISTS (
      SELECT 1 FROM ${table} x JOIN runs r ON r.run_pk = x.run_pk WHERE x.key = k.key AND ${RUN_FILTER})
    ORDER BY k.key`;
}

function shapeKey(sort: readonly UiSortTerm[], single: boolean): string {
  return (
    (single ? '1|' : '*|') +
    sort.map((t) => `${t.kind}:${t.kind === 'attribute' ? t.key : ''}:${t.desc ? 'd' : 'a'}`).join('|')
  );
}

export function uiQueryStatements(db: Db) {
  registerFunctions(db);
  const windowCache = new Map<string, Database.Statement<[Record<string, unknown>], UiRunRow>>();

  const statements = {
    experiments: db.prepare<[], ExperimentSummaryRow>(
      `SELECT e.experiment_id, e.name, e.lifecycle_stage, e.creation_time, e.last_update_time,
         (SELECT COUNT(*) FROM runs r WHERE r.experiment_id = e.experiment_id AND r.lifecycle_stage = 'active')
           AS run_count,
         (SELECT MAX(r.start_time) FROM runs r WHERE r.experiment_id = e.experiment_id) AS last_run_start
       FROM experiments e
       WHERE e.lifecycle_stage = 'active'
       ORDER BY e.creation_time DESC, e.experiment_id DESC`,
    ),

    // Key discovery walks the distinct keys (few) and asks, per key, whether any matching run has
    // it: an index probe that stops at the first hit, instead of scanning every (run, key) row.
    metricKeys: db.prepare<[{ experiment_ids: string; lifecycle: string }], { key: string }>(
      `SELECT mk.key FROM metric_keys mk
       WHERE EXISTS (
         SELECT 1 FROM latest_metrics lm JOIN runs r ON r.run_pk = lm.run_pk
         WHERE lm.key_id = mk.key_id AND ${RUN_FILTER})
       ORDER BY mk.key`,
    ),
    paramKeys: db.prepare<[{ experiment_ids: string; lifecycle: string }], { key: string }>(distinctKeysSql('params')),
    tagKeys: db.prepare<[{ experiment_ids: string; lifecycle: string }], { key: string }>(distinctKeysSql('tags')),

    countRuns: db.prepare<[{ experiment_ids: string; lifecycle: string }], { n: number }>(
      `SELECT COUNT(*) AS n FROM runs r WHERE ${RUN_FILTER}`,
    ),

    /** Runs matching the scope and an MLflow filter subquery. */
    countFilteredRuns(args: { experimentIds: number[]; lifecycle: string; restrict: Sql }): number {
      const st = cachedStatement(
        db,
        `SELECT COUNT(*) AS n FROM runs r WHERE ${RUN_FILTER} AND r.run_pk IN (${args.restrict.sql})`,
      ).pluck(false);
      const row = st.get(...args.restrict.params, {
        experiment_ids: JSON.stringify(args.experimentIds),
        lifecycle: args.lifecycle,
      }) as { n: number } | undefined;
      return row?.n ?? 0;
    },

    latestMetrics: db.prepare<[{ run_pks: string; keys: string }], MetricCellRow>(
      `SELECT lm.run_pk, mk.key, lm.value, lm.is_nan
       FROM latest_metrics lm JOIN metric_keys mk ON mk.key_id = lm.key_id
       WHERE lm.run_pk IN (SELECT value FROM json_each(@run_pks))
         AND lm.key_id IN (SELECT key_id FROM metric_keys WHERE key IN (SELECT value FROM json_each(@keys)))`,
    ),
    params: db.prepare<[{ run_pks: string; keys: string }], CellRow>(
      `SELECT run_pk, key, value FROM params
       WHERE run_pk IN (SELECT value FROM json_each(@run_pks)) AND key IN (SELECT value FROM json_each(@keys))`,
    ),
    tags: db.prepare<[{ run_pks: string; keys: string }], CellRow>(
      `SELECT run_pk, key, value FROM tags
       WHERE run_pk IN (SELECT value FROM json_each(@run_pks)) AND key IN (SELECT value FROM json_each(@keys))`,
    ),

    /** The sorted window of runs; one prepared statement per sort shape, cached. */
    runsWindow(args: RunsWindowArgs): UiRunRow[] {
      const single = args.experimentIds.length === 1;
      const restrict = args.restrict ?? null;
      let stmt: Database.Statement<unknown[], UiRunRow>;
      if (restrict) {
        // Filter SQL varies with the filter text: cached by text, not by shape.
        stmt = cachedStatement(db, windowSql(args.sort, single, restrict.sql)).pluck(false) as Database.Statement<
          unknown[],
          UiRunRow
        >;
      } else {
        const key = shapeKey(args.sort, single);
        let cached = windowCache.get(key);
        if (!cached) {
          cached = db.prepare<[Record<string, unknown>], UiRunRow>(windowSql(args.sort, single));
          windowCache.set(key, cached);
        }
        stmt = cached as Database.Statement<unknown[], UiRunRow>;
      }
      const bound: Record<string, unknown> = {
        lifecycle: args.lifecycle,
        limit: args.limit,
        offset: args.offset,
      };
      if (single) bound.experiment_id = args.experimentIds[0];
      else bound.experiment_ids = JSON.stringify(args.experimentIds);
      args.sort.forEach((t, i) => {
        if (t.kind !== 'attribute') bound[`k${i}`] = t.key;
      });
      return stmt.all(...(restrict?.params ?? []), bound);
    },

    /** Runs several reads against one snapshot of the database. */
    snapshot<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
  };
  return statements;
}

export type UiQueryStatements = ReturnType<typeof uiQueryStatements>;
