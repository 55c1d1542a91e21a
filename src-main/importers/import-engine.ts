import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/db';
import { importStatements, POINT_ROWS, type ImportStatements } from '../store/import-writer';
import { importBookkeeping, type ImportBookkeeping } from '../store/import-bookkeeping';
import { RegistryStore } from '../store/registry-store';
import type { ModelVersionStatus } from '../registry/entities';
import { copyArtifactTree } from './artifact-copy';
import { detectSources, type DetectedSource } from './detect-source';
import { BYTES_PER_POINT_ESTIMATE } from './mlruns-reader';
import { inlineSource, type OpenedSource } from './threaded-source';
import type { PointColumns } from './metric-parser';
import {
  MAX_REPORTED_ISSUES,
  emptyCounts,
  type ExperimentMapping,
  type ImportPhase,
  type ImportProgress,
  type ImportReport,
} from './import-types';
import type {
  SourceExperiment,
  SourceItem,
  SourceLoggedModel,
  SourcePoints,
  SourceRegisteredModel,
  SourceRun,
  SourceSeriesEnd,
} from './source-items';

export interface EngineOptions {
  copyArtifacts?: boolean;
  /** Runlens data dir (copied artifacts go to `<dataDir>/artifacts`); required with copyArtifacts. */
  dataDir?: string | null;
  reportId?: string;
  onProgress?: (p: ImportProgress) => void;
  /** Polled between items; true stops the import after committing what is done. */
  isCancelled?: () => boolean;
  /** Called before each BEGIN (may block while REST writes go first) and after each COMMIT. */
  beforeTransaction?: () => void;
  afterTransaction?: () => void;
  /** True when someone waits for the write lock: the current transaction is committed at once. */
  shouldYield?: () => boolean;
  /** Points per transaction (commit also after `maxTransactionMs`); see DEFAULT_BATCH_POINTS. */
  batchPoints?: number;
  maxTransactionMs?: number;
  progressIntervalMs?: number;
  /**
   * How to read a source (default: in this thread); import-worker passes a reader thread.
   * `onWait` must be called before blocking for the reader, so no transaction stays open idle.
   */
  openSource?: (src: DetectedSource, onWait: () => void) => OpenedSource;
}

interface RunState {
  runId: string;
  runPk: number;
  experimentId: number;
  created: boolean;
  changed: boolean;
}

class Cancelled extends Error {}

/**
 * Transaction size: large enough that commits (WAL writes) stay a small share of the work, small
 * enough (~100 ms) that the write lock is never held long. REST writes do not wait for this
 * limit: `shouldYield` makes the engine commit at the next item (one chunk of points at most).
 */
const DEFAULT_BATCH_POINTS = 100_000;
const DEFAULT_TRANSACTION_MS = 250;

/** The artifact root for experiments the import creates: our own, never the source folder. */
const experimentArtifactRoot = (id: number): string => `mlflow-artifacts:/${id}`;

/**
 * Imports sources into a Runlens store through the given (writable) connection. Synchronous: run
 * it in a worker thread (import-worker.ts) or in-process for tests and the CLI. Writes are batched
 * into short IMMEDIATE transactions; the store is consistent after every commit, and a re-run
 * completes an interrupted import (every write is idempotent).
 */
export class ImportEngine {
  private readonly db: Db;
  private readonly s: ImportStatements;
  private readonly book: ImportBookkeeping;
  private readonly registry: RegistryStore | null;
  private readonly opts: EngineOptions;
  private readonly keyIds = new Map<string, number>();
  private readonly pointArgs = new Array<number>(POINT_ROWS * 6);

  private report!: ImportReport;
  private progress!: ImportProgress;
  private started = 0;
  private lastProgress = 0;
  private inTxn = false;
  private txnStart = 0;
  private txnPoints = 0;
  private run: RunState | null = null;
  /**
   * The current series: rows its chunks actually added (its latest_metrics point count grows by
   * that), and whether the steps read so far were strictly increasing — chunks come sorted, so
   * that means pairwise distinct (latest_metrics.steps_distinct) — from `minStep` to `lastStep`.
   */
  private series = newSeries(0, '');
  private experimentIds = new Map<string, number>();
  private sourceKey = '';
  private sourcePath = '';
  private pointsBase = 0;
  private metricBytesTotal = 0;
  private metricBytesDone = 0;
  private sourcePointsEstimate = 0;
  private sourcePointsDone = 0;

