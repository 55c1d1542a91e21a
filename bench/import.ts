/**
 * Import benchmark: generates an MLflow FileStore tree (default 1,000 runs x 20 metrics x 500 steps
 * = 10M metric points, plus params and tags, in the exact on-disk format of MLflow's FileStore),
 * imports it into a fresh Runlens store and prints points/s beside two baselines measured in the
 * same run on the same machine:
 *   - read+parse: the same reader over the same files, nothing inserted (the I/O + parsing floor),
 *   - raw inserts: the same number of points bound into the same multi-row INSERT in large
 *     transactions, nothing read (the SQLite floor for our metrics table).
 *
 * Build & run:
 *   node_modules/.bin/esbuild bench/import.ts --bundle --platform=node --external:better-sqlite3 \
 *     --outfile=out/bench/import.js && node out/bench/import.js [--runs N] [--metrics N] [--steps N] [--fresh]
 * (`npm run bench:import`). The generated tree is cached in bench/.data/ (git-ignored).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { importStatements, POINT_ROWS } from '../src-main/store/import-writer';
import { readMlruns } from '../src-main/importers/mlruns-reader';
import { runImportInProcess, setImportWorkerFile, startImport } from '../src-main/importers/import-job';
import { generateMlruns } from './mlruns-generator';

interface Args {
  runs: number;
  metrics: number;
  steps: number;
  fresh: boolean;
  worker: boolean;
  only: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 1000, metrics: 20, steps: 500, fresh: false, worker: true, only: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--metrics') a.metrics = Number(argv[++i]);
    else if (k === '--steps') a.steps = Number(argv[++i]);
    else if (k === '--fresh') a.fresh = true;
    else if (k === '--no-worker') a.worker = false;
    else if (k === '--only') a.only = argv[++i] ?? null; // parse | raw | import (profiling)
  }
  return a;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(0)} MB`;

/** Wall time and CPU time of the whole process (all threads: the reader thread counts too). */
function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(c);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, value };
}

