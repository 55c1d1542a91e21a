import { closeSync, copyFileSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../store/native-binding';
import type { KeyValue, RunStatus } from '../core/entities';
import { rerootDbLocation, siblingArtifactsDir } from './artifact-locations';
import { modelIdFromSource } from './mlruns-registry';
import { SeriesSummary, newColumns, type PointColumns } from './metric-parser';
import { POINTS_PER_CHUNK } from './mlruns-reader';
import { describeError, exists } from './safe-fs';
import {
  loggedModelStatus,
  type SourceDataset,
  type SourceItem,
  type SourceModelMetric,
  type SourceModelVersion,
  type SourceRun,
} from './source-items';

type Db = Database.Database;
type Row = Record<string, unknown>;

/**
 * Reads an `mlflow.db` (MLflow's SQLAlchemy schema at any alembic revision, 1.x to 3.x) as a
 * stream of SourceItems. The file is only ever opened read-only; tables and columns that an older
 * revision lacks are found through sqlite_master / PRAGMA table_info and read as NULL.
 *
 * The real SQL store clamps ±Infinity to ±DBL_MAX when logging, so those values are turned back
 * into infinities here.
 */

const SQLITE_HEADER = 'SQLite format 3\0';

/** True when `file` starts with the SQLite header (cheap check before treating it as a db). */
export function isSqliteFile(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(100);
      const n = readSync(fd, buf, 0, 100, 0);
      return n >= 16 && buf.toString('latin1', 0, 16) === SQLITE_HEADER;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function walMode(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(20);
    readSync(fd, buf, 0, 20, 0);
    return buf[18] === 2 || buf[19] === 2;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the source read-only without leaving anything next to it. A rollback-journal db (MLflow's
 * default) opens read-only in place. A WAL-mode db would get -wal/-shm files created beside it, and
 * a db with a pending journal or WAL needs recovery: both are copied to a temp folder first.
 */
export function openSourceDb(file: string): { db: Db; cleanup: () => void } {
  const sidecars = ['-wal', '-journal'].filter((s) => exists(file + s));
  if (!walMode(file) && sidecars.length === 0) {
    const db = new Database(file, sqliteOptions({ readonly: true, fileMustExist: true }));
    return { db, cleanup: () => db.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'runlens-import-'));
  const copy = join(dir, basename(file));
  copyFileSync(file, copy);
  for (const s of sidecars) copyFileSync(file + s, copy + s);
  // Opened writable so SQLite can replay/roll back the copied journal; it is our own copy.
  const db = new Database(copy, sqliteOptions({ fileMustExist: true }));
  return {
    db,
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Column-aware SELECT builder over whatever revision the file is at. */
class Schema {
  private readonly tables = new Map<string, Set<string>>();
  constructor(db: Db) {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const t of names) {
      const cols = db.prepare(`PRAGMA table_info("${t.replace(/"/g, '""')}")`).all() as { name: string }[];
      this.tables.set(t, new Set(cols.map((c) => c.name)));
    }
  }
  has(table: string, column?: string): boolean {
    const t = this.tables.get(table);
    return !!t && (column === undefined || t.has(column));
  }
  /** `"col" AS alias` when present, `NULL AS alias` (or the given default) otherwise. */
  col(table: string, column: string, alias = column, fallback = 'NULL'): string {
    return this.has(table, column) ? `"${column}" AS "${alias}"` : `${fallback} AS "${alias}"`;
  }
}

const DBL_MAX = 1.7976931348623157e308;
/** ±DBL_MAX is how the SQL store saves ±Infinity. */
const unclamp = (v: number): number => (v >= DBL_MAX ? Infinity : v <= -DBL_MAX ? -Infinity : v);

const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const n = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const x = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(x) ? x : null;
};

const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
const SOURCE_TYPES = ['NOTEBOOK', 'JOB', 'PROJECT', 'LOCAL', 'UNKNOWN'];

/** A forward cursor over rows ordered by run_uuid, for merge-joining child tables with runs. */
class RunCursor<T extends Row> {
  private readonly it: IterableIterator<T>;
  private head: T | undefined;
  constructor(it: IterableIterator<T>) {
    this.it = it;
    this.head = it.next().value as T | undefined;
  }
  /** Rows of `runUuid` (rows of runs that sort before it are skipped: orphans). */
  *take(runUuid: string): Generator<T> {
    while (this.head && String(this.head.run_uuid) < runUuid) this.head = this.it.next().value as T | undefined;
    while (this.head && String(this.head.run_uuid) === runUuid) {
      const row = this.head;
      this.head = this.it.next().value as T | undefined;
      yield row;
    }
  }
  close(): void {
    this.it.return?.();
  }
}

export function* readMlflowDb(file: string): Generator<SourceItem> {
  yield { kind: 'source', path: file, sourceKind: 'mlflow-db' };
  let opened: { db: Db; cleanup: () => void };
  try {
    opened = openSourceDb(file);
  } catch (err) {
    yield { kind: 'issue', path: file, reason: `cannot open database: ${describeError(err)}` };
    return;
  }
  const cursors: RunCursor<Row>[] = [];
  try {
    const { db } = opened;
    db.defaultSafeIntegers(false);
    const sc = new Schema(db);
    if (!sc.has('experiments') || !sc.has('runs')) {
      yield { kind: 'issue', path: file, reason: 'not an MLflow tracking database (no experiments/runs tables)' };
      return;
    }
    const artifactsDir = siblingArtifactsDir(file);
    const reroot = (uri: string | null) => rerootDbLocation(uri ?? '', file, artifactsDir);
    const count = (t: string): number =>
      sc.has(t) ? (db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get() as number) : 0;

    yield {
      kind: 'totals',
      experiments: count('experiments'),
      runs: count('runs'),
      metricPoints: count('metrics'),
      metricBytes: 0,
    };

    // ---- experiments
    const expTags = new Map<string, KeyValue[]>();
    if (sc.has('experiment_tags')) {
      for (const r of db
        .prepare('SELECT experiment_id, "key", value FROM experiment_tags ORDER BY rowid')
        .iterate() as IterableIterator<Row>) {
        const id = String(r.experiment_id);
        if (!expTags.has(id)) expTags.set(id, []);
        expTags.get(id)!.push({ key: String(r.key), value: s(r.value) ?? '' });
      }
    }
    const experimentLifecycle = new Map<string, { deleted: boolean; lastUpdate: number | null }>();
    const expSql = `SELECT experiment_id, name, ${sc.col('experiments', 'artifact_location')},
      ${sc.col('experiments', 'lifecycle_stage')}, ${sc.col('experiments', 'creation_time')},
      ${sc.col('experiments', 'last_update_time')} FROM experiments ORDER BY experiment_id`;
    for (const r of db.prepare(expSql).all() as Row[]) {
      const id = String(r.experiment_id);
      const deleted = r.lifecycle_stage === 'deleted';
      experimentLifecycle.set(id, { deleted, lastUpdate: n(r.last_update_time) });
      yield {
        kind: 'experiment',
        sourceId: id,
        name: String(r.name),
        artifactLocation: reroot(s(r.artifact_location)).uri,
        lifecycleStage: deleted ? 'deleted' : 'active',
        creationTime: n(r.creation_time),
        lastUpdateTime: n(r.last_update_time),
        tags: expTags.get(id) ?? [],
      };
    }

    // ---- run inputs/outputs (small tables, loaded whole)
    const datasets = new Map<string, SourceDataset>();
    if (sc.has('datasets')) {
      const sql = `SELECT dataset_uuid, name, digest, ${sc.col('datasets', 'dataset_source_type')},
        ${sc.col('datasets', 'dataset_source')}, ${sc.col('datasets', 'dataset_schema')},
        ${sc.col('datasets', 'dataset_profile')} FROM datasets`;
      for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
        datasets.set(String(r.dataset_uuid), {
          name: String(r.name),
          digest: String(r.digest),
          sourceType: s(r.dataset_source_type) ?? '',
          source: s(r.dataset_source) ?? '',
          schema: s(r.dataset_schema),
          profile: s(r.dataset_profile),
        });
      }
    }
    const inputTags = new Map<string, KeyValue[]>();
    if (sc.has('input_tags')) {
      for (const r of db.prepare('SELECT input_uuid, name, value FROM input_tags').iterate() as IterableIterator<Row>) {
        const id = String(r.input_uuid);
        if (!inputTags.has(id)) inputTags.set(id, []);
        inputTags.get(id)!.push({ key: String(r.name), value: s(r.value) ?? '' });
      }
    }
    const runInputs = new Map<string, Pick<SourceRun, 'datasetInputs' | 'modelInputs' | 'modelOutputs'>>();
    const io = (runId: string) => {
      let x = runInputs.get(runId);
      if (!x) runInputs.set(runId, (x = { datasetInputs: [], modelInputs: [], modelOutputs: [] }));
      return x;
    };
    if (sc.has('inputs')) {
      const sql = `SELECT input_uuid, source_type, source_id, destination_type, destination_id,
        ${sc.col('inputs', 'step', 'step', '0')} FROM inputs`;
      for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
        if (r.source_type === 'DATASET' && r.destination_type === 'RUN') {
          const dataset = datasets.get(String(r.source_id));
          if (!dataset) {
            yield {
              kind: 'issue',
              path: `${file}#inputs/${String(r.input_uuid)}`,
              reason: 'dataset not found: input skipped',
            };
            continue;
          }
          io(String(r.destination_id)).datasetInputs.push({ dataset, tags: inputTags.get(String(r.input_uuid)) ?? [] });
        } else if (r.source_type === 'RUN_INPUT' && r.destination_type === 'MODEL_INPUT') {
          io(String(r.source_id)).modelInputs.push(String(r.destination_id));
        } else if (r.source_type === 'RUN_OUTPUT' && r.destination_type === 'MODEL_OUTPUT') {
          io(String(r.source_id)).modelOutputs.push({ modelId: String(r.destination_id), step: n(r.step) ?? 0 });
        }
      }
    }

    // ---- runs, merge-joined with params, tags and metrics ordered by run_uuid
    const childCursor = (table: string, cols: string, order: string): RunCursor<Row> => {
      const c = new RunCursor(
        sc.has(table)
          ? (db
              .prepare(`SELECT run_uuid, ${cols} FROM "${table}" ORDER BY ${order}`)
              .iterate() as IterableIterator<Row>)
          : ([] as Row[])[Symbol.iterator](),
      );
      cursors.push(c);
      return c;
    };
    const params = childCursor('params', '"key", value', 'run_uuid, "key"');
    const tags = childCursor('tags', '"key", value', 'run_uuid, "key"');
    const metrics = childCursor(
      'metrics',
      `"key", value, timestamp, ${sc.col('metrics', 'step', 'step', '0')}, ${sc.col('metrics', 'is_nan', 'is_nan', '0')}`,
      `run_uuid, "key", ${sc.has('metrics', 'step') ? 'step' : '1'}, timestamp, value`,
    );
    const runSql = `SELECT run_uuid, experiment_id, ${sc.col('runs', 'name')}, ${sc.col('runs', 'user_id')},
      ${sc.col('runs', 'status')}, ${sc.col('runs', 'start_time')}, ${sc.col('runs', 'end_time')},
      ${sc.col('runs', 'lifecycle_stage')}, ${sc.col('runs', 'artifact_uri')}, ${sc.col('runs', 'source_type')},
      ${sc.col('runs', 'source_name')}, ${sc.col('runs', 'entry_point_name')}, ${sc.col('runs', 'source_version')},
      ${sc.col('runs', 'deleted_time')} FROM runs ORDER BY run_uuid`;
    for (const r of db.prepare(runSql).iterate() as IterableIterator<Row>) {
      const runId = String(r.run_uuid);
      const expId = String(r.experiment_id);
      const exp = experimentLifecycle.get(expId);
      if (!exp) {
        yield { kind: 'issue', path: `${file}#runs/${runId}`, reason: `experiment ${expId} not found: run skipped` };
        continue;
      }
      const runTags = [...tags.take(runId)].map((t) => ({ key: String(t.key), value: s(t.value) ?? '' }));
      const status = String(r.status ?? 'RUNNING').toUpperCase() as RunStatus;
      const deleted = exp.deleted || r.lifecycle_stage === 'deleted';
      const location = reroot(s(r.artifact_uri));
      const ioRow = runInputs.get(runId);
      yield {
        kind: 'run',
        runId,
        sourceExperimentId: expId,
        name: s(r.name) || runTags.find((t) => t.key === 'mlflow.runName')?.value || '',
        userId: s(r.user_id) ?? '',
        status: RUN_STATUSES.includes(status) ? status : 'RUNNING',
        startTime: n(r.start_time),
        endTime: n(r.end_time),
        lifecycleStage: deleted ? 'deleted' : 'active',
        deletedTime: deleted ? (n(r.deleted_time) ?? exp.lastUpdate) : null,
        artifactUri: location.uri,
        localArtifactDir: location.localDir,
        sourceType: SOURCE_TYPES.includes(String(r.source_type)) ? String(r.source_type) : 'UNKNOWN',
        sourceName: s(r.source_name) ?? '',
        entryPointName: s(r.entry_point_name) ?? '',
        sourceVersion: s(r.source_version) ?? '',
        params: [...params.take(runId)].map((p) => ({ key: String(p.key), value: s(p.value) ?? '' })),
        tags: runTags,
        datasetInputs: ioRow?.datasetInputs ?? [],
        modelInputs: ioRow?.modelInputs ?? [],
        modelOutputs: ioRow?.modelOutputs ?? [],
        origin: `${file}#runs/${runId}`,
      };
      yield* runMetrics(runId, metrics.take(runId));
      yield { kind: 'run-end', runId };
    }

    yield* loggedModels(db, sc, reroot);
    if (sc.has('trace_info')) {
      const traces = count('trace_info');
      if (traces) yield { kind: 'traces', count: traces };
    }
    yield* registry(db, sc, reroot);
  } catch (err) {
    // A damaged source (not a database, a corrupt page midway): keep what was read, report it.
    yield {
      kind: 'issue',
      path: file,
      reason: `database read error: ${describeError(err)}; the rest of this file was skipped`,
    };
  } finally {
    for (const c of cursors) c.close();
    opened.cleanup();
  }
}

function* runMetrics(runId: string, rows: Generator<Row>): Generator<SourceItem> {
  let key: string | null = null;
  let cols = newCols();
  let summary = new SeriesSummary();
  function* flush(end: boolean): Generator<SourceItem> {
    if (key === null) return;
    if (cols.n) {
      summary.add(cols);
      yield { kind: 'points', runId, key, points: cols };
      cols = newCols();
    }
    if (end && summary.count) {
      yield {
        kind: 'series-end',
        runId,
        key,
        bytes: 0,
        count: summary.count,
        step: summary.step,
        timestamp: summary.timestamp,
        value: summary.value,
        min: summary.min,
        max: summary.max,
      };
      summary = new SeriesSummary();
    }
  }
  for (const r of rows) {
    const k = String(r.key);
    if (k !== key) {
      yield* flush(true);
      key = k;
    }
    const i = cols.n++;
    cols.steps[i] = Number(r.step ?? 0);
    cols.timestamps[i] = Number(r.timestamp ?? 0);
    cols.values[i] = Number(r.is_nan) ? NaN : unclamp(Number(r.value));
    if (cols.n === POINTS_PER_CHUNK) yield* flush(false);
  }
  yield* flush(true);
}

const newCols = (): PointColumns => newColumns(POINTS_PER_CHUNK);

function* loggedModels(
  db: Db,
  sc: Schema,
  reroot: (uri: string | null) => { uri: string; localDir: string | null },
): Generator<SourceItem> {
  if (!sc.has('logged_models')) return;
  const byModel = <T>(table: string, sql: string, map: (r: Row) => T): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    if (!sc.has(table)) return out;
    for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
      const id = String(r.model_id);
      if (!out.has(id)) out.set(id, []);
      out.get(id)!.push(map(r));
    }
    return out;
  };
  const params = byModel(
    'logged_model_params',
    'SELECT model_id, param_key, param_value FROM logged_model_params',
    (r) => ({
      key: String(r.param_key),
      value: s(r.param_value) ?? '',
    }),
  );
  const tags = byModel('logged_model_tags', 'SELECT model_id, tag_key, tag_value FROM logged_model_tags', (r) => ({
    key: String(r.tag_key),
    value: s(r.tag_value) ?? '',
  }));
  const metrics = byModel(
    'logged_model_metrics',
    `SELECT model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, run_id,
       ${sc.col('logged_model_metrics', 'dataset_name')}, ${sc.col('logged_model_metrics', 'dataset_digest')}
     FROM logged_model_metrics`,
    (r): SourceModelMetric => ({
      key: String(r.metric_name),
      value: r.metric_value === null ? NaN : unclamp(Number(r.metric_value)),
      timestamp: Number(r.metric_timestamp_ms),
      step: Number(r.metric_step),
      runId: s(r.run_id) ?? '',
      datasetName: s(r.dataset_name) ?? '',
      datasetDigest: s(r.dataset_digest) ?? '',
    }),
  );
  const sql = `SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms,
      status, ${sc.col('logged_models', 'lifecycle_stage')}, ${sc.col('logged_models', 'model_type')},
      ${sc.col('logged_models', 'source_run_id')}, ${sc.col('logged_models', 'status_message')}
    FROM logged_models ORDER BY creation_timestamp_ms, model_id`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
    const id = String(r.model_id);
    const location = reroot(s(r.artifact_location));
    const created = n(r.creation_timestamp_ms) ?? 0;
    yield {
      kind: 'logged-model',
      modelId: id,
      sourceExperimentId: String(r.experiment_id),
      name: s(r.name) ?? id,
      artifactLocation: location.uri,
      localArtifactDir: location.localDir,
      creationTimestamp: created,
      lastUpdatedTimestamp: n(r.last_updated_timestamp_ms) ?? created,
      status: loggedModelStatus(r.status),
      statusMessage: s(r.status_message),
      lifecycleStage: r.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      modelType: s(r.model_type) || null,
      sourceRunId: s(r.source_run_id),
      params: params.get(id) ?? [],
      tags: tags.get(id) ?? [],
      metrics: metrics.get(id) ?? [],
    };
  }
}

