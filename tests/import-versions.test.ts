import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runImportInProcess } from '../src-main/importers/import-job';
import { DB_ARTIFACTS, MLRUNS, copyToTemp, count, filesUnder, freshStore, localPath } from './import-helpers';

describe('a newer copy of the same folder', () => {
  it('adds new runs, new metric points and changed tags/status, nothing twice', () => {
    const tmp = copyToTemp(MLRUNS);
    const root = join(tmp, 'mlruns-small');
    const t = freshStore();
    try {
      runImportInProcess(t.db, { paths: [root] });
      const runningRun = t.db.prepare("SELECT run_uuid FROM runs WHERE status = 'RUNNING'").pluck().get() as string;
      const expDir = filesUnder(root)
        .find((f) => f.endsWith(`${runningRun}/meta.yaml`))!
        .replace(`/${runningRun}/meta.yaml`, '');
      const runDir = join(expDir, runningRun);
      // The run went on after the first copy: more points, a new tag, finished.
      mkdirSync(join(runDir, 'metrics'), { recursive: true });
      writeFileSync(join(runDir, 'metrics', 'progress'), '1800000000000 0.5 0\n');
      runImportInProcess(t.db, { paths: [root] });
      appendFileSync(join(runDir, 'metrics', 'progress'), '1900000000000 0.125 999999\n');
      const key = 'progress';
      mkdirSync(join(runDir, 'tags'), { recursive: true });
      writeFileSync(join(runDir, 'tags', 'stage'), 'done');
      const meta = readFileSync(join(runDir, 'meta.yaml'), 'utf8')
        .replace(/^status: 1$/m, 'status: 3')
        .replace(/^end_time: .*$/m, 'end_time: 1900000000001');
      writeFileSync(join(runDir, 'meta.yaml'), meta.includes('end_time') ? meta : `${meta}end_time: 1900000000001\n`);
      // And a new run appeared next to it.
      const newId = 'f'.repeat(32);
      cpSync(runDir, join(expDir, newId), { recursive: true });
      writeFileSync(join(expDir, newId, 'meta.yaml'), meta.replace(new RegExp(runningRun, 'g'), newId));

      const again = runImportInProcess(t.db, { paths: [root] });
      expect(again.status).toBe('completed');
      expect(again.counts).toMatchObject({
        runsCreated: 1,
        runsUpdated: 1,
        runsUnchanged: 21,
        experimentsCreated: 0,
        metricPointsInserted: 3,
      });
      expect(again.experiments.filter((e) => e.name !== 'Default').every((e) => e.action === 'reused')).toBe(true);
      const run = t.tracking.getRun(runningRun);
      expect(run.info.status).toBe('FINISHED');
      expect(run.info.end_time).toBe(1900000000001);
      expect(run.data.tags!.find((x) => x.key === 'stage')?.value).toBe('done');
      const latest = run.data.metrics!.find((m) => m.key === key)!;
      expect(latest).toMatchObject({ step: 999999, value: 0.125 });
      expect(t.tracking.getRun(newId).info.run_id).toBe(newId);
      const before = count(t.db, 'SELECT COUNT(*) FROM metrics');
      expect(runImportInProcess(t.db, { paths: [root] }).counts.metricPointsInserted).toBe(0);
      expect(count(t.db, 'SELECT COUNT(*) FROM metrics')).toBe(before);
    } finally {
      t.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('older FileStore layouts', () => {
  it('reads an MLflow 1.x mlruns (int ids, run_uuid, no run_name, 2-field metric lines)', () => {
    const tmp = copyToTemp(MLRUNS);
    const root = join(tmp, 'old-mlruns');
    try {
      mkdirSync(join(root, '0'), { recursive: true });
      writeFileSync(
        join(root, '0', 'meta.yaml'),
        'artifact_location: /home/u/mlruns/0\nexperiment_id: 0\nlifecycle_stage: active\nname: Default\n',
      );
      mkdirSync(join(root, '1', 'a1'.padEnd(32, '0'), 'metrics'), { recursive: true });
      writeFileSync(
        join(root, '1', 'meta.yaml'),
        'artifact_location: /home/u/mlruns/1\nexperiment_id: 1\nname: legacy\n',
      );
      const run = join(root, '1', 'a1'.padEnd(32, '0'));
      writeFileSync(
        join(run, 'meta.yaml'),
        [
          'artifact_uri: /home/u/mlruns/1/a1000000000000000000000000000000/artifacts',
          'end_time: 1546300800500',
          'entry_point_name: main',
          'experiment_id: 1',
          'lifecycle_stage: active',
          'name: ""',
          'run_uuid: a1000000000000000000000000000000',
          'source_name: train.py',
          'source_type: 3',
          'source_version: abc123',
          'start_time: 1546300800000',
          'status: 4',
          'tags: []',
          'user_id: olduser',
          '',
        ].join('\n'),
      );
      writeFileSync(join(run, 'metrics', 'loss'), '1546300800100 0.5\n1546300800200 0.25\n');
      mkdirSync(join(run, 'tags'));
      writeFileSync(join(run, 'tags', 'mlflow.runName'), 'legacy-run');
      // MLflow 3 traces are not imported, only counted.
      for (const tr of ['tr-1', 'tr-2']) mkdirSync(join(root, '1', 'traces', tr, 'tags'), { recursive: true });
      mkdirSync(join(run, 'artifacts', 'model'), { recursive: true });
      writeFileSync(join(run, 'artifacts', 'model', 'MLmodel'), 'flavors: {}\n');
      const t = freshStore();
      try {
        const report = runImportInProcess(t.db, { paths: [root] });
        expect(report.issues).toEqual([]);
        const r = t.tracking.getRun('a1000000000000000000000000000000');
        expect(r.info).toMatchObject({
          run_name: 'legacy-run',
          status: 'FAILED',
          user_id: 'olduser',
          lifecycle_stage: 'active',
        });
        expect(t.db.prepare('SELECT source_type, entry_point_name, source_version FROM runs').get()).toEqual({
          source_type: 'PROJECT',
          entry_point_name: 'main',
          source_version: 'abc123',
        });
        expect(t.tracking.getMetricHistory(r.info.run_id, 'loss').map((m) => [m.step, m.value])).toEqual([
          [0, 0.5],
          [0, 0.25],
        ]);
        // A bare absolute path (no file://) from another machine is re-rooted too.
        expect(existsSync(join(localPath(r.info.artifact_uri), 'model', 'MLmodel'))).toBe(true);
        expect(report.experiments.find((e) => e.name === 'legacy')).toMatchObject({
          experimentId: '1',
          action: 'created',
        });
      } finally {
        t.close();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('older mlflow.db schemas', () => {
  it('reads a 1.x-era database with missing tables and columns', () => {
    const tmp = copyToTemp(DB_ARTIFACTS);
    const file = join(tmp, 'mlflow.db');
    const src = new Database(file);
    src.exec(`
      CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL UNIQUE,
        artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32));
      CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), source_type VARCHAR(20),
        source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(20),
        start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20),
        artifact_uri VARCHAR(200), experiment_id INTEGER);
      CREATE TABLE metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
        run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY ("key", timestamp, run_uuid, value));
      CREATE TABLE params ("key" VARCHAR(250) NOT NULL, value VARCHAR(250) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
        PRIMARY KEY ("key", run_uuid));
      CREATE TABLE tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(250), run_uuid VARCHAR(32) NOT NULL,
        PRIMARY KEY ("key", run_uuid));
      INSERT INTO experiments VALUES (0, 'Default', './mlruns/0', 'active'), (7, 'old', 's3://bucket/7', 'deleted');
      INSERT INTO runs VALUES ('r1', '', 'LOCAL', 'x.py', '', 'me', 'FINISHED', 10, 20, '', 'active', 's3://bucket/7/r1/artifacts', 7);
      INSERT INTO metrics VALUES ('acc', 0.5, 11, 'r1'), ('acc', 0.75, 12, 'r1'), ('acc', 1.7976931348623157e308, 13, 'r1');
      INSERT INTO params VALUES ('lr', '0.1', 'r1');
      INSERT INTO tags VALUES ('mlflow.runName', 'old-run', 'r1');
    `);
    src.close();
    const t = freshStore();
    try {
      const report = runImportInProcess(t.db, { paths: [file] });
      expect(report.status).toBe('completed');
      expect(report.issues).toEqual([]);
      const run = t.tracking.getRun('r1');
      // Runs of a deleted experiment are deleted; the run name comes from the tag; s3 URIs are kept.
      expect(run.info).toMatchObject({
        run_name: 'old-run',
        lifecycle_stage: 'deleted',
        artifact_uri: 's3://bucket/7/r1/artifacts',
      });
      expect(t.tracking.getMetricHistory('r1', 'acc').map((m) => m.value)).toEqual([0.5, 0.75, Infinity]);
      expect(run.data.metrics).toEqual([{ key: 'acc', value: Infinity, timestamp: 13, step: 0 }]);
      expect(t.tracking.getExperiment('7')).toMatchObject({ name: 'old', lifecycle_stage: 'deleted' });
    } finally {
      t.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('reports a database that is not MLflow and one that is not SQLite', () => {
    const tmp = copyToTemp(DB_ARTIFACTS);
    try {
      const other = new Database(join(tmp, 'other.db'));
      other.exec('CREATE TABLE t (x)');
      other.close();
      writeFileSync(join(tmp, 'fake.db'), 'SQLite format 3\u0000 but truncated');
      const t = freshStore();
      try {
        const report = runImportInProcess(t.db, { paths: [join(tmp, 'other.db'), join(tmp, 'fake.db')] });
        expect(report.status).toBe('completed');
        expect(report.issues.map((i) => i.reason)).toEqual([
          expect.stringMatching(/not an MLflow tracking database/),
          expect.stringMatching(/database read error: file is not a database/),
        ]);
      } finally {
        t.close();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('copyArtifacts', () => {
  it('copies run and model artifacts into the data dir and points the URIs there', () => {
    const t = freshStore();
    try {
      const report = runImportInProcess(t.db, { paths: [MLRUNS], copyArtifacts: true, dataDir: t.dir });
      expect(report.counts.artifactFilesCopied).toBe(32);
      const uris = [
        ...(t.db
          .prepare("SELECT artifact_uri FROM runs WHERE artifact_uri LIKE 'mlflow-artifacts:%'")
          .pluck()
          .all() as string[]),
        ...(t.db
          .prepare("SELECT artifact_location FROM logged_models WHERE artifact_location LIKE 'mlflow-artifacts:%'")
          .pluck()
          .all() as string[]),
      ];
      // Every run and model now points into Runlens (22 runs + 2 models), also those with no
      // artifacts yet: the source folder may be deleted, and later artifacts must not land there.
      expect(uris).toHaveLength(24);
      const files = uris.flatMap((u) => filesUnder(join(t.dir, 'artifacts', u.slice('mlflow-artifacts:/'.length))));
      expect(files).toHaveLength(32);
      // Idempotent: nothing copied twice, URIs unchanged.
      const again = runImportInProcess(t.db, { paths: [MLRUNS], copyArtifacts: true, dataDir: t.dir });
      expect(again.counts.runsUpdated).toBe(0);
      expect(filesUnder(join(t.dir, 'artifacts'))).toHaveLength(32);
    } finally {
      t.close();
    }
  });
});
