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
import { buildSearchStore, EXPERIMENT, SMALL_EXPERIMENT, SMALL_RUNS } from './search-store';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('runs') ?? 100_000);
const REPEAT = Number(arg('repeat') ?? 7);

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
      buildSearchStore(db, RUNS);
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
