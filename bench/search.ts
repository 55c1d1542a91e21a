/**
 * bench/search — MLflow run search over a large store: one experiment of 100,000 runs × 50 params
 * × 50 metrics (latest values; search never reads metric history) plus 3 tags each, and a small
 * second experiment of 500 runs sharing those keys; built with bulk SQL.
 *
 *   npm run bench:search                       (options: --runs 100000 --repeat 7 --db /path/keep.db)
 *
 * For each search prints the median time of `searchRuns` (the store call behind runs/search)
 * beside, measured in the same run: the same search as one plain SQL statement left to SQLite's
 * planner (the query shape MLflow's SQL store sends), and a `SELECT COUNT(*) FROM runs` scan.
 * Figures only, no assertions. With --db the store is kept and reused on the next run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../src-main/store/db';
import { buildRunSearchSql, searchRuns, type SearchRunsQuery } from '../src-main/store/search-runs';
import { parseFilter } from '../src-main/search/filter-parser';
import { resolveRunFilter, resolveRunOrderBy } from '../src-main/search/resolve';
import { createPageToken, parseStartOffset } from '../src-main/search/page-token';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('runs') ?? 100_000);
const REPEAT = Number(arg('repeat') ?? 7);
const PARAMS = 50;
const METRICS = 50;
const EXPERIMENT = 1;
const SMALL_EXPERIMENT = 2;
const SMALL_RUNS = 500;

/**
 * Deterministic pseudo-random in [0, 1) from two integers, in SQL: a multiplicative hash squared
 * modulo a prime, so values of different keys of one run are not correlated.
 */
const rnd = (a: string, b: string): string => {
  const h = `((${a} * 2654435761 + ${b} * 40503 + 12345) % 1000003)`;
  return `(((${h} * ${h} + ${b} * 7919) % 1000003) / 1000003.0)`;
};