/** Samples heap/RSS while `fn` runs in this thread (called from the engine's progress hook). */
class MemorySampler {
  peakHeap = 0;
  peakRss = 0;
  sample(): void {
    const m = process.memoryUsage();
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
    this.peakRss = Math.max(this.peakRss, m.rss);
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const expected = a.runs * a.metrics * a.steps;
  const dataRoot = resolve(process.env.RUNLENS_BENCH_DATA ?? join(process.cwd(), 'bench', '.data'));
  const root = join(dataRoot, `mlruns-${a.runs}x${a.metrics}x${a.steps}`);
  if (a.fresh || !existsSync(join(root, '.complete'))) {
    rmSync(root, { recursive: true, force: true });
    const g = time(() => generateMlruns(root, a));
    console.log(`generated ${root} in ${(g.ms / 1000).toFixed(1)} s`);
  } else console.log(`reusing ${root}`);
  console.log(`${fmt(a.runs)} runs x ${a.metrics} metrics x ${a.steps} steps = ${fmt(expected)} points\n`);

  // Baseline 1: read + parse only (same reader, items dropped).
  const parse = time(() => {
    let points = 0;
    for (const item of readMlruns(root)) if (item.kind === 'points') points += item.points.n;
    return points;
  });

  // Baseline 2: raw batched inserts of the same number of points (same statement, 1 txn / 100k).
  const rawDir = mkdtempSync(join(tmpdir(), 'runlens-bench-raw-'));
  const raw = (() => {
    const db = openDatabase(join(rawDir, 'runlens.db'));
    new TrackingStore(db);
    const s = importStatements(db);
    db.exec(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${a.runs})
       INSERT INTO runs (run_uuid, experiment_id, artifact_uri) SELECT printf('%032x', i), 0, '' FROM n`,
    );
    for (let k = 0; k < a.metrics; k++) s.insertMetricKey.run(`k${k}`);
    const args = new Array<number>(POINT_ROWS * 6);
    const r = time(() => {
      let inTxn = 0;
      s.begin.run();
      for (let run = 1; run <= a.runs; run++) {
        for (let k = 1; k <= a.metrics; k++) {
          for (let st = 0; st + POINT_ROWS <= a.steps; st += POINT_ROWS) {
            for (let j = 0, o = 0; j < POINT_ROWS; j++, o += 6) {
              args[o] = run;
              args[o + 1] = k;
              args[o + 2] = st + j;
              args[o + 3] = 1735689600000 + (st + j) * 100;
              args[o + 4] = Math.exp(-(st + j) / 200);
              args[o + 5] = 0;
            }
            s.insertPoints.run(args);
          }
          for (let st = a.steps - (a.steps % POINT_ROWS); st < a.steps; st++) {
            s.insertPoint.run(run, k, st, 1735689600000 + st * 100, Math.exp(-st / 200), 0);
          }
          inTxn += a.steps;
          if (inTxn >= 100_000) {
            s.commit.run();
            s.begin.run();
            inTxn = 0;
          }
        }
      }
      s.commit.run();
    });
    db.close();
    return r;
  })();
  rmSync(rawDir, { recursive: true, force: true });

  // The import, in-process (what the worker runs), into a fresh store.
  const storeDir = mkdtempSync(join(tmpdir(), 'runlens-bench-store-'));
  const db = openDatabase(join(storeDir, 'runlens.db'));
  new TrackingStore(db);
  const mem = new MemorySampler();
  const workerFile = join(__dirname, 'import-worker.js');
  const readerWorkerFile = existsSync(workerFile) ? workerFile : undefined;
  const imp = time(() => runImportInProcess(db, { paths: [root], onProgress: () => mem.sample(), readerWorkerFile }));
  mem.sample();
  const stored = db.prepare('SELECT COUNT(*) FROM metrics').pluck().get() as number;
  db.close();
  rmSync(storeDir, { recursive: true, force: true });
  const report = imp.value;
  if (report.status !== 'completed' || report.issueCount || stored !== expected) {
    console.error(
      'import did not complete as expected',
      report.status,
      report.issueCount,
      report.issues.slice(0, 5),
      stored,
    );
    process.exitCode = 1;
  }

  // The worker variant (what the app runs), when the built worker is next to this bench.
  let workerMs: number | null = null;
  if (a.worker && existsSync(workerFile)) {
    setImportWorkerFile(workerFile);
    const dir = mkdtempSync(join(tmpdir(), 'runlens-bench-worker-'));
    const wdb = openDatabase(join(dir, 'runlens.db'));
    new TrackingStore(wdb);
    const t = performance.now();
    const job = startImport({ paths: [root], dbPath: join(dir, 'runlens.db') });
    const r = await job.done;
    workerMs = performance.now() - t;
    if (r.status !== 'completed') console.error('worker import failed', r.error);
    wdb.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const rate = (points: number, ms: number): string => `${fmt((points / ms) * 1000)} points/s`.padStart(19);
  const line = (label: string, points: number, ms: number, cpuMs: number | null): void =>
    console.log(
      `${label.padEnd(34)}${(ms / 1000).toFixed(2).padStart(7)} s ${rate(points, ms)}` +
        (cpuMs === null ? '' : `   cpu ${(cpuMs / 1000).toFixed(2).padStart(6)} s`),
    );
  console.log(`${''.padEnd(34)}   wall         throughput   (cpu: all threads)`);
  line('read+parse only (baseline)', parse.value, parse.ms, parse.cpuMs);
  line('raw batched inserts (baseline)', expected, raw.ms, raw.cpuMs);
  line(`import in-process${readerWorkerFile ? ' + reader thread' : ''}`, expected, imp.ms, imp.cpuMs);
  if (workerMs !== null) line('import via startImport (workers)', expected, workerMs, null);
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores (other processes share them)`,
  );
  console.log(`\npeak heap during import: ${mb(mem.peakHeap)}, peak RSS: ${mb(mem.peakRss)}`);
  console.log(
    `runs ${report.counts.runsCreated}, params ${report.counts.params}, tags ${report.counts.tags}, points ${fmt(stored)}`,
  );
  console.log(`target: >= 1,000,000 points/s -> ${(expected / imp.ms) * 1000 >= 1e6 ? 'met' : 'NOT met'} (in-process)`);
}

void main();
