import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithImportsPaused, setImportWorkerFile, startImport } from '../src-main/importers/import-job';
import type { ImportProgress, ImportReport } from '../src-main/importers/import-types';
import { openDatabase } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { generateMlruns } from '../bench/mlruns-generator';
import { startTestApp, type TestApp } from './helpers';
import { MLFLOW_DB, MLRUNS, buildImportWorker, count } from './import-helpers';

let workerFile: string;
let bigTree: string;
const BIG = { runs: 60, metrics: 10, steps: 1000 }; // 600k points: long enough to cancel midway

beforeAll(() => {
  workerFile = buildImportWorker();
  setImportWorkerFile(workerFile);
  bigTree = mkdtempSync(join(tmpdir(), 'runlens-big-'));
  generateMlruns(bigTree, BIG);
});
afterAll(() => {
  setImportWorkerFile(null);
  rmSync(bigTree, { recursive: true, force: true });
});

async function waitDone(app: TestApp, id: string): Promise<any> {
  for (;;) {
    const r = await app.api('GET', '/runlens/imports/get', { import_id: id });
    expect(r.status).toBe(200);
    if (r.body.status !== 'running') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('startImport in a worker thread', () => {
  it('imports the fixtures with progress events and a stored report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlens-wk-'));
    const db = openDatabase(join(dir, 'runlens.db'));
    new TrackingStore(db);
    try {
      const job = startImport({ paths: [MLRUNS, MLFLOW_DB], dbPath: join(dir, 'runlens.db') });
      const seen: ImportProgress[] = [];
      job.onProgress((p) => seen.push(p));
      const report = await job.done;
      expect(report.status).toBe('completed');
      expect(report.issues).toEqual([]);
      expect(report.counts.runsCreated).toBe(44);
      expect(seen.some((p) => p.phase === 'runs')).toBe(true);
      expect(seen.at(-1)!.phase).toBe('done');
      const last = seen.at(-1)!;
      expect(last.runsDone).toBe(44);
      expect(last.metricPointsDone).toBe(100455 + 100451);
      expect(count(db, 'SELECT COUNT(*) FROM runs')).toBe(44);
      const stored = JSON.parse(
        db.prepare('SELECT report_json FROM import_reports WHERE report_id = ?').pluck().get(job.id) as string,
      ) as ImportReport;
      expect(stored.status).toBe('completed');
      expect(stored.counts).toEqual(report.counts);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets main-thread store writes through while importing (runWithImportsPaused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlens-wk-'));
    const db = openDatabase(join(dir, 'runlens.db'));
    const tracking = new TrackingStore(db);
    try {
      const run = tracking.createRun({ experimentId: '0', userId: 'u', startTime: 0, tags: [], runName: 'live' });
      const job = startImport({ paths: [bigTree], dbPath: join(dir, 'runlens.db') });
      let logged = 0;
      let worst = 0;
      while (!job.report) {
        const t = performance.now();
        runWithImportsPaused(() =>
          tracking.logMetric(run.info.run_id, { key: 'live', value: logged, timestamp: Date.now(), step: logged }),
        );
        worst = Math.max(worst, performance.now() - t);
        logged++;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect((await job.done).status).toBe('completed');
      expect(logged).toBeGreaterThan(0);
      expect(tracking.getMetricHistory(run.info.run_id, 'live')).toHaveLength(logged);
      expect(count(db, 'SELECT COUNT(*) FROM metrics')).toBe(logged + BIG.runs * BIG.metrics * BIG.steps);
      console.log(`${logged} main-thread writes during the import, worst ${worst.toFixed(0)} ms`);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing worker file as a failed import instead of throwing', async () => {
    setImportWorkerFile('/nonexistent/import-worker.js');
    try {
      const report = await startImport({ paths: [MLRUNS], dbPath: '/nonexistent/runlens.db' }).done;
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(/worker not found/);
    } finally {
      setImportWorkerFile(workerFile);
    }
  });
});

describe('import routes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app.close());

  it('start, get, report and list an import of the fixture folder', async () => {
    const start = await app.api('POST', '/runlens/imports/start', { paths: [MLRUNS] });
    expect(start.status).toBe(200);
    const id = start.body.import_id as string;
    const done = await waitDone(app, id);
    expect(done.status).toBe('completed');
    expect(done.report.counts.runsCreated).toBe(22);
    const report = await app.api('GET', '/runlens/imports/report', { import_id: id });
    expect(report.body.report.id).toBe(id);
    const list = await app.api('GET', '/runlens/imports/list');
    expect(list.body.imports.some((i: { import_id: string }) => i.import_id === id)).toBe(true);
    // The imported runs are visible through the MLflow API.
    const search = await app.api('POST', '/mlflow/runs/search', { experiment_ids: ['0'], run_view_type: 'ALL' });
    expect(search.status).toBe(200);
    const exps = await app.api('POST', '/mlflow/experiments/search', { max_results: 100, view_type: 'ALL' });
    expect(exps.body.experiments.map((e: { name: string }) => e.name).sort()).toEqual(
      ['Default', 'iris-classification', 'long-training', 'nlp-sentiment', 'old-experiment'].sort(),
    );
    // Also served under /ajax-api (the UI's prefix).
    const ajax = await fetch(`${app.url}/ajax-api/2.0/runlens/imports/get?import_id=${id}`);
    expect(ajax.status).toBe(200);
  });

  it('validates requests like the rest of the API', async () => {
    expect((await app.api('POST', '/runlens/imports/start', {})).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await app.api('POST', '/runlens/imports/start', { paths: ['relative/dir'] })).status).toBe(400);
    const unknown = await app.api('GET', '/runlens/imports/get', { import_id: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await app.api('POST', '/runlens/imports/cancel', { import_id: 'nope' })).status).toBe(404);
  });

  it('reports a path that is not an mlruns folder or a .db without failing', async () => {
    const start = await app.api('POST', '/runlens/imports/start', { paths: ['/nonexistent/mlruns'] });
    const done = await waitDone(app, start.body.import_id);
    expect(done.status).toBe('completed');
    expect(done.report.issues[0]).toMatchObject({ path: '/nonexistent/mlruns' });
  });

  it('streams progress as server-sent events', async () => {
    const start = await app.api('POST', '/runlens/imports/start', { paths: [MLFLOW_DB] });
    const res = await fetch(`${app.url}/ajax-api/2.0/runlens/imports/events?import_id=${start.body.import_id}`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/^event: progress\ndata: \{/m);
    expect(text.match(/^event: progress$/gm)!.length).toBeGreaterThan(1);
    const done = /event: done\ndata: (.*)\n/.exec(text);
    expect(JSON.parse(done![1]!).status).toBe('completed');
  });

  it('keeps the REST port writable during a long import, and cancel stops it', async () => {
    const start = await app.api('POST', '/runlens/imports/start', { paths: [bigTree] });
    const id = start.body.import_id as string;
    // While the worker writes, REST writes go through (they overtake the import between commits).
    const exp = await app.api('POST', '/mlflow/experiments/create', { name: 'during-import' });
    expect(exp.status).toBe(200);
    const run = await app.api('POST', '/mlflow/runs/create', { experiment_id: exp.body.experiment_id });
    expect(run.status).toBe(200);
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await app.api('POST', '/mlflow/runs/log-metric', {
        run_id: run.body.run.info.run_id,
        key: 'live',
        value: i,
        timestamp: Date.now(),
        step: i,
      });
      worst = Math.max(worst, performance.now() - t);
      expect(r.status).toBe(200);
    }
    console.log(`worst REST write latency during import: ${worst.toFixed(0)} ms`);
    expect((await app.api('POST', '/runlens/imports/cancel', { import_id: id })).status).toBe(200);
    const done = await waitDone(app, id);
    expect(['cancelled', 'completed']).toContain(done.status);
    const history = await app.api('GET', '/mlflow/metrics/get-history', {
      run_id: run.body.run.info.run_id,
      metric_key: 'live',
    });
    expect(history.body.metrics).toHaveLength(20);
  });
});

describe('cancel and re-run', () => {
  it('leaves a consistent store that a re-run completes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlens-cancel-'));
    const dbPath = join(dir, 'runlens.db');
    const db = openDatabase(dbPath);
    new TrackingStore(db);
    try {
      const job = startImport({ paths: [bigTree], dbPath });
      job.onProgress((p) => {
        if (p.runsDone >= 5) job.cancel();
      });
      const first = await job.done;
      expect(first.status).toBe('cancelled');
      const partial = count(db, 'SELECT COUNT(*) FROM runs');
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(BIG.runs);
      // Every stored series has consistent latest/min/max (no half-written latest rows).
      expect(
        count(
          db,
          `SELECT COUNT(*) FROM latest_metrics l WHERE l.step > (SELECT MAX(step) FROM metrics m WHERE m.run_pk = l.run_pk AND m.key_id = l.key_id)`,
        ),
      ).toBe(0);
      const second = await startImport({ paths: [bigTree], dbPath }).done;
      expect(second.status).toBe('completed');
      expect(count(db, 'SELECT COUNT(*) FROM runs')).toBe(BIG.runs);
      expect(count(db, 'SELECT COUNT(*) FROM metrics')).toBe(BIG.runs * BIG.metrics * BIG.steps);
      expect(count(db, 'SELECT COUNT(*) FROM latest_metrics')).toBe(BIG.runs * BIG.metrics);
      expect(count(db, 'SELECT COUNT(*) FROM latest_metrics WHERE step <> ?', BIG.steps - 1)).toBe(0);
      expect(second.counts.runsCreated + second.counts.runsUpdated + second.counts.runsUnchanged).toBe(BIG.runs);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
