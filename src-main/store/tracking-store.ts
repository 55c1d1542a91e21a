import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import { experimentStatements, toExperiment, type ExperimentRow } from './experiments';
import { runStatements, toRunInfo, type RunRow } from './runs';
import { decodeValue, metricStatements, type StoredPoint } from './metrics';
import {
  gapsBetween,
  intervalSegment,
  listSegment,
  mergeSteps,
  sampleSegments,
  unionIntervals,
  type StepInterval,
  type StepSegment,
} from './step-sampling';
import { datasetStatements, type DatasetSummary } from './datasets';
import { MlflowError, invalidParam, notFound, alreadyExists } from '../core/errors';
import type { DatasetInput, Experiment, KeyValue, Metric, Run, RunInfo, RunStatus } from '../core/entities';
import { generateRunName } from '../core/run-names';
import { pythonJsonDumps } from '../core/python-json';

export const RUN_NAME_TAG = 'mlflow.runName';
export const LOGGED_MODELS_TAG = 'mlflow.log-model.history';
export const DEFAULT_EXPERIMENT_ID = '0';
/** MLflow's MAX_RESULTS_GET_METRIC_HISTORY: points per run in one get-history-bulk-interval answer. */
const MAX_POINTS_PER_RUN = 25000;

/** Listener told after each committed write, so the UI can update live (see query/events). */
export type ChangeListener = (change: StoreChange) => void;
export type StoreChange =
  { kind: 'experiment'; experimentId: string } | { kind: 'run'; experimentId: string; runId: string };

export interface CreateRunInput {
  experimentId: string;
  userId: string;
  startTime: number | null;
  tags: KeyValue[];
  runName: string | null;
}

export interface BatchInput {
  metrics: Metric[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** Parses an experiment id the way MLflow's SQL store does (`int(experiment_id)`). */
export function parseExperimentId(id: string | number | undefined | null): number {
  const text = String(id ?? '').trim();
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw notFound(`No Experiment with id=${String(id ?? '')} exists`);
  }
  return Number(text);
}

/**
 * The tracking store: experiments, runs, params, tags, metrics, datasets. Owns the single writer
 * connection; every write is one SQLite transaction, started IMMEDIATE so that it waits (busy_timeout)
 * for an import worker's write lock instead of failing with SQLITE_BUSY when it upgrades from read to write. Validation of request shapes happens in the
 * REST layer; this layer enforces MLflow's state rules (active run/experiment, immutable params).
 */
export class TrackingStore {
  readonly db: Db;
  readonly artifactRootUri: string;
  private readonly exp;
  private readonly run;
  private readonly met;
  private readonly ds;
  private readonly keyIds = new Map<string, number>();
  private listeners = new Set<ChangeListener>();

  constructor(db: Db, options: { artifactRootUri?: string } = {}) {
    this.db = db;
    this.artifactRootUri = options.artifactRootUri ?? 'mlflow-artifacts:';
    this.exp = experimentStatements(db);
    this.run = runStatements(db);
    this.met = metricStatements(db);
    this.ds = datasetStatements(db);
    this.ensureDefaultExperiment();
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Writes made through another connection (the import worker) never pass through this store:
   * announce them so every open window's live feed refreshes those experiments.
   */
  notifyExternalChange(experimentIds: readonly string[]): void {
    for (const experimentId of experimentIds) this.emit({ kind: 'experiment', experimentId });
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A broken listener must never fail a committed write.
      }
    }
  }

  private ensureDefaultExperiment(): void {
    if (!this.exp.byId.get(0)) {
      this.exp.insert.run({
        experiment_id: 0,
        name: 'Default',
        artifact_location: this.experimentArtifactLocation(0),
        now: Date.now(),
      });
    }
  }

  private experimentArtifactLocation(id: number): string {
    return `${this.artifactRootUri}/${id}`;
  }

  // ---------------------------------------------------------------- experiments