function* registry(db: Db, sc: Schema, reroot: (uri: string | null) => { uri: string }): Generator<SourceItem> {
  if (!sc.has('registered_models')) return;
  const group = <T>(table: string, sql: string, key: (r: Row) => string, map: (r: Row) => T): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    if (!sc.has(table)) return out;
    for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
      const k = key(r);
      if (!out.has(k)) out.set(k, []);
      out.get(k)!.push(map(r));
    }
    return out;
  };
  const modelTags = group(
    'registered_model_tags',
    'SELECT name, "key", value FROM registered_model_tags ORDER BY rowid',
    (r) => String(r.name),
    (r) => ({ key: String(r.key), value: s(r.value) ?? '' }),
  );
  const versionTags = group(
    'model_version_tags',
    'SELECT name, version, "key", value FROM model_version_tags ORDER BY rowid',
    (r) => `${String(r.name)}\u0000${String(r.version)}`,
    (r) => ({ key: String(r.key), value: s(r.value) ?? '' }),
  );
  const aliases = group(
    'registered_model_aliases',
    'SELECT name, alias, version FROM registered_model_aliases',
    (r) => String(r.name),
    (r) => ({ alias: String(r.alias), version: Number(r.version) }),
  );
  const mv = 'model_versions';
  const versions = group(
    mv,
    `SELECT name, version, ${sc.col(mv, 'creation_time')}, ${sc.col(mv, 'last_updated_time')}, ${sc.col(mv, 'description')},
       ${sc.col(mv, 'user_id')}, ${sc.col(mv, 'current_stage')}, ${sc.col(mv, 'source')}, ${sc.col(mv, 'storage_location')},
       ${sc.col(mv, 'run_id')}, ${sc.col(mv, 'run_link')}, ${sc.col(mv, 'status')}, ${sc.col(mv, 'status_message')},
       ${sc.col(mv, 'model_id')} FROM model_versions ORDER BY name, version`,
    (r) => String(r.name),
    (r): SourceModelVersion => ({
      version: Number(r.version),
      creationTime: n(r.creation_time),
      lastUpdatedTime: n(r.last_updated_time),
      description: s(r.description),
      userId: s(r.user_id),
      currentStage: s(r.current_stage) ?? 'None',
      source: r.source === null ? null : reroot(s(r.source)).uri,
      storageLocation: r.storage_location === null ? null : reroot(s(r.storage_location)).uri,
      runId: s(r.run_id),
      runLink: s(r.run_link),
      status: s(r.status) ?? 'READY',
      statusMessage: s(r.status_message),
      modelId: s(r.model_id) ?? modelIdFromSource(s(r.source)),
      tags: versionTags.get(`${String(r.name)}\u0000${String(r.version)}`) ?? [],
    }),
  );
  const rm = 'registered_models';
  const sql = `SELECT name, ${sc.col(rm, 'creation_time')}, ${sc.col(rm, 'last_updated_time')}, ${sc.col(rm, 'description')}
    FROM registered_models ORDER BY name`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
    const name = String(r.name);
    yield {
      kind: 'registered-model',
      name,
      creationTime: n(r.creation_time),
      lastUpdatedTime: n(r.last_updated_time),
      description: s(r.description),
      tags: modelTags.get(name) ?? [],
      aliases: aliases.get(name) ?? [],
      versions: versions.get(name) ?? [],
    };
  }
}