  constructor(db: Db, opts: EngineOptions = {}) {
    this.db = db;
    this.opts = opts;
    this.s = importStatements(db);
    this.book = importBookkeeping(db);
    this.registry = hasTable(db, 'registered_models') ? new RegistryStore(db) : null;
  }

  /** Imports every path; never throws for bad input (see the report's issues). */
  importPaths(paths: readonly string[]): ImportReport {
    this.started = Date.now();
    const id = this.opts.reportId ?? randomUUID().replace(/-/g, '');
    this.report = {
      id,
      status: 'running',
      paths: [...paths],
      sources: [],
      startedAt: this.started,
      finishedAt: null,
      durationMs: 0,
      counts: emptyCounts(),
      experiments: [],
      issues: [],
      issueCount: 0,
    };
    this.progress = {
      phase: 'scanning',
      source: null,
      current: null,
      experimentsDone: 0,
      experimentsTotal: 0,
      runsDone: 0,
      runsTotal: 0,
      metricPointsDone: 0,
      metricPointsTotal: 0,
      issues: 0,
      elapsedMs: 0,
    };
    try {
      this.saveReport();
      const targetReal = this.targetDbRealPath();
      for (const p of paths) {
        const found = detectSources(p);
        if ('error' in found) {
          this.issue(p, found.error);
          continue;
        }
        for (const src of found) {
          if (targetReal && src.key === targetReal) {
            this.issue(src.path, 'this is the Runlens store itself: skipped');
            continue;
          }
          this.report.sources.push({ path: src.path, kind: src.kind });
          this.importSource(src);
        }
      }
      this.commit();
      this.checkpointWal();
      this.finish('completed');
    } catch (err) {
      this.rollback();
      if (err instanceof Cancelled) this.finish('cancelled');
      else {
        this.report.error = String((err as Error)?.message ?? err);
        this.finish('failed');
      }
    }
    return this.report;
  }

  private targetDbRealPath(): string | null {
    try {
      return realpathSync(this.db.name);
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- transactions

  private begin(): void {
    if (this.inTxn) return;
    this.opts.beforeTransaction?.();
    for (let attempt = 0; ; attempt++) {
      try {
        this.s.begin.run();
        break;
      } catch (err) {
        // busy_timeout already waited; a REST write may be holding the lock a little longer.
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 5) {
          this.opts.afterTransaction?.();
          throw err;
        }
      }
    }
    this.inTxn = true;
    this.txnStart = Date.now();
    this.txnPoints = 0;
  }

  private commit(): void {
    if (!this.inTxn) return;
    // A series whose added points commit before its latest_metrics row is written (series-end).
    const cur = this.series;
    if (cur.runPk && cur.inserted && !cur.marked) {
      this.s.markSeriesImporting.run(cur.runPk, this.metricKeyId(cur.key));
      cur.marked = true;
    }
    this.s.commit.run();
    this.inTxn = false;
    this.opts.afterTransaction?.();
  }

  /**
   * Copies the import's WAL frames into the db file here, in the import's thread, so the app's
   * connection does not meet a large checkpoint on its next write.
   */
  private checkpointWal(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Not in WAL mode, or busy: SQLite's own autocheckpoint catches up later.
    }
  }

  private rollback(): void {
    if (!this.inTxn) return;
    try {
      this.s.rollback.run();
    } catch {
      // The transaction may already be gone (SQLite rolls back on some errors).
    }
    this.inTxn = false;
    this.opts.afterTransaction?.();
  }

  /** Commits when the batch is big or old enough; also the point where cancel is honoured. */
  private checkpoint(): void {
    const maxMs = this.opts.maxTransactionMs ?? DEFAULT_TRANSACTION_MS;
    if (
      this.inTxn &&
      (this.txnPoints >= (this.opts.batchPoints ?? DEFAULT_BATCH_POINTS) ||
        Date.now() - this.txnStart >= maxMs ||
        this.opts.shouldYield?.())
    ) {
      this.commit();
    }
    if (this.opts.isCancelled?.()) {
      this.commit();
      throw new Cancelled();
    }
    this.emitProgress(false);
  }

