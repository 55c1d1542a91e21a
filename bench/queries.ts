/**
 * bench/queries — the two read queries of the product promise, over real HTTP against a Runlens
 * server in its own process (`runlens serve`), each beside floors measured in the same run:
 *
 *   1. POST /api/2.0/mlflow/runs/search over 100,000 runs × 50 params × 50 metrics: a metric range
 *      filter + a param equality, sorted by another metric, max_results 100 (full runs returned).
 *      Floors: the store call behind it (`searchRuns`, no run assembly, no HTTP) and the same search
 *      as one plain SQL statement left to SQLite's planner (MLflow's query shape).
 *   2. GET /api/2.0/mlflow/metrics/get-history-bulk-interval on runs whose metric has 1,000,000
 *      points, max_results 1000 (MLflow's sampling: evenly spaced steps + first/last): one dense
 *      run, two overlapping dense runs, a run with gaps, dense + gaps, and a dense run whose shape
 *      is unknown (written before migration 006).
 *      Floors: the store call in this process (no HTTP) and reading the whole series once in SQL
 *      (what any approach that loads the history pays; MLflow's store loads it in Python).
 *   Also: a trivial GET over the same keep-alive connection (the HTTP round-trip floor).
 *
 *   npm run bench:queries    (builds the app first; options: --runs 100000 --repeat 21 --rebuild
 *                            --prof DIR: CPU profile of the server)
 *
 * The store (≈ 0.5 GB, ~40 s to build) is built once into a cache directory under the OS temp
 * dir and reused. Figures only, no assertions. Reference figures of `mlflow server` 3.5.1 (sqlite) on this
 * machine: search_runs 22.6 s, sampled 1M-point history 23.6 s.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { buildRunSearchSql, searchRuns, type SearchRunsQuery } from '../src-main/store/search-runs';
import { parseFilter } from '../src-main/search/filter-parser';
import { resolveRunFilter, resolveRunOrderBy } from '../src-main/search/resolve';
import { buildSearchStore, EXPERIMENT, SMALL_RUNS } from './search-store';
import { startServe } from './serve-process';

const argv = process.argv.slice(2);
const num = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const RUNS = num('runs', 100_000);
const REPEAT = num('repeat', 21);
const POINTS = 1_000_000;
const HISTORY_EXPERIMENT = 3;
const DENSE_RUN = '00000000000000000000000000d1e5e0';
const SPARSE_RUN = '000000000000000000000000005ba75e';
const DENSE2_RUN = '00000000000000000000000000d1e5e2';
const LEGACY_RUN = '000000000000000000000000001e9ac7';
const ROOT = resolve(__dirname, '..', '..');
const CACHE = join(tmpdir(), `runlens-bench-queries-${RUNS}-v1`);

const FILTER = "metrics.m1 > 0.5 and params.p3 = 'x1'";
const ORDER_BY = ['metrics.m2 DESC'];

const log = (s: string): void => void process.stdout.write(s + '\n');

/**
 * Runs with a 1,000,000-point metric `loss`: `first` + i × `stride` for i < POINTS. `distinct` is
 * what the writers record in latest_metrics.steps_distinct (migration 006): 1 as log-batch or an
 * import of a training loop's series leaves it, NULL for a series written before that column
 * (sampled by listing its steps).
 */
const HISTORIES = [
  { uuid: DENSE_RUN, first: 0, stride: 1, distinct: 1 },
  { uuid: SPARSE_RUN, first: 0, stride: 2, distinct: 1 },
  { uuid: DENSE2_RUN, first: 500_000, stride: 1, distinct: 1 },
  { uuid: LEGACY_RUN, first: 0, stride: 1, distinct: null },
] as const;