  createExperiment(name: string, artifactLocation: string | null, tags: KeyValue[]): string {
    return this.db
      .transaction(() => {
        const existing = this.exp.byName.get(name);
        if (existing) {
          throw alreadyExists(
            `Experiment(name=${name}) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: experiments.name`,
          );
        }
        const id = this.exp.nextId.get()!.next;
        this.exp.insert.run({
          experiment_id: id,
          name,
          artifact_location: artifactLocation || this.experimentArtifactLocation(id),
          now: Date.now(),
        });
        for (const t of tags) this.exp.setTag.run(id, t.key, t.value);
        this.emit({ kind: 'experiment', experimentId: String(id) });
        return String(id);
      })
      .immediate();
  }

  private experimentRow(id: string | number): ExperimentRow {
    const n = typeof id === 'number' ? id : parseExperimentId(id);
    const row = this.exp.byId.get(n);
    if (!row) throw notFound(`No Experiment with id=${id} exists`);
    return row;
  }

  getExperiment(id: string): Experiment {
    const row = this.experimentRow(id);
    return toExperiment(row, this.exp.tags.all(row.experiment_id));
  }

  getExperimentByName(name: string): Experiment | null {
    const row = this.exp.byName.get(name);
    return row ? toExperiment(row, this.exp.tags.all(row.experiment_id)) : null;
  }

  experimentFromRow(row: ExperimentRow): Experiment {
    return toExperiment(row, this.exp.tags.all(row.experiment_id));
  }

  renameExperiment(id: string, newName: string): void {
    this.db
      .transaction(() => {
        const row = this.experimentRow(id);
        if (row.lifecycle_stage !== 'active') {
          throw new MlflowError('Cannot rename a non-active experiment.', 'INVALID_STATE', 400);
        }
        const clash = this.exp.byName.get(newName);
        if (clash && clash.experiment_id !== row.experiment_id) {
          throw alreadyExists(`Experiment(name=${newName}) already exists.`);
        }
        this.exp.rename.run(newName, Date.now(), row.experiment_id);
      })
      .immediate();
    this.emit({ kind: 'experiment', experimentId: id });
  }

  /** Deleting an experiment also marks its runs deleted, as MLflow's SQL store does. */
  deleteExperiment(id: string): void {
    this.db
      .transaction(() => {
        const row = this.experimentRow(id);
        if (row.experiment_id === 0) {
          throw invalidParam('Cannot delete the default experiment (ID 0). This is a reserved experiment.');
        }
        const now = Date.now();
        this.exp.setLifecycle.run('deleted', now, row.experiment_id);
        this.exp.setRunsLifecycle.run('deleted', now, row.experiment_id, 'deleted');
      })
      .immediate();
    this.emit({ kind: 'experiment', experimentId: id });
  }

  restoreExperiment(id: string): void {
    this.db
      .transaction(() => {
        const row = this.experimentRow(id);
        if (row.lifecycle_stage !== 'deleted') {
          throw invalidParam(`Cannot restore an experiment that is not deleted. Experiment ID: ${id}`);
        }
        this.exp.setLifecycle.run('active', Date.now(), row.experiment_id);
        this.exp.setRunsLifecycle.run('active', null, row.experiment_id, 'active');
      })
      .immediate();
    this.emit({ kind: 'experiment', experimentId: id });
  }

  setExperimentTag(id: string, key: string, value: string): void {
    this.db
      .transaction(() => {
        const row = this.experimentRow(id);
        this.checkExperimentActive(row);
        this.exp.setTag.run(row.experiment_id, key, value);
        this.exp.touch.run(Date.now(), row.experiment_id);
      })
      .immediate();
    this.emit({ kind: 'experiment', experimentId: id });
  }

  deleteExperimentTag(id: string, key: string): void {
    this.db
      .transaction(() => {
        const row = this.experimentRow(id);
        this.checkExperimentActive(row);
        const info = this.exp.deleteTag.run(row.experiment_id, key);
        if (info.changes === 0) {
          throw notFound(`No tag with name: ${key} in experiment with id ${id}`);
        }
      })
      .immediate();
    this.emit({ kind: 'experiment', experimentId: id });
  }