  // ---------------------------------------------------------------- report & progress

  private issue(path: string, reason: string): void {
    this.report.issueCount++;
    this.progress.issues = this.report.issueCount;
    if (this.report.issues.length < MAX_REPORTED_ISSUES) this.report.issues.push({ path, reason });
  }

  private setPhase(phase: ImportPhase, current: string | null = null): void {
    if (this.progress.phase !== phase) {
      this.progress.phase = phase;
      this.progress.current = current;
      this.emitProgress(true);
    } else this.progress.current = current;
  }

  private emitProgress(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastProgress < (this.opts.progressIntervalMs ?? 100)) return;
    this.lastProgress = now;
    const p = this.progress;
    p.elapsedMs = now - this.started;
    p.metricPointsDone = this.pointsBase + this.sourcePointsDone;
    // Refine the estimate with the bytes/point measured so far in this source.
    let remaining = Math.max(0, this.sourcePointsEstimate - this.sourcePointsDone);
    if (this.metricBytesTotal > 0 && this.metricBytesDone > 0 && this.sourcePointsDone > 0) {
      const bytesPerPoint = this.metricBytesDone / this.sourcePointsDone;
      remaining = Math.max(0, Math.round((this.metricBytesTotal - this.metricBytesDone) / bytesPerPoint));
    }
    p.metricPointsTotal = p.metricPointsDone + remaining;
    this.opts.onProgress?.({ ...p });
  }

  /** Writes the report row (inside the current transaction, or a short one of its own). */
  private saveReport(): void {
    const own = !this.inTxn;
    if (own) this.begin();
    try {
      this.writeReport();
    } finally {
      if (own) this.commit();
    }
  }

  private writeReport(): void {
    const r = this.report;
    r.durationMs = (r.finishedAt ?? Date.now()) - r.startedAt;
    this.book.saveReport.run({
      report_id: r.id,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      status: r.status,
      paths_json: JSON.stringify(r.paths),
      report_json: JSON.stringify(r),
    });
  }

  private finish(status: 'completed' | 'cancelled' | 'failed'): void {
    this.report.status = status;
    this.report.finishedAt = Date.now();
    try {
      this.saveReport();
    } catch (err) {
      this.report.error ??= `report not saved: ${String((err as Error).message ?? err)}`;
    }
    this.setPhase(status === 'completed' ? 'done' : status, null);
  }

  // ---------------------------------------------------------------- sources

  private importSource(src: DetectedSource): void {
    this.sourceKey = src.key;
    this.sourcePath = src.path;
    this.experimentIds = new Map();
    this.pointsBase = this.progress.metricPointsDone;
    this.metricBytesTotal = 0;
    this.metricBytesDone = 0;
    this.sourcePointsEstimate = 0;
    this.sourcePointsDone = 0;
    this.progress.source = src.path;
    this.setPhase('scanning', src.path);
    this.begin();
    this.book.touchSource.run({ source_key: src.key, kind: src.kind, now: Date.now(), report_id: this.report.id });
    this.saveReport();
    // Scanning the source takes a while: never with the write lock held.
    this.commit();
    const source = this.opts.openSource ? this.opts.openSource(src, () => this.commit()) : inlineSource(src);
    // A reader thread checkpoints the WAL while it waits; the writer then skips that work.
    const autocheckpoint = source.checkpoints
      ? (this.db.pragma('wal_autocheckpoint', { simple: true }) as number)
      : null;
    if (autocheckpoint !== null) this.db.pragma('wal_autocheckpoint = 0');
    try {
      for (const item of source.items) {
        this.handle(item);
        this.checkpoint();
      }
    } finally {
      // Closing releases the source's files / read-only connection even on cancel or error.
      source.close();
      this.run = null;
      if (autocheckpoint !== null) this.db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    }
    this.commit();
  }

  private handle(item: SourceItem): void {
    switch (item.kind) {
      case 'source':
        return;
      case 'totals':
        this.progress.experimentsTotal += item.experiments;
        this.progress.runsTotal += item.runs;
        this.sourcePointsEstimate = item.metricPoints;
        this.metricBytesTotal = item.metricBytes;
        this.emitProgress(true);
        return;
      case 'issue':
        this.issue(item.path, item.reason);
        return;
      case 'traces':
        this.report.counts.tracesSkipped += item.count;
        return;
      case 'experiment':
        this.setPhase('experiments', item.name);
        this.guard(`${this.sourcePath}#experiments/${item.sourceId}`, () => this.experiment(item));
        this.progress.experimentsDone++;
        return;
      case 'run':
        this.setPhase('runs', item.runId);
        this.run = null;
        this.guard(item.origin, () => this.startRun(item));
        return;
      case 'points':
        if (this.run?.runId === item.runId) this.guard(`${item.runId}/metrics/${item.key}`, () => this.points(item));
        return;
      case 'series-end':
        if (this.run?.runId === item.runId) this.guard(`${item.runId}/metrics/${item.key}`, () => this.seriesEnd(item));
        return;
      case 'run-end':
        this.endRun();
        return;
      case 'logged-model':
        this.setPhase('models', item.modelId);
        this.guard(`${this.sourcePath}#models/${item.modelId}`, () => this.loggedModel(item));
        return;
      case 'registered-model':
        this.setPhase('registry', item.name);
        this.guard(`${this.sourcePath}#registry/${item.name}`, () => this.registeredModel(item));
        return;
    }
  }

  /** Runs one item's writes; a failure skips that item (reported), never the import. */
  private guard(where: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof Cancelled) throw err;
      const code = (err as { code?: string }).code ?? '';
      // Losing the connection or the disk is not an input problem: stop (the store stays consistent).
      if (/^SQLITE_(FULL|IOERR|CORRUPT|NOTADB|READONLY|BUSY|NOMEM|CANTOPEN)/.test(code)) throw err;
      this.issue(where, `not imported: ${String((err as Error).message ?? err)}`);
    }
  }

  // ---------------------------------------------------------------- experiments

  private experiment(e: SourceExperiment): void {
    this.begin();
    const now = Date.now();
    let id: number | null = null;
    let action: ExperimentMapping['action'] = 'created';
    let created = 0;
    const mapped = this.book.mapping.get(this.sourceKey, e.sourceId);
    if (mapped && this.s.experimentById.get(mapped.experiment_id)) {
      id = mapped.experiment_id;
      action = 'reused';
      created = mapped.created;
    } else {
      const byName = this.s.experimentByName.get(e.name);
      if (byName) {
        id = byName.experiment_id;
        action = 'merged';
      } else {
        const wanted = /^\d+$/.test(e.sourceId) ? Number(e.sourceId) : NaN;
        if (Number.isSafeInteger(wanted) && !this.s.experimentById.get(wanted)) id = wanted;
        else {
          id = this.s.nextExperimentId.get()!.next;
          action = 'remapped';
        }
        created = 1;
        this.s.insertExperiment.run({
          experiment_id: id,
          name: e.name,
          artifact_location: experimentArtifactRoot(id),
          lifecycle_stage: e.lifecycleStage,
          creation_time: e.creationTime ?? e.lastUpdateTime ?? now,
          last_update_time: e.lastUpdateTime ?? e.creationTime ?? now,
        });
      }
    }
    if (created && action === 'reused') {
      this.s.syncExperimentLifecycle.run({
        experiment_id: id,
        lifecycle_stage: e.lifecycleStage,
        last_update_time: e.lastUpdateTime ?? 0,
      });
    }
    for (const t of e.tags) this.s.upsertExperimentTag.run(id, t.key, t.value);
    this.book.saveMapping.run({
      source_key: this.sourceKey,
      source_experiment_id: e.sourceId,
      experiment_id: id,
      name: e.name,
      created,
    });
    this.experimentIds.set(e.sourceId, id);
    if (action === 'created' || action === 'remapped') this.report.counts.experimentsCreated++;
    else this.report.counts.experimentsMerged++;
    this.report.experiments.push({
      source: this.sourcePath,
      sourceExperimentId: e.sourceId,
      name: e.name,
      experimentId: String(id),
      action,
    });
  }

  // ---------------------------------------------------------------- runs

  private startRun(r: SourceRun): void {
    const experimentId = this.experimentIds.get(r.sourceExperimentId);
    if (experimentId === undefined) {
      this.issue(r.origin, `experiment ${r.sourceExperimentId} was not imported: run skipped`);
      return;
    }
    let artifactUri = r.artifactUri;
    if (this.opts.copyArtifacts && r.localArtifactDir && this.opts.dataDir) {
      // File copies happen outside any transaction so the write lock is never held during I/O.
      this.commit();
      const rel = `${experimentId}/${r.runId}/artifacts`;
      const copied = copyArtifactTree(r.localArtifactDir, join(this.opts.dataDir, 'artifacts', rel), (p, reason) =>
        this.issue(p, reason),
      );
      this.report.counts.artifactFilesCopied += copied.files;
      if (copied.ok) artifactUri = `mlflow-artifacts:/${rel}`;
    } else if (this.opts.copyArtifacts && this.opts.dataDir && isLocalUri(r.artifactUri)) {
      // Nothing to copy yet, but the source folder may go away: future artifacts belong in Runlens.
      artifactUri = `mlflow-artifacts:/${experimentId}/${r.runId}/artifacts`;
    }
    this.begin();
    const existing = this.s.runByUuid.get(r.runId);
    let state: RunState;
    if (existing) {
      const changes = this.s.updateRun.run({
        run_pk: existing.run_pk,
        name: r.name || existing.name,
        status: r.status,
        end_time: r.endTime,
        lifecycle_stage: r.lifecycleStage,
        deleted_time: r.deletedTime,
      }).changes;
      let changed = changes > 0;
      if (artifactUri !== r.artifactUri)
        changed = this.s.setRunArtifactUri.run(artifactUri, existing.run_pk, artifactUri).changes > 0 || changed;
      state = { runId: r.runId, runPk: existing.run_pk, experimentId: existing.experiment_id, created: false, changed };
    } else {
      const info = this.s.insertRun.run({
        run_uuid: r.runId,
        experiment_id: experimentId,
        name: r.name,
        user_id: r.userId,
        status: r.status,
        start_time: r.startTime,
        end_time: r.endTime,
        lifecycle_stage: r.lifecycleStage,
        artifact_uri: artifactUri,
        source_type: r.sourceType,
        source_name: r.sourceName,
        entry_point_name: r.entryPointName,
        source_version: r.sourceVersion,
        deleted_time: r.deletedTime,
      });
      state = { runId: r.runId, runPk: Number(info.lastInsertRowid), experimentId, created: true, changed: true };
    }
    const c = this.report.counts;
    for (const p of r.params) {
      if (this.s.insertParam.run(state.runPk, p.key, p.value).changes > 0) {
        c.params++;
        state.changed = true;
      } else if (!state.created) {
        const old = this.s.paramValue.get(state.runPk, p.key);
        if (old && old.value !== p.value) {
          this.issue(
            `${r.origin}/params/${p.key}`,
            'param differs from the one already imported: kept the existing value',
          );
        }
      }
    }
    for (const t of r.tags) {
      if (this.s.upsertTag.run(state.runPk, t.key, t.value).changes > 0) {
        c.tags++;
        state.changed = true;
      }
    }
    for (const d of r.datasetInputs) {
      const ds = d.dataset;
      let pk = this.s.datasetByKey.get(state.experimentId, ds.name, ds.digest)?.dataset_pk;
      if (pk === undefined) {
        pk = Number(
          this.s.insertDataset.run({
            dataset_uuid: randomUUID().replace(/-/g, ''),
            experiment_id: state.experimentId,
            name: ds.name,
            digest: ds.digest,
            source_type: ds.sourceType,
            source: ds.source,
            schema: ds.schema,
            profile: ds.profile,
          }).lastInsertRowid,
        );
        c.datasets++;
      }
      if (
        this.s.insertDatasetInput.run(state.runPk, pk, randomUUID().replace(/-/g, ''), JSON.stringify(d.tags)).changes
      ) {
        c.datasetInputs++;
        state.changed = true;
      }
    }
    for (const m of r.modelInputs) {
      if (this.s.insertModelInput.run(state.runPk, m).changes) {
        c.modelInputs++;
        state.changed = true;
      }
    }
    for (const o of r.modelOutputs) {
      if (this.s.upsertModelOutput.run(state.runPk, o.modelId, o.step).changes) {
        c.modelOutputs++;
        state.changed = true;
      }
    }
    this.run = state;
  }

  private metricKeyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      this.s.insertMetricKey.run(key);
      id = this.s.metricKeyId.get(key)!.key_id;
      this.keyIds.set(key, id);
    }
    return id;
  }

  /** The hot path: points already sorted by (step, timestamp, value); POINT_ROWS per statement. */
  private points(item: SourcePoints): void {
    this.begin();
    const run = this.run!;
    const keyId = this.metricKeyId(item.key);
    const inserted = insertPoints(this.s, this.pointArgs, run.runPk, keyId, item.points);
    if (this.series.runPk !== run.runPk || this.series.key !== item.key) {
      this.series = newSeries(run.runPk, item.key);
    }
    const cur = this.series;
    cur.inserted += inserted;
    cur.read += item.points.n;
    const steps = item.points.steps;
    for (let i = 0; i < item.points.n && cur.increasing; i++) {
      const st = steps[i]!;
      if (st <= cur.lastStep) cur.increasing = false;
      cur.lastStep = st;
    }
    if (item.points.n && steps[0]! < cur.minStep) cur.minStep = steps[0]!;
    const n = item.points.n;
    this.txnPoints += n;
    this.sourcePointsDone += n;
    this.report.counts.metricPointsRead += n;
    this.report.counts.metricPointsInserted += inserted;
    if (inserted) run.changed = true;
    // Big series: commit between chunks so no transaction holds the lock for long.
    if (this.txnPoints >= (this.opts.batchPoints ?? DEFAULT_BATCH_POINTS)) this.checkpoint();
  }

  private seriesEnd(e: SourceSeriesEnd): void {
    this.metricBytesDone += e.bytes;
    this.begin();
    const nan = Number.isNaN(e.value);
    const cur = this.series;
    const same = cur.runPk === this.run!.runPk && cur.key === e.key;
    this.series = newSeries(0, '');
    this.s.upsertLatest.run({
      run_pk: this.run!.runPk,
      key_id: this.metricKeyId(e.key),
      step: e.step,
      timestamp: e.timestamp,
      value: nan ? 0 : e.value,
      is_nan: nan ? 1 : 0,
      min: e.min,
      max: e.max,
      n: same ? cur.inserted : 0,
      distinct: same && cur.increasing ? 1 : 0,
      min_step: same ? cur.minStep : e.step,
      marked: same && cur.marked ? 1 : 0,
      read: same ? cur.read : 0,
    });
  }

  private endRun(): void {
    const run = this.run;
    this.run = null;
    this.progress.runsDone++;
    if (!run) return;
    const c = this.report.counts;
    if (run.created) c.runsCreated++;
    else if (run.changed) c.runsUpdated++;
    else c.runsUnchanged++;
  }

  // ---------------------------------------------------------------- logged models & registry

  private loggedModel(m: SourceLoggedModel): void {
    const experimentId = this.experimentIds.get(m.sourceExperimentId);
    if (experimentId === undefined) {
      this.issue(
        `${this.sourcePath}#models/${m.modelId}`,
        `experiment ${m.sourceExperimentId} was not imported: model skipped`,
      );
      return;
    }
    let location = m.artifactLocation;
    if (this.opts.copyArtifacts && m.localArtifactDir && this.opts.dataDir) {
      this.commit();
      const rel = `${experimentId}/models/${m.modelId}/artifacts`;
      const copied = copyArtifactTree(m.localArtifactDir, join(this.opts.dataDir, 'artifacts', rel), (p, reason) =>
        this.issue(p, reason),
      );
      this.report.counts.artifactFilesCopied += copied.files;
      if (copied.ok) location = `mlflow-artifacts:/${rel}`;
    } else if (this.opts.copyArtifacts && this.opts.dataDir && isLocalUri(m.artifactLocation)) {
      location = `mlflow-artifacts:/${experimentId}/models/${m.modelId}/artifacts`;
    }
    this.begin();
    const isNew = !this.s.loggedModelExists.get(m.modelId);
    this.s.upsertLoggedModel.run({
      model_id: m.modelId,
      experiment_id: experimentId,
      name: m.name,
      artifact_location: location,
      creation_timestamp_ms: m.creationTimestamp,
      last_updated_timestamp_ms: m.lastUpdatedTimestamp,
      status: m.status,
      status_message: m.statusMessage,
      lifecycle_stage: m.lifecycleStage,
      model_type: m.modelType,
      source_run_id: m.sourceRunId,
    });
    for (const p of m.params) this.s.upsertLoggedModelParam.run(m.modelId, p.key, p.value);
    for (const t of m.tags) this.s.upsertLoggedModelTag.run(m.modelId, t.key, t.value);
    for (const x of m.metrics) {
      const nan = Number.isNaN(x.value);
      this.s.insertLoggedModelMetric.run(
        m.modelId,
        x.key,
        x.step,
        x.timestamp,
        nan ? 0 : x.value,
        nan ? 1 : 0,
        x.runId,
        x.datasetName,
        x.datasetDigest,
      );
    }
    if (isNew) this.report.counts.loggedModels++;
  }

  private registeredModel(m: SourceRegisteredModel): void {
    if (!this.registry) {
      this.issue(`${this.sourcePath}#registry/${m.name}`, 'model registry not available in this store: skipped');
      return;
    }
    // The registry store runs its own (nested-safe) transaction per model.
    this.begin();
    const counts = this.registry.importRegisteredModel({
      name: m.name,
      creation_timestamp: m.creationTime,
      last_updated_timestamp: m.lastUpdatedTime,
      description: m.description,
      tags: m.tags,
      aliases: m.aliases,
      versions: m.versions.map((v) => ({
        version: v.version,
        creation_timestamp: v.creationTime,
        last_updated_timestamp: v.lastUpdatedTime,
        description: v.description,
        user_id: v.userId,
        current_stage: v.currentStage,
        source: v.source,
        storage_location: v.storageLocation,
        run_id: v.runId,
        run_link: v.runLink,
        status: v.status as ModelVersionStatus,
        status_message: v.statusMessage,
        model_id: v.modelId,
        tags: v.tags,
      })),
    });
    const c = this.report.counts;
    c.registeredModels += counts.modelsCreated;
    c.modelVersions += counts.versionsCreated;
    c.modelAliases += m.aliases.length;
  }
}