/** Adds the history runs a cached store lacks (earlier versions of this bench had two) and sets their marks. */
function ensureHistories(db: Db): void {
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
             VALUES (${HISTORY_EXPERIMENT}, 'history', 'mlflow-artifacts:/${HISTORY_EXPERIMENT}', 'active', 3, 3)`);
    db.prepare('INSERT OR IGNORE INTO metric_keys (key) VALUES (?)').run('loss');
  })();
  const keyId = db.prepare("SELECT key_id FROM metric_keys WHERE key = 'loss'").pluck().get() as number;
  for (const h of HISTORIES) {
    let pk = db.prepare('SELECT run_pk FROM runs WHERE run_uuid = ?').pluck().get(h.uuid) as number | undefined;
    if (pk === undefined) {
      const t0 = Date.now();
      db.transaction(() => {
        pk = Number(
          db
            .prepare(
              `INSERT INTO runs (run_uuid, experiment_id, name, status, start_time, end_time, artifact_uri)
               VALUES (?, ${HISTORY_EXPERIMENT}, ?, 'FINISHED', 1700000000000, 1700001000000, ?)`,
            )
            .run(
              h.uuid,
              `history-${h.first}-${h.stride}`,
              `mlflow-artifacts:/${HISTORY_EXPERIMENT}/${h.uuid}/artifacts`,
            ).lastInsertRowid,
        );
        db.exec(`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${POINTS - 1})
          INSERT INTO metrics (run_pk, key_id, step, timestamp, value, is_nan)
          SELECT ${pk}, ${keyId}, ${h.first} + i * ${h.stride}, 1700000000000 + i, exp(-i / 200000.0) + ((i * 7919) % 1000) / 100000.0, 0 FROM s`);
        db.exec(`INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan, min_value, max_value, point_count)
          SELECT run_pk, key_id, step, timestamp, value, is_nan,
                 (SELECT min(value) FROM metrics WHERE run_pk = ${pk} AND key_id = ${keyId}),
                 (SELECT max(value) FROM metrics WHERE run_pk = ${pk} AND key_id = ${keyId}), ${POINTS}
          FROM metrics WHERE run_pk = ${pk} AND key_id = ${keyId} ORDER BY step DESC, timestamp DESC, value DESC LIMIT 1`);
      })();
      log(`  history run ${h.uuid}: ${POINTS.toLocaleString()} points in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    db.prepare('UPDATE latest_metrics SET steps_distinct = ? WHERE run_pk = ? AND key_id = ?').run(
      h.distinct,
      pk,
      keyId,
    );
  }
}