  private checkExperimentActive(row: ExperimentRow): void {
    if (row.lifecycle_stage !== 'active') {
      throw invalidParam(
        `The experiment ${row.experiment_id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
  }

  // ---------------------------------------------------------------- runs

  createRun(input: CreateRunInput): Run {
    const run = this.db
      .transaction(() => {
        const exp = this.experimentRow(input.experimentId);
        this.checkExperimentActive(exp);
        const runUuid = randomUUID().replace(/-/g, '');
        const tags = [...input.tags];
        const nameTag = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
        if (input.runName && nameTag && input.runName !== nameTag) {
          throw invalidParam(
            "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values " +
              `(run_name='${input.runName}', mlflow.runName='${nameTag}').`,
          );
        }
        const name = input.runName || nameTag || generateRunName();
        if (!nameTag) tags.push({ key: RUN_NAME_TAG, value: name });
        const info = this.run.insert.run({
          run_uuid: runUuid,
          experiment_id: exp.experiment_id,
          name,
          user_id: input.userId,
          start_time: input.startTime,
          artifact_uri: `${exp.artifact_location.replace(/\/+$/, '')}/${runUuid}/artifacts`,
        });
        const pk = Number(info.lastInsertRowid);
        for (const t of tags) this.run.setTag.run(pk, t.key, t.value);
        return this.runByPk(pk);
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: run.info.experiment_id, runId: run.info.run_id });
    return run;
  }

  /** The run row, or MLflow's not-found error. */
  runRow(runId: string): RunRow {
    const row = this.run.byUuid.get(runId);
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  private activeRunRow(runId: string): RunRow {
    const row = this.runRow(runId);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParam(
        `The run ${row.run_uuid} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  getRun(runId: string): Run {
    return this.runByPk(this.runRow(runId).run_pk);
  }

  /** Assembles a full Run entity: info, latest metrics, params, tags, inputs and outputs. */
  runByPk(pk: number): Run {
    const row = this.run.byPk.get(pk);
    if (!row) throw notFound(`Run not found`);
    return this.assembleRun(row);
  }

  assembleRun(row: RunRow): Run {
    const pk = row.run_pk;
    const metrics = this.met.latestForRun.all(pk).map((m) => ({
      key: m.key,
      value: decodeValue(m.value, m.is_nan),
      timestamp: m.timestamp,
      step: m.step,
    }));
    const params = this.run.params.all(pk);
    const tags = this.run.tags.all(pk);
    const run: Run = { info: toRunInfo(row), data: {}, inputs: {}, outputs: {} };
    if (metrics.length) run.data.metrics = metrics;
    if (params.length) run.data.params = params;
    if (tags.length) run.data.tags = tags;
    const datasetInputs = this.ds.inputsForRun(pk);
    if (datasetInputs.length) run.inputs.dataset_inputs = datasetInputs;
    const modelInputs = this.ds.modelInputs.all(pk);
    if (modelInputs.length) run.inputs.model_inputs = modelInputs;
    const outputs = this.ds.modelOutputs.all(pk);
    if (outputs.length) run.outputs.model_outputs = outputs;
    return run;
  }

  updateRun(runId: string, status: RunStatus | null, endTime: number | null, runName: string | null): RunInfo {
    const info = this.db
      .transaction(() => {
        const row = this.activeRunRow(runId);
        this.run.update.run({ run_pk: row.run_pk, status, end_time: endTime, name: runName || null });
        if (runName) this.run.setTag.run(row.run_pk, RUN_NAME_TAG, runName);
        return toRunInfo(this.run.byPk.get(row.run_pk)!);
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: info.experiment_id, runId });
    return info;
  }

  deleteRun(runId: string): void {
    const row = this.runRow(runId);
    this.run.setLifecycle.run('deleted', Date.now(), row.run_pk);
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  restoreRun(runId: string): void {
    const row = this.runRow(runId);
    this.run.setLifecycle.run('active', null, row.run_pk);
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  setTag(runId: string, key: string, value: string): void {
    const row = this.db
      .transaction(() => {
        const r = this.activeRunRow(runId);
        this.run.setTag.run(r.run_pk, key, value);
        // The run name lives both in the row and in the mlflow.runName tag; keep them equal.
        if (key === RUN_NAME_TAG) this.run.rename.run(value, r.run_pk);
        return r;
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  deleteTag(runId: string, key: string): void {
    const row = this.db
      .transaction(() => {
        const r = this.activeRunRow(runId);
        if (this.run.deleteTag.run(r.run_pk, key).changes === 0) {
          throw notFound(`No tag with name: ${key} in run with id ${runId}`);
        }
        return r;
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  logParam(runId: string, key: string, value: string): void {
    this.logBatch(runId, { metrics: [], params: [{ key, value }], tags: [] }, true);
  }

  logMetric(runId: string, metric: Metric): void {
    this.logBatch(runId, { metrics: [metric], params: [], tags: [] });
  }

  /**
   * Params, metrics and tags of one request in one transaction: either all land or none do.
   * A param logged again with the same value is fine; a different value is MLflow's error.
   */
  logBatch(runId: string, batch: BatchInput, singleParam = false): void {
    const row = this.db
      .transaction(() => {
        const r = this.activeRunRow(runId);
        const pk = r.run_pk;
        const conflicts: { key: string; old_value: string; new_value: string }[] = [];
        for (const p of batch.params) {
          const existing = this.run.param.get(pk, p.key);
          if (existing === undefined) this.run.insertParam.run(pk, p.key, p.value);
          else if (existing.value !== p.value)
            conflicts.push({ key: p.key, old_value: existing.value, new_value: p.value });
        }
        if (conflicts.length) {
          if (singleParam) {
            const c = conflicts[0]!;
            throw invalidParam(
              `Changing param values is not allowed. Param with key='${c.key}' was already logged with ` +
                `value='${c.old_value}' for run ID='${runId}'. Attempted logging new value '${c.new_value}'.`,
            );
          }
          const listed = conflicts
            .map((c) => `{'key': '${c.key}', 'old_value': '${c.old_value}', 'new_value': '${c.new_value}'}`)
            .join(', ');
          throw invalidParam(
            `Changing param values is not allowed. Params were already logged='[${listed}]' for run ID='${runId}'.`,
          );
        }
        this.insertPoints(pk, batch.metrics);
        for (const t of batch.tags) {
          this.run.setTag.run(pk, t.key, t.value);
          if (t.key === RUN_NAME_TAG) this.run.rename.run(t.value, pk);
        }
        return r;
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  /** Interns a metric key, caching ids in memory (keys are never deleted). */
  metricKeyId(key: string, create = true): number | undefined {
    const cached = this.keyIds.get(key);
    if (cached !== undefined) return cached;
    const found = this.met.keyId.get(key);
    let id = found?.key_id;
    if (id === undefined) {
      if (!create) return undefined;
      id = Number(this.met.insertKey.run(key).lastInsertRowid);
    }
    this.keyIds.set(key, id);
    return id;
  }

  /**
   * Inserts points (deduplicated by the primary key) and folds what was new into
   * `latest_metrics` once per key. Call inside a transaction.
   */
  insertPoints(runPk: number, metrics: readonly Metric[]): void {
    const summaries = new Map<number, SeriesSummary>();
    for (const m of metrics) {
      const p = toStoredPoint(this.metricKeyId(m.key)!, m);
      if (this.met.insertPoint.run(runPk, p.keyId, p.step, p.timestamp, p.value, p.isNan).changes === 0) continue;
      const s = summaries.get(p.keyId);
      if (!s) summaries.set(p.keyId, newSummary(p));
      else foldPoint(s, p);
    }
    for (const [keyId, s] of summaries) {
      this.met.upsertLatest.run({
        run_pk: runPk,
        key_id: keyId,
        step: s.latest.step,
        timestamp: s.latest.timestamp,
        value: s.latest.value,
        is_nan: s.latest.isNan,
        min: s.min,
        max: s.max,
        n: s.n,
        distinct: stepsDistinct(s),
        min_step: s.minStep,
      });
    }
  }

  /**
   * History of one metric, ordered by timestamp, step, value (MLflow's order). A run that does not
   * exist has no history (MLflow's store does not check the run either).
   */
  getMetricHistory(runId: string, key: string, offset = 0, limit = -1): Metric[] {
    const row = this.run.byUuid.get(runId);
    const keyId = this.metricKeyId(key, false);
    if (!row || keyId === undefined) return [];
    return this.met.historyPage
      .all({ run_pk: row.run_pk, key_id: keyId, limit, offset })
      .map((m) => ({ key, value: decodeValue(m.value, m.is_nan), timestamp: m.timestamp, step: m.step }));
  }

  // ---------------------------------------------------------------- inputs / outputs

  /** MLflow's search-datasets (the UI's dataset summaries) for the given experiments. */
  searchDatasetSummaries(experimentIds: string[]): DatasetSummary[] {
    return this.ds.datasetSummaries(experimentIds);
  }

  logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): void {
    const row = this.db
      .transaction(() => {
        const r = this.activeRunRow(runId);
        this.ds.logDatasetInputs(r.experiment_id, r.run_pk, datasets);
        for (const id of modelIds) this.ds.insertModelInput.run(r.run_pk, id);
        return r;
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  logOutputs(runId: string, outputs: { model_id: string; step: number }[]): void {
    const row = this.db
      .transaction(() => {
        const r = this.activeRunRow(runId);
        for (const o of outputs) this.ds.insertModelOutput.run(r.run_pk, o.model_id, o.step);
        return r;
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  /**
   * `mlflow.log-model.history`: the run tag MLflow appends each logged model's summary to
   * (run_id, artifact_path, utc_time_created, model_uuid and flavors without their `config`).
   */
  recordLoggedModel(runId: string, model: Record<string, unknown>): void {
    const row = this.db
      .transaction(() => {
        const r = this.activeRunRow(runId);
        const summary: Record<string, unknown> = {};
        for (const k of ['run_id', 'utc_time_created', 'artifact_path', 'model_uuid'])
          if (k in model) summary[k] = model[k];
        const flavors = (model.flavors ?? {}) as Record<string, unknown>;
        summary.flavors = Object.fromEntries(
          Object.entries(flavors).map(([name, conf]) => [
            name,
            conf && typeof conf === 'object' && !Array.isArray(conf)
              ? Object.fromEntries(Object.entries(conf as Record<string, unknown>).filter(([k]) => k !== 'config'))
              : conf,
          ]),
        );
        const previous = this.run.tag.get(r.run_pk, LOGGED_MODELS_TAG)?.value;
        let list: unknown[] = [];
        if (previous) {
          try {
            const parsed: unknown = JSON.parse(previous);
            if (Array.isArray(parsed)) list = parsed;
          } catch {
            list = [];
          }
        }
        list.push(summary);
        const value = pythonJsonDumps(list);
        if (value.length > 8000)
          throw invalidParam(`'${LOGGED_MODELS_TAG}' exceeds the maximum length of 8000 characters`);
        this.run.setTag.run(r.run_pk, LOGGED_MODELS_TAG, value);
        return r;
      })
      .immediate();
    this.emit({ kind: 'run', experimentId: String(row.experiment_id), runId });
  }

  /**
   * MLflow's get-history-bulk-interval: steps are sampled over the union of the runs' distinct
   * steps in [start, end] (at most `maxResults`, evenly by index, plus the last), together with
   * each run's own first and last step when in range; every run (in request order, repeats
   * included, unknown runs skipped) returns its points at those steps, at most 25,000, ordered by
   * step, timestamp, value. The union of steps is held as ordered segments
   * (store/step-sampling.ts): a series the writers proved to have one point per step
   * (latest_metrics.steps_distinct = 1 and point count = step span) is one integer interval known
   * from two index seeks; the steps of other series count only outside those intervals — one such
   * series is counted and walked to the sampled positions inside SQLite, several are listed and
   * merged. The points at the chosen steps come back in one statement per run.
   */
  getMetricHistoryBulkInterval(
    runIds: string[],
    key: string,
    maxResults: number,
    startStep: number | null,
    endStep: number | null,
  ): Metric[] {
    const keyId = this.metricKeyId(key, false);
    if (keyId === undefined) return [];
    type Shape = { pk: number; min: number; max: number; n: number | null; distinct: number | null };
    const shapes = new Map<number, Shape | null>();
    const series: { uuid: string; shape: Shape }[] = [];
    for (const id of runIds) {
      const r = this.run.byUuid.get(id);
      if (!r) continue;
      let shape = shapes.get(r.run_pk);
      if (shape === undefined) {
        const row = this.met.seriesShape.get({ run_pk: r.run_pk, key_id: keyId });
        shape =
          row && row.min_step !== null && row.max_step !== null
            ? { pk: r.run_pk, min: row.min_step, max: row.max_step, n: row.n, distinct: row.steps_distinct }
            : null;
        shapes.set(r.run_pk, shape);
      }
      if (shape) series.push({ uuid: r.run_uuid, shape });
    }
    if (!series.length) return [];
    const unique = [...shapes.values()].filter((s): s is Shape => s !== null);
    // MLflow: without a range, from step 0 to the greatest step of all runs.
    const start = startStep ?? 0;
    const end = endStep ?? Math.max(...unique.map((s) => s.max));
    const edges: number[] = [];
    for (const s of unique) for (const edge of [s.min, s.max]) if (edge >= start && edge <= end) edges.push(edge);
    const inRange = unique.filter((s) => s.max >= start && s.min <= end);
    const isDense = (s: Shape): boolean => s.distinct === 1 && s.n === s.max - s.min + 1;
    // The union of the runs' steps in [start, end], as ordered segments: the dense series' merged
    // intervals, and between them the other series' steps (none of those inside an interval is
    // ever read). One such series is counted and walked inside SQLite; several are listed and merged.
    const intervals = unionIntervals(
      inRange.filter(isDense).map((s): StepInterval[] => [[Math.max(s.min, start), Math.min(s.max, end)]]),
    );
    const listed = inRange.filter((s) => !isDense(s));
    const segments: StepSegment[] = [];
    const gaps = listed.length ? gapsBetween(intervals, start, end) : [];
    let g = 0;
    for (const interval of [...intervals, null]) {
      for (; g < gaps.length && (interval === null || gaps[g]![0] < interval[0]); g++) {
        const [a, b] = gaps[g]!;
        if (listed.length === 1) {
          const seg = this.walkedSegment(listed[0]!, keyId, a, b);
          if (seg.count) segments.push(seg);
        } else {
          const steps = mergeSteps(listed.map((s) => this.met.distinctSteps.all(s.pk, keyId, a, b)));
          if (steps.length) segments.push(listSegment(steps));
        }
      }
      if (interval) segments.push(intervalSegment(interval));
    }
    const chosen = sampleSegments(segments, maxResults);
    const steps = edges.length ? [...new Set([...chosen, ...edges])].sort((a, b) => a - b) : chosen;
    if (!steps.length) return [];
    const list = JSON.stringify(steps);
    const rowsByRun = new Map<number, [number, number, number, number][]>();
    const out: Metric[] = [];
    for (const { uuid, shape } of series) {
      let rows = rowsByRun.get(shape.pk);
      if (!rows) {
        rows = this.met.pointsAtSteps.all(shape.pk, keyId, list, MAX_POINTS_PER_RUN);
        rowsByRun.set(shape.pk, rows);
      }
      for (const [step, timestamp, value, isNan] of rows) {
        out.push({ key, value: decodeValue(value, isNan), timestamp, step, run_id: uuid });
      }
    }
    return out;
  }

  /**
   * The steps of one series in [a, b] as a segment that stays inside SQLite: counted (or, when the
   * series' steps are proven distinct and [a, b] holds all of them, its point count), listed only
   * when they are all wanted, else walked along the primary key from one asked position to the
   * next (LIMIT 1 OFFSET gap), so the series' steps never come into JavaScript.
   */
  private walkedSegment(
    s: { pk: number; min: number; max: number; n: number | null; distinct: number | null },
    keyId: number,
    a: number,
    b: number,
  ): StepSegment {
    const lo = Math.max(a, s.min);
    const hi = Math.min(b, s.max);
    if (lo > hi) return listSegment([]);
    const proven = s.distinct === 1;
    const count =
      proven && s.n !== null && lo === s.min && hi === s.max
        ? s.n
        : (proven ? this.met.countPoints : this.met.countDistinctSteps).get(s.pk, keyId, lo, hi)!;
    const nth = proven ? this.met.nthStepAfter : this.met.nthDistinctStepAfter;
    let prevOffset = -1;
    let prevStep = lo - 1; // steps are integers: "> lo - 1" is ">= lo"
    return {
      count,
      at: (offset) => {
        if (offset !== prevOffset) {
          const step = nth.get(s.pk, keyId, prevStep, hi, offset - prevOffset - 1);
          // Only a count out of step with the rows could miss; MLflow would have no such index.
          if (step === undefined) throw new Error(`metric series ${s.pk}/${keyId}: fewer steps than counted`);
          prevOffset = offset;
          prevStep = step;
        }
        return prevStep;
      },
      all: () => this.met.distinctSteps.all(s.pk, keyId, lo, hi),
    };
  }

  /** Ids of runs deleted at or before `olderThanMs` (for cleanup tools). */
  deletedRunIds(olderThanMs: number): string[] {
    return this.run.deletedBefore.all(olderThanMs).map((r) => r.run_uuid);
  }
}

/**
 * Latest point (MLflow's order: step, timestamp, value), NaN-free min/max and count of a batch's
 * new points of one key, plus what `latest_metrics.steps_distinct` needs: their smallest step and
 * whether their steps are pairwise distinct (checked in passing while they arrive increasing, as
 * from a training loop; by sorting the batch's steps otherwise).
 */
export interface SeriesSummary {
  latest: StoredPoint;
  min: number | null;
  max: number | null;
  n: number;
  minStep: number;
  /** Whether every step so far was greater than the one before. */
  increasing: boolean;
  steps: number[];
}

export function newSummary(p: StoredPoint): SeriesSummary {
  return {
    latest: p,
    min: p.isNan ? null : p.value,
    max: p.isNan ? null : p.value,
    n: 1,
    minStep: p.step,
    increasing: true,
    steps: [p.step],
  };
}

export function foldPoint(s: SeriesSummary, p: StoredPoint): void {
  s.n++;
  if (p.step <= s.steps[s.steps.length - 1]!) s.increasing = false;
  if (p.step < s.minStep) s.minStep = p.step;
  s.steps.push(p.step);
  const l = s.latest;
  if (
    p.step > l.step ||
    (p.step === l.step && (p.timestamp > l.timestamp || (p.timestamp === l.timestamp && p.value > l.value)))
  ) {
    s.latest = p;
  }
  if (!p.isNan) {
    if (s.min === null || p.value < s.min) s.min = p.value;
    if (s.max === null || p.value > s.max) s.max = p.value;
  }
}

/** 1 when the summarised points have pairwise distinct steps. */
export function stepsDistinct(s: SeriesSummary): 0 | 1 {
  if (s.increasing) return 1;
  const sorted = Float64Array.from(s.steps).sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return 0;
  return 1;
}

export function toStoredPoint(keyId: number, m: Metric): StoredPoint {
  const isNan = Number.isNaN(m.value);
  return { keyId, value: isNan ? 0 : m.value, isNan: isNan ? 1 : 0, timestamp: m.timestamp, step: m.step };
}