function build(db: Db): void {
  const t0 = Date.now();
  // Secondary indexes are rebuilt after the bulk load: sorting once beats random inserts.
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('params', 'tags', 'latest_metrics')",
    )
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
             VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 0, 0), (${EXPERIMENT}, 'bench', 'mlflow-artifacts:/1', 'active', 1, 1),
                    (${SMALL_EXPERIMENT}, 'small', 'mlflow-artifacts:/2', 'active', 2, 2)`);
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${RUNS + SMALL_RUNS})
      INSERT INTO runs (run_pk, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
      SELECT i, lower(hex(randomblob(16))), CASE WHEN i <= ${RUNS} THEN ${EXPERIMENT} ELSE ${SMALL_EXPERIMENT} END,
             'run-' || i, 'user' || (i % 10),
             CASE WHEN i % 7 = 0 THEN 'FAILED' ELSE 'FINISHED' END,
             1700000000000 + (i / 3) * 1000, 1700000000000 + i * 1000 + 500,
             CASE WHEN i % 50 = 0 THEN 'deleted' ELSE 'active' END, 'mlflow-artifacts:/1/' || i || '/artifacts'
      FROM s`);
    db.exec(`WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${METRICS - 1})
      INSERT OR IGNORE INTO metric_keys (key) SELECT 'm' || j FROM k`);
    db.exec(`WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${PARAMS - 1})
      INSERT INTO params (run_pk, key, value)
      SELECT r.run_pk, 'p' || k.j,
             CASE WHEN k.j = 3 THEN 'x' || CAST(${rnd('r.run_pk', 'k.j')} * 12 AS INTEGER)
                  ELSE CAST(CAST(${rnd('r.run_pk', 'k.j')} * 1000 AS INTEGER) AS TEXT) END
      FROM runs r, k`);
    // A few NaN and missing values so the NaN/missing segments of metric sorts are exercised.
    db.exec(`INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan, min_value, max_value)
      SELECT r.run_pk, mk.key_id, 10, 1700000000000,
             CASE WHEN r.run_pk % 997 = 0 THEN 0 ELSE ${rnd('r.run_pk', 'mk.key_id + 100')} END,
             CASE WHEN r.run_pk % 997 = 0 THEN 1 ELSE 0 END, NULL, NULL
      FROM runs r, metric_keys mk WHERE mk.key LIKE 'm%' AND (r.run_pk % 1009 != 0 OR mk.key_id % 2 = 0)`);
    db.exec(`INSERT INTO tags (run_pk, key, value) SELECT run_pk, 'mlflow.runName', name FROM runs`);
    db.exec(`INSERT INTO tags (run_pk, key, value) SELECT run_pk, 'mlflow.user', user_id FROM runs`);
    db.exec(`INSERT INTO tags (run_pk, key, value) SELECT run_pk, 'team', 'team' || (run_pk % 20) FROM runs`);
  })();
  for (const ix of indexes) db.exec(ix.sql);
  console.log(
    `built ${RUNS} + ${SMALL_RUNS} runs × ${PARAMS} params × ${METRICS} metrics in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/** Median and minimum of REPEAT timed calls, after one warm-up call (page and statement caches). */
function timed(fn: () => unknown): { median: number; min: number } {
  fn();
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

function query(
  filter: string,
  orderBy: string[] = [],
  maxResults = 100,
  pageToken: string | null = null,
  experimentId = EXPERIMENT,
): SearchRunsQuery {
  return { experimentIds: [String(experimentId)], filter, runViewType: 'ACTIVE_ONLY', maxResults, orderBy, pageToken };
}

/** The same search as one statement with SQLite's own plan (MLflow's query shape). */
function plain(db: Db, q: SearchRunsQuery): number[] {
  const sql = buildRunSearchSql(db, {
    experimentIds: q.experimentIds.map(Number),
    stage: 'active',
    predicates: resolveRunFilter(parseFilter(q.filter)),
    orderBy: resolveRunOrderBy(q.orderBy),
    offset: parseStartOffset(q.pageToken),
    limit: q.maxResults,
  });
  return db
    .prepare(sql.sql)
    .pluck()
    .all(...sql.params) as number[];
}

function main(): void {
  const keep = arg('db');
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'runlens-bench-search-'));
  const file = keep ?? join(dir!, 'bench.db');
  const fresh = !existsSync(file);
  const db = openDatabase(file);
  try {
    const have = (db.prepare('SELECT count(*) FROM runs').pluck().get() as number) ?? 0;
    if (fresh || have !== RUNS + SMALL_RUNS) {
      if (have) throw new Error(`${file} holds ${have} runs, not ${RUNS + SMALL_RUNS}; pick another --db`);
      build(db);
    }
    const countScan = timed(() => db.prepare('SELECT COUNT(*) FROM runs').pluck().get());
    const paged = (): SearchRunsQuery => {
      const q = query("metrics.m1 > 0.5 and params.p3 = 'x1'", ['metrics.m2 DESC']);
      const p1 = searchRuns(db, q);
      const p2 = searchRuns(db, { ...q, pageToken: p1.nextPageToken });
      return { ...q, pageToken: p2.nextPageToken };
    };
    const cases: [string, SearchRunsQuery][] = [
      [
        "filtered + metric-sorted: metrics.m1 > 0.5 and params.p3 = 'x1' / metrics.m2 DESC",
        query("metrics.m1 > 0.5 and params.p3 = 'x1'", ['metrics.m2 DESC']),
      ],
      ['page 3 of the above (token from page 2)', paged()],
      ["tag filter: tags.team = 'team3'", query("tags.team = 'team3'")],
      ["run name LIKE: attributes.run_name LIKE 'run-12%'", query("attributes.run_name LIKE 'run-12%'")],
      ["run name ILIKE: run_name ILIKE '%-4242%'", query("run_name ILIKE '%-4242%'")],
      ['no filter, default order (start_time DESC)', query('')],
      [
        "selective: metrics.m5 > 0.999 and params.p3 = 'x1' / metrics.m2",
        query("metrics.m5 > 0.999 and params.p3 = 'x1'", ['metrics.m2']),
      ],
      ['sorted by a param: params.p7 ASC, metrics.m3 DESC', query('', ['params.p7 ASC', 'metrics.m3 DESC'])],
      ['metric sort ASC, max_results 1000: metrics.m9', query('', ['metrics.m9'], 1000)],
      ["status filter + start_time ASC: status = 'FAILED'", query("status = 'FAILED'", ['attributes.start_time ASC'])],
      ['sorted by an attribute: attributes.end_time DESC', query('', ['attributes.end_time DESC'])],
      ["run name sort with a filter: params.p3 = 'x1' / run_name", query("params.p3 = 'x1'", ['run_name'])],
      [
        '500-run experiment beside the big one: metrics.m2 DESC',
        query('', ['metrics.m2 DESC'], 100, null, SMALL_EXPERIMENT),
      ],
      ['page 100 (offset 9,900): metrics.m4 DESC', query('', ['metrics.m4 DESC'], 100, createPageToken(9900))],
    ];
    const load = loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    const fmt = (t: { median: number; min: number }): string => `${t.median.toFixed(2)} (${t.min.toFixed(2)})`;
    console.log(`\nms: median (min) of ${REPEAT}; load average ${load} on ${cpus().length} cores`);
    console.log(`baseline SELECT COUNT(*) FROM runs: ${fmt(countScan)}\n`);
    console.log(`${'search'.padEnd(82)} ${'runlens'.padStart(16)} ${'plain SQL'.padStart(18)}  rows`);
    for (const [name, q] of cases) {
      const rows = searchRuns(db, q).runPks;
      const naive = plain(db, q);
      const same = naive.length === rows.length && naive.every((pk, i) => pk === rows[i]);
      const ours = timed(() => searchRuns(db, q));
      const base = timed(() => plain(db, q));
      const note = same ? '' : '  (RESULTS DIFFER)';
      console.log(`${name.padEnd(82)} ${fmt(ours).padStart(16)} ${fmt(base).padStart(18)}  ${rows.length}${note}`);
    }
  } finally {
    db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main();