function ensureStore(): string {
  const dataDir = join(CACHE, 'data');
  if (existsSync(join(CACHE, 'complete')) && !argv.includes('--rebuild')) {
    log(`store: reusing ${dataDir}`);
    return dataDir;
  }
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  log(`store: building ${RUNS.toLocaleString()} runs in ${dataDir} …`);
  const db = openDatabase(join(dataDir, 'runlens.db'));
  new TrackingStore(db); // the Default experiment, as the app creates it
  buildSearchStore(db, RUNS);
  // No ANALYZE: the app never runs it, so a user's store has no sqlite_stat1 (and with it SQLite
  // picks other plans for the search statements: ~6× slower on this store).
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  writeFileSync(join(CACHE, 'complete'), new Date().toISOString());
  return dataDir;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request over the keep-alive connection; resolves with status and body once fully read. */
function http(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((res, rej) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        agent,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {},
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => res({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', rej);
    req.end(payload);
  });
}

interface Timing {
  first: number;
  median: number;
  min: number;
}

/** The first (cold) call, then median and minimum of REPEAT further calls. */
async function timed(fn: () => unknown): Promise<Timing> {
  const once = async (): Promise<number> => {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const first = await once();
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return { first, median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

async function main(): Promise<void> {
  const dataDir = ensureStore();
  const dbFile = join(dataDir, 'runlens.db');
  // Pending migrations and missing history runs, before the server and the read-only connection.
  const setup = openDatabase(dbFile);
  ensureHistories(setup);
  setup.pragma('wal_checkpoint(TRUNCATE)');
  setup.close();
  const { url: base, child } = await startServe(join(ROOT, 'bin', 'runlens.js'), dataDir);
  const db = openDatabase(dbFile, { readonly: true });
  try {
    const ok = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> => {
      const r = await http(base, method, path, body);
      if (r.status !== 200) throw new Error(`${method} ${path} → ${r.status}: ${r.text.slice(0, 300)}`);
      return r.text;
    };
    const searchBody = { experiment_ids: [String(EXPERIMENT)], filter: FILTER, order_by: ORDER_BY, max_results: 100 };
    const historyPath = (runIds: string[]): string =>
      `/api/2.0/mlflow/metrics/get-history-bulk-interval?${runIds.map((r) => `run_ids=${r}`).join('&')}&metric_key=loss&max_results=1000`;

    // Sanity: the answers have the expected shape (and the sizes are printed with the figures).
    const searched = JSON.parse(await ok('POST', '/api/2.0/mlflow/runs/search', searchBody)) as {
      runs: { data: { metrics: unknown[]; params: unknown[] } }[];
    };
    // The history requests measured (all max_results=1000 over 1,000,000-point series).
    const historyCases = [
      { label: 'dense run (1 point/step)', runs: [DENSE_RUN], target: '   target < 30 ms' },
      {
        label: 'two dense runs (steps 0…999,999 and 500,000…1,499,999)',
        runs: [DENSE_RUN, DENSE2_RUN],
        target: '   target < 30 ms',
      },
      { label: 'run with gaps (every other step)', runs: [SPARSE_RUN], target: '' },
      { label: 'dense run + run with gaps', runs: [DENSE_RUN, SPARSE_RUN], target: '' },
      { label: 'dense run written before migration 006 (unknown shape)', runs: [LEGACY_RUN], target: '' },
    ];
    const sizes: number[] = [];
    for (const c of historyCases)
      sizes.push((JSON.parse(await ok('GET', historyPath(c.runs))) as { metrics?: unknown[] }).metrics?.length ?? 0);

    const rtt = await timed(() => ok('GET', '/api/2.0/mlflow/experiments/get?experiment_id=1'));
    const restSearch = await timed(() => ok('POST', '/api/2.0/mlflow/runs/search', searchBody));
    const restHistory: Timing[] = [];
    for (const c of historyCases) restHistory.push(await timed(() => ok('GET', historyPath(c.runs))));

    // Floors, in this process on a read-only connection (the server keeps running, idle).
    const q: SearchRunsQuery = {
      experimentIds: [String(EXPERIMENT)],
      filter: FILTER,
      runViewType: 'ACTIVE_ONLY',
      maxResults: 100,
      orderBy: ORDER_BY,
      pageToken: null,
    };
    const storeSearch = await timed(() => searchRuns(db, q));
    const plainSql = buildRunSearchSql(db, {
      experimentIds: [EXPERIMENT],
      stage: 'active',
      predicates: resolveRunFilter(parseFilter(FILTER)),
      orderBy: resolveRunOrderBy(ORDER_BY),
      offset: 0,
      limit: 100,
    });
    const plainStmt = db.prepare(plainSql.sql).pluck();
    const plain = await timed(() => plainStmt.all(...plainSql.params));
    // TrackingStore wants a writable connection (it ensures the Default experiment); it only reads here.
    const wdb = openDatabase(dbFile);
    const store = new TrackingStore(wdb);
    const storeHistory: Timing[] = [];
    for (const c of historyCases) {
      storeHistory.push(await timed(() => store.getMetricHistoryBulkInterval(c.runs, 'loss', 1000, null, null)));
    }
    const pk = store.runRow(DENSE_RUN).run_pk;
    const keyId = store.metricKeyId('loss')!;
    const readAll = db
      .prepare('SELECT step, timestamp, value, is_nan FROM metrics WHERE run_pk = ? AND key_id = ?')
      .raw();
    const scan = await timed(() => readAll.all(pk, keyId).length);
    wdb.close();

    const f = (t: Timing): string => `${t.median.toFixed(2)} (${t.min.toFixed(2)})`;
    const load = loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    log(
      `\nbench/queries — ${RUNS.toLocaleString()} runs × 50 params × 50 metrics (+${SMALL_RUNS} in a 2nd experiment); ` +
        `ms: median (min) of ${REPEAT} after one cold call; load average ${load} on ${cpus().length} cores\n`,
    );
    const row = (label: string, t: Timing, note = ''): void =>
      log(`  ${label.padEnd(66)} ${f(t).padStart(18)}   first ${t.first.toFixed(1).padStart(7)}${note}`);
    row('HTTP round trip floor: GET experiments/get (tiny body)', rtt);
    log('');
    log(`  runs/search  filter ${FILTER}  order_by ${ORDER_BY[0]}  max_results 100`);
    row(`  REST POST runs/search (${searched.runs.length} full runs)`, restSearch, '   target < 30 ms');
    row('  floor: store searchRuns (ids only, no HTTP)', storeSearch);
    row('  floor: same search as one plain SQL statement', plain);
    log('    reference: mlflow server 3.5.1 (sqlite, this machine) 22,600 ms');
    log('');
    log(`  get-history-bulk-interval  metric_key=loss max_results=1000, ${POINTS.toLocaleString()}-point series`);
    historyCases.forEach((c, i) => row(`  REST, ${c.label} → ${sizes[i]} points`, restHistory[i]!, c.target));
    historyCases.forEach((c, i) => row(`  floor: store call (no HTTP), ${c.label}`, storeHistory[i]!));
    row(`  floor: read the whole series once in SQL (${POINTS.toLocaleString()} rows)`, scan);
    log('    reference: mlflow server 3.5.1 (sqlite, this machine) 23,600 ms');
  } finally {
    db.close();
    child.kill('SIGTERM');
    agent.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
