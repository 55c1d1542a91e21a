import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportInProcess } from '../src-main/importers/import-job';
import type { ImportReport } from '../src-main/importers/import-types';
import { RegistryStore } from '../src-main/store/registry-store';
import { LoggedModelStore } from '../src-main/store/logged-model-store';
import {
  DB_ARTIFACTS,
  FIXTURES,
  MLFLOW_DB,
  MLRUNS,
  buildImportWorker,
  count,
  filesUnder,
  freshStore,
  hashTree,
  localPath,
  type TestStore,
} from './import-helpers';

/** Every count of tests/fixtures/README.md, checked against the store after an import. */
function checkReadmeCounts(t: TestStore, report: ImportReport, metricPointsInSource: number): void {
  const db = t.db;
  expect(report.status).toBe('completed');
  expect(report.issues).toEqual([]);
  expect(count(db, "SELECT COUNT(*) FROM experiments WHERE lifecycle_stage = 'active'")).toBe(4);
  expect(count(db, "SELECT COUNT(*) FROM experiments WHERE lifecycle_stage = 'deleted'")).toBe(1);
  expect(count(db, 'SELECT COUNT(*) FROM experiments')).toBe(5);
  expect(count(db, 'SELECT COUNT(*) FROM runs')).toBe(22);
  expect(count(db, "SELECT COUNT(*) FROM runs WHERE lifecycle_stage = 'active'")).toBe(19);
  expect(count(db, "SELECT COUNT(*) FROM runs WHERE lifecycle_stage = 'deleted'")).toBe(3);
  const statuses = Object.fromEntries(
    (db.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status').all() as { status: string; n: number }[]).map(
      (r) => [r.status, r.n],
    ),
  );
  expect(statuses).toEqual({ FAILED: 1, FINISHED: 19, KILLED: 1, RUNNING: 1 });
  expect(count(db, "SELECT COUNT(*) FROM tags WHERE key = 'mlflow.parentRunId'")).toBe(6);
  expect(count(db, 'SELECT COUNT(*) FROM params')).toBe(56);
  expect(count(db, 'SELECT COUNT(*) FROM tags')).toBe(101);
  // The FileStore keeps a point logged twice (same step, timestamp, value) as two lines; the
  // metrics primary key (like MLflow's SQL store) keeps it once: 4 such points in mlruns-small.
  expect(report.counts.metricPointsRead).toBe(metricPointsInSource);
  expect(count(db, 'SELECT COUNT(*) FROM metrics')).toBe(100451);
  expect(count(db, 'SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM metrics GROUP BY run_pk, key_id)')).toBe(100000);
  expect(count(db, 'SELECT COUNT(*) FROM datasets')).toBe(2);
  expect(count(db, 'SELECT COUNT(*) FROM run_dataset_inputs')).toBe(10);
  expect(count(db, 'SELECT COUNT(*) FROM logged_models')).toBe(2);
  expect(count(db, 'SELECT COUNT(*) FROM registered_models')).toBe(1);
  expect(count(db, 'SELECT COUNT(*) FROM model_versions')).toBe(2);
  expect(count(db, 'SELECT COUNT(*) FROM registered_model_aliases')).toBe(1);
  // Every series has its latest_metrics row.
  expect(count(db, 'SELECT COUNT(*) FROM latest_metrics')).toBe(
    count(db, 'SELECT COUNT(*) FROM (SELECT DISTINCT run_pk, key_id FROM metrics)'),
  );
  // ...whose point count is the series' number of stored points.
  expect(
    count(
      db,
      `SELECT COUNT(*) FROM latest_metrics l
       WHERE point_count != (SELECT COUNT(*) FROM metrics m WHERE m.run_pk = l.run_pk AND m.key_id = l.key_id)`,
    ),
  ).toBe(0);
}