function newSeries(runPk: number, key: string) {
  return { runPk, key, inserted: 0, read: 0, increasing: true, minStep: Infinity, lastStep: -Infinity, marked: false };
}

/** Binds points POINT_ROWS at a time; returns how many rows were new. */
function insertPoints(s: ImportStatements, args: number[], runPk: number, keyId: number, p: PointColumns): number {
  let inserted = 0;
  const { steps, timestamps, values } = p;
  const full = p.n - (p.n % POINT_ROWS);
  let i = 0;
  for (; i < full; i += POINT_ROWS) {
    for (let j = 0, o = 0; j < POINT_ROWS; j++, o += 6) {
      const v = values[i + j]!;
      const nan = v !== v;
      args[o] = runPk;
      args[o + 1] = keyId;
      args[o + 2] = steps[i + j]!;
      args[o + 3] = timestamps[i + j]!;
      args[o + 4] = nan ? 0 : v;
      args[o + 5] = nan ? 1 : 0;
    }
    inserted += s.insertPoints.run(args).changes;
  }
  for (; i < p.n; i++) {
    const v = values[i]!;
    const nan = v !== v;
    inserted += s.insertPoint.run(runPk, keyId, steps[i]!, timestamps[i]!, nan ? 0 : v, nan ? 1 : 0).changes;
  }
  return inserted;
}

function hasTable(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

export { BYTES_PER_POINT_ESTIMATE };

/** A URI that names a folder on this machine (file:, an absolute path, a drive path), not a remote store. */
function isLocalUri(uri: string): boolean {
  return /^file:/i.test(uri) || uri.startsWith('/') || /^[A-Za-z]:[\\/]/.test(uri);
}