function checkValues(t: TestStore): void {
  const tracking = t.tracking;
  const runId = t.db
    .prepare(
      "SELECT r.run_uuid FROM runs r JOIN tags g ON g.run_pk = r.run_pk AND g.key = 'mlflow.runName' WHERE g.value = 'edge-cases'",
    )
    .pluck()
    .get() as string | undefined;
  const edge =
    runId ??
    (t.db
      .prepare(
        "SELECT r.run_uuid FROM runs r JOIN latest_metrics l ON l.run_pk = r.run_pk JOIN metric_keys k ON k.key_id = l.key_id WHERE k.key = 'nan_metric'",
      )
      .pluck()
      .get() as string);
  const run = tracking.getRun(edge);
  const metric = (key: string) => run.data.metrics!.find((m) => m.key === key)!.value;
  expect(metric('nan_metric')).toBeNaN();
  expect(metric('inf_metric')).toBe(Infinity);
  expect(metric('neg_inf_metric')).toBe(-Infinity);
  expect(tracking.getMetricHistory(edge, 'inf_metric')[0]!.value).toBe(Infinity);
  expect(tracking.getMetricHistory(edge, 'neg_inf_metric')[0]!.value).toBe(-Infinity);
  expect(tracking.getMetricHistory(edge, 'nan_metric')[0]!.value).toBeNaN();
  // A param whose value holds a newline survives as is.
  expect(
    t.db.prepare("SELECT COUNT(*) FROM params WHERE value LIKE '%' || char(10) || '%'").pluck().get(),
  ).toBeGreaterThan(0);
  // Metric keys with '/' (sub-folders in mlruns).
  expect(t.db.prepare("SELECT COUNT(*) FROM metric_keys WHERE key LIKE 'system/%'").pluck().get()).toBeGreaterThan(0);
  // The 100k series: history in order, latest is the last step, min/max kept.
  const long = t.db
    .prepare(
      `SELECT r.run_uuid AS run, k.key AS key, l.step AS step, l.min_value AS min, l.max_value AS max FROM latest_metrics l
       JOIN runs r ON r.run_pk = l.run_pk JOIN metric_keys k ON k.key_id = l.key_id
       WHERE (SELECT COUNT(*) FROM metrics m WHERE m.run_pk = l.run_pk AND m.key_id = l.key_id) = 100000`,
    )
    .get() as { run: string; key: string; step: number; min: number; max: number };
  const history = tracking.getMetricHistory(long.run, long.key);
  expect(history).toHaveLength(100000);
  expect(history[history.length - 1]!.step).toBe(long.step);
  expect(Math.min(...history.map((m) => m.value))).toBe(long.min);
  expect(Math.max(...history.map((m) => m.value))).toBe(long.max);
}

function checkRegistry(t: TestStore): void {
  const registry = new RegistryStore(t.db);
  const model = registry.getRegisteredModel('iris-classifier');
  expect(model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
  const v1 = registry.getModelVersion('iris-classifier', '1');
  const v2 = registry.getModelVersion('iris-classifier', '2');
  expect(v1.current_stage).toBe('Staging');
  expect(v2.current_stage).toBe('Production');
  expect(v2.aliases).toEqual(['champion']);
  expect(v1.source).toMatch(/^models:\/m-/);
  // The registered versions' runs and logged models were imported too.
  expect(t.tracking.getRun(v1.run_id!).info.run_id).toBe(v1.run_id);
  const models = new LoggedModelStore(t.db, t.tracking);
  const logged = models.getLoggedModel(v1.source!.slice('models:/'.length));
  expect(logged.info.status).toBe('LOGGED_MODEL_READY');
  expect(logged.data.params?.length).toBe(3);
  expect(logged.data.metrics?.map((m) => m.key).sort()).toEqual(['accuracy', 'n_test']);
}

/** All 32 artifact files (run artifacts + logged model files) are found where the URIs now point. */
function checkArtifacts(t: TestStore, root: string): void {
  const uris = [
    ...(t.db.prepare('SELECT artifact_uri FROM runs').pluck().all() as string[]),
    ...(t.db.prepare('SELECT artifact_location FROM logged_models').pluck().all() as string[]),
  ];
  let files = 0;
  for (const uri of uris) {
    expect(uri.startsWith('file://')).toBe(true);
    const path = localPath(uri);
    expect(path.startsWith(root)).toBe(true);
    files += filesUnder(path).length;
  }
  expect(files).toBe(32);
  const png = filesUnder(localPath(uris.find((u) => filesUnder(localPath(u)).some((f) => f.endsWith('.png')))!));
  expect(png.some((f) => existsSync(f))).toBe(true);
}

describe('import mlruns-small (MLflow 3 FileStore)', () => {
  let t: TestStore;
  let report: ImportReport;
  let before: string;
  beforeAll(() => {
    before = hashTree(FIXTURES);
    t = freshStore();
    report = runImportInProcess(t.db, { paths: [MLRUNS] });
  });
  afterAll(() => t.close());

  it('has every README count', () => checkReadmeCounts(t, report, 100455));
  it('keeps NaN, +inf and -inf, newlines in params, keys with /', () => checkValues(t));
  it('imports the registry with aliases, and logged models', () => checkRegistry(t));
  it('flags the deleted experiment and its runs deleted', () => {
    const deleted = t.db
      .prepare("SELECT experiment_id, name FROM experiments WHERE lifecycle_stage = 'deleted'")
      .get() as {
      experiment_id: number;
      name: string;
    };
    expect(deleted.name).toBe('old-experiment');
    expect(
      count(
        t.db,
        "SELECT COUNT(*) FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'deleted'",
        deleted.experiment_id,
      ),
    ).toBe(2);
    expect(
      count(
        t.db,
        "SELECT COUNT(*) FROM experiment_tags WHERE experiment_id = ? AND key = 'obsolete'",
        deleted.experiment_id,
      ),
    ).toBe(1);
    expect(count(t.db, 'SELECT COUNT(*) FROM runs WHERE lifecycle_stage = ? AND deleted_time IS NULL', 'deleted')).toBe(
      0,
    );
  });
  it('re-roots file:// artifact URIs of another machine into the dropped folder', () => checkArtifacts(t, MLRUNS));
  it('records the experiment id mapping (Default merged, long ids remapped)', () => {
    const byName = Object.fromEntries(report.experiments.map((e) => [e.name, e]));
    expect(byName.Default).toMatchObject({ sourceExperimentId: '0', experimentId: '0', action: 'merged' });
    for (const e of report.experiments.filter((x) => x.name !== 'Default')) {
      expect(e.action).toBe('remapped');
      expect(Number.isSafeInteger(Number(e.experimentId))).toBe(true);
    }
    expect(count(t.db, 'SELECT COUNT(*) FROM import_experiment_map')).toBe(5);
    const runs = t.tracking.getRun(t.db.prepare('SELECT run_uuid FROM runs LIMIT 1').pluck().get() as string);
    expect(t.tracking.getExperiment(runs.info.experiment_id).name).toBeTruthy();
  });
  it('keeps run names from meta.yaml and the runName tag', () => {
    expect(count(t.db, "SELECT COUNT(*) FROM runs WHERE name = ''")).toBe(0);
    expect(count(t.db, "SELECT COUNT(*) FROM runs WHERE name = 'final-model-v1'")).toBe(1);
  });
  it('re-import adds nothing', () => {
    const snapshot = [
      'metrics',
      'latest_metrics',
      'params',
      'tags',
      'runs',
      'experiments',
      'experiment_tags',
      'datasets',
      'run_dataset_inputs',
      'logged_models',
      'logged_model_metrics',
      'model_versions',
      'registered_model_aliases',
    ].map((table) => [table, count(t.db, `SELECT COUNT(*) FROM ${table}`)]);
    const again = runImportInProcess(t.db, { paths: [MLRUNS] });
    expect(again.status).toBe('completed');
    expect(again.counts).toMatchObject({
      experimentsCreated: 0,
      runsCreated: 0,
      runsUpdated: 0,
      runsUnchanged: 22,
      params: 0,
      tags: 0,
      metricPointsInserted: 0,
      datasets: 0,
      datasetInputs: 0,
      loggedModels: 0,
      registeredModels: 0,
      modelVersions: 0,
    });
    expect(again.experiments.every((e) => e.action === 'reused' || e.name === 'Default')).toBe(true);
    expect(
      [
        'metrics',
        'latest_metrics',
        'params',
        'tags',
        'runs',
        'experiments',
        'experiment_tags',
        'datasets',
        'run_dataset_inputs',
        'logged_models',
        'logged_model_metrics',
        'model_versions',
        'registered_model_aliases',
      ].map((table) => [table, count(t.db, `SELECT COUNT(*) FROM ${table}`)]),
    ).toEqual(snapshot);
  });
  it('never wrote into the source', () => expect(hashTree(FIXTURES)).toBe(before));
});

describe('import mlflow-small.db (MLflow 3 SQL store)', () => {
  let t: TestStore;
  let report: ImportReport;
  let before: string;
  beforeAll(() => {
    before = hashTree(FIXTURES);
    t = freshStore();
    report = runImportInProcess(t.db, { paths: [MLFLOW_DB] });
  });
  afterAll(() => t.close());

  it('has every README count', () => checkReadmeCounts(t, report, 100451));
  it('turns clamped ±DBL_MAX back into ±Infinity and keeps NaN', () => checkValues(t));
  it('imports the registry with aliases, and logged models', () => checkRegistry(t));
  it('keeps small experiment ids and flags the deleted experiment', () => {
    expect(report.experiments.map((e) => [e.sourceExperimentId, e.experimentId])).toEqual([
      ['0', '0'],
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
      ['4', '4'],
    ]);
    expect(t.tracking.getExperiment('4').lifecycle_stage).toBe('deleted');
    expect(count(t.db, "SELECT COUNT(*) FROM runs WHERE experiment_id = 4 AND lifecycle_stage = 'deleted'")).toBe(2);
  });
  it('re-roots mlflow-artifacts: URIs into the sibling artifacts folder', () => checkArtifacts(t, DB_ARTIFACTS));
  it('re-roots registry storage locations too', () => {
    const v = new RegistryStore(t.db).getModelVersion('iris-classifier', '2');
    const row = t.db.prepare('SELECT storage_location FROM model_versions WHERE version = 2').pluck().get() as string;
    expect(row.startsWith('file://')).toBe(true);
    expect(existsSync(localPath(row))).toBe(true);
    expect(v.version).toBe('2');
  });
  it('re-import adds nothing', () => {
    const metrics = count(t.db, 'SELECT COUNT(*) FROM metrics');
    const again = runImportInProcess(t.db, { paths: [MLFLOW_DB] });
    expect(again.counts).toMatchObject({
      runsCreated: 0,
      runsUpdated: 0,
      runsUnchanged: 22,
      metricPointsInserted: 0,
      params: 0,
      tags: 0,
    });
    expect(count(t.db, 'SELECT COUNT(*) FROM metrics')).toBe(metrics);
    expect(count(t.db, 'SELECT COUNT(*) FROM runs')).toBe(22);
  });
  it('never wrote into the source (no -wal/-shm/-journal beside the .db)', () => {
    expect(hashTree(FIXTURES)).toBe(before);
    for (const suffix of ['-wal', '-shm', '-journal']) expect(existsSync(MLFLOW_DB + suffix)).toBe(false);
  });
});

describe('import both into one store', () => {
  it('merges experiments by name and keeps runs of both sources', () => {
    const t = freshStore();
    try {
      const report = runImportInProcess(t.db, { paths: [MLRUNS, MLFLOW_DB] });
      expect(report.status).toBe('completed');
      expect(report.sources.map((s) => s.kind)).toEqual(['mlruns', 'mlflow-db']);
      expect(count(t.db, 'SELECT COUNT(*) FROM experiments')).toBe(5);
      expect(count(t.db, 'SELECT COUNT(*) FROM runs')).toBe(44);
      expect(report.experiments.filter((e) => e.action === 'merged')).toHaveLength(6);
      // Same registered model from both: one model, versions upserted.
      expect(count(t.db, 'SELECT COUNT(*) FROM model_versions')).toBe(2);
    } finally {
      t.close();
    }
  });
});

describe('import through the reader thread (the path the worker uses)', () => {
  it('gives the same store as the inline reader, for both fixtures', () => {
    const workerFile = buildImportWorker();
    for (const path of [MLRUNS, MLFLOW_DB]) {
      const a = freshStore();
      const b = freshStore();
      try {
        const ra = runImportInProcess(a.db, { paths: [path] });
        const rb = runImportInProcess(b.db, { paths: [path], readerWorkerFile: workerFile });
        expect(rb.status).toBe('completed');
        expect(rb.counts).toEqual(ra.counts);
        const dump = (t: TestStore) =>
          t.db
            .prepare(
              `SELECT r.run_uuid, k.key, m.step, m.timestamp, m.value, m.is_nan FROM metrics m
               JOIN runs r ON r.run_pk = m.run_pk JOIN metric_keys k ON k.key_id = m.key_id
               ORDER BY 1, 2, 3, 4, 5`,
            )
            .all();
        expect(dump(b)).toEqual(dump(a));
        const latest = (t: TestStore) =>
          t.db
            .prepare(
              `SELECT r.run_uuid, k.key, l.step, l.timestamp, l.value, l.is_nan, l.min_value, l.max_value FROM latest_metrics l
               JOIN runs r ON r.run_pk = l.run_pk JOIN metric_keys k ON k.key_id = l.key_id ORDER BY 1, 2`,
            )
            .all();
        expect(latest(b)).toEqual(latest(a));
      } finally {
        a.close();
        b.close();
      }
    }
  });
});
