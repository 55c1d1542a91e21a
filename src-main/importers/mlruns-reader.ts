import { basename, join } from 'node:path';
import type { RunStatus } from '../core/entities';
import { rerootMlrunsLocation } from './artifact-locations';
import { int, readMetaFile, str, tagList, type Meta } from './meta-yaml';
import { MetricLineParser, SeriesSummary, sortPoints } from './metric-parser';
import {
  describeError,
  fileChunks,
  listDir,
  readKeyValues,
  readText,
  walkFiles,
  type DirEntry,
  type IssueFn,
} from './safe-fs';
import { readMlrunsRegistry } from './mlruns-registry';
import {
  RUN_STATUS_BY_NUMBER,
  SOURCE_TYPE_BY_NUMBER,
  loggedModelStatus,
  type SourceDataset,
  type SourceItem,
  type SourceLoggedModel,
  type SourceModelMetric,
  type SourceRun,
} from './source-items';

/**
 * Reads an MLflow FileStore folder (`mlruns`, MLflow 1.x to 3.x) as a stream of SourceItems.
 * Layout (mlflow/store/tracking/file_store.py):
 *   <exp_id>/meta.yaml, <exp_id>/tags/<key>            experiments (deleted ones under .trash/)
 *   <exp_id>/<run_id>/meta.yaml, params/, tags/, metrics/ (keys with '/' are sub-folders),
 *                    inputs/<id>/meta.yaml, outputs/<id>/meta.yaml, artifacts/
 *   <exp_id>/datasets/<id>/meta.yaml                   datasets referenced by run inputs
 *   <exp_id>/models/<model_id>/...                     MLflow 3 logged models
 *   <exp_id>/traces/<trace_id>/...                     traces (not imported, counted)
 *   models/<name>/...                                  model registry
 * Files are read one at a time and metric files in chunks, so memory stays flat.
 */

/** Points per `points` item: large enough to amortize, small enough to keep memory flat. */
export const POINTS_PER_CHUNK = 65536;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** Average bytes of a metric line, for estimates before any file is read. */
export const BYTES_PER_POINT_ESTIMATE = 33;

const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces', 'models']);

interface ExperimentDir {
  dir: string;
  deleted: boolean;
  runDirs: DirEntry[];
  sourceId?: string;
  lifecycle?: 'active' | 'deleted';
  lastUpdate?: number | null;
}

const noIssue: IssueFn = () => undefined;

export function* readMlruns(root: string): Generator<SourceItem> {
  const pending: SourceItem[] = [];
  const issue: IssueFn = (path, reason) => pending.push({ kind: 'issue', path, reason });
  function* drain(): Generator<SourceItem> {
    while (pending.length) yield pending.shift()!;
  }

  yield { kind: 'source', path: root, sourceKind: 'mlruns' };

  // ---- scan: experiment folders, run folders and metric bytes (for progress totals)
  const top = listDir(root, issue) ?? [];
  const experiments: ExperimentDir[] = [];
  const addExperiment = (e: DirEntry, deleted: boolean): void => {
    const entries = listDir(e.path, issue) ?? [];
    if (!entries.some((x) => x.name === 'meta.yaml')) {
      issue(join(e.path, 'meta.yaml'), 'missing meta.yaml: folder is not an experiment, skipped');
      return;
    }
    const runDirs = entries.filter(
      (x) => x.isDir && !RESERVED_EXPERIMENT_FOLDERS.has(x.name) && !x.name.startsWith('.'),
    );
    experiments.push({ dir: e.path, deleted, runDirs });
  };
  for (const e of top) {
    if (!e.isDir || e.name === 'models' || e.name.startsWith('.')) continue;
    addExperiment(e, false);
  }
  const trash = top.find((e) => e.name === '.trash' && e.isDir);
  if (trash) for (const e of listDir(trash.path, issue) ?? []) if (e.isDir) addExperiment(e, true);

  let runsTotal = 0;
  let metricBytes = 0;
  for (const exp of experiments) {
    runsTotal += exp.runDirs.length;
    for (const r of exp.runDirs)
      for (const f of walkFiles(join(r.path, 'metrics'), noIssue, { sizes: true })) metricBytes += f.size;
  }
  yield {
    kind: 'totals',
    experiments: experiments.length,
    runs: runsTotal,
    metricPoints: Math.round(metricBytes / BYTES_PER_POINT_ESTIMATE),
    metricBytes,
  };
  yield* drain();

  // ---- experiments
  const readable: ExperimentDir[] = [];
  for (const exp of experiments) {
    const metaPath = join(exp.dir, 'meta.yaml');
    const meta = readMetaFile(metaPath, issue);
    const name = meta ? str(meta.name) : null;
    if (!meta || !name) {
      if (meta) issue(metaPath, 'experiment meta.yaml has no name: experiment skipped');
      if (exp.runDirs.length)
        issue(exp.dir, `experiment skipped, so its ${exp.runDirs.length} run(s) were not imported`);
      yield* drain();
      continue;
    }
    const sourceId = str(meta.experiment_id) ?? basename(exp.dir);
    const lifecycle = exp.deleted || meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active';
    const tags = new Map<string, string>();
    for (const t of tagList(meta.tags)) tags.set(t.key, t.value);
    for (const f of walkFiles(join(exp.dir, 'tags'), issue)) {
      const value = readText(f.path, issue);
      if (value !== null) tags.set(f.rel, value);
    }
    const location = rerootMlrunsLocation(str(meta.artifact_location) ?? '', root, exp.dir, 1);
    exp.sourceId = sourceId;
    exp.lifecycle = lifecycle;
    exp.lastUpdate = int(meta.last_update_time);
    readable.push(exp);
    yield {
      kind: 'experiment',
      sourceId,
      name,
      artifactLocation: location.uri || exp.dir,
      lifecycleStage: lifecycle,
      creationTime: int(meta.creation_time),
      lastUpdateTime: int(meta.last_update_time),
      tags: [...tags].map(([key, value]) => ({ key, value })),
    };
    yield* drain();
  }

  // ---- runs, logged models and traces, experiment by experiment
  for (const exp of readable) {
    const datasets = readDatasets(join(exp.dir, 'datasets'), issue);
    for (const runDir of exp.runDirs) {
      yield* readRun(root, exp, runDir.path, datasets, issue, pending);
      yield* drain();
    }
    yield* readLoggedModels(root, exp, issue);
    yield* drain();
    const traces = listDir(join(exp.dir, 'traces'), issue, { missingOk: true });
    if (traces?.length) yield { kind: 'traces', count: traces.filter((t) => t.isDir).length };
  }

  // ---- model registry
  yield* readMlrunsRegistry(root, issue);
  yield* drain();
}

function readDatasets(dir: string, issue: IssueFn): Map<string, SourceDataset> {
  const out = new Map<string, SourceDataset>();
  for (const d of listDir(dir, issue, { missingOk: true }) ?? []) {
    if (!d.isDir) continue;
    const meta = readMetaFile(join(d.path, 'meta.yaml'), issue);
    if (!meta) continue;
    const name = str(meta.name);
    const digest = str(meta.digest);
    if (name === null || digest === null) {
      issue(join(d.path, 'meta.yaml'), 'dataset without name or digest: skipped');
      continue;
    }
    out.set(d.name, {
      name,
      digest,
      sourceType: str(meta.source_type) ?? '',
      source: str(meta.source) ?? '',
      schema: str(meta.schema),
      profile: str(meta.profile),
    });
  }
  return out;
}

function runStatus(v: Meta[string] | undefined): RunStatus {
  if (typeof v === 'number') return RUN_STATUS_BY_NUMBER[v] ?? 'RUNNING';
  const s = String(v ?? '').toUpperCase();
  if (/^\d+$/.test(s)) return RUN_STATUS_BY_NUMBER[Number(s)] ?? 'RUNNING';
  return (['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const).find((x) => x === s) ?? 'RUNNING';
}

function sourceType(v: Meta[string] | undefined): string {
  if (typeof v === 'number') return SOURCE_TYPE_BY_NUMBER[v] ?? 'UNKNOWN';
  const s = String(v ?? '').toUpperCase();
  if (/^\d+$/.test(s)) return SOURCE_TYPE_BY_NUMBER[Number(s)] ?? 'UNKNOWN';
  return ['NOTEBOOK', 'JOB', 'PROJECT', 'LOCAL', 'UNKNOWN'].includes(s) ? s : 'UNKNOWN';
}

function* readRun(
  root: string,
  exp: ExperimentDir,
  runDir: string,
  datasets: Map<string, SourceDataset>,
  issue: IssueFn,
  pending: SourceItem[],
): Generator<SourceItem> {
  const metaPath = join(runDir, 'meta.yaml');
  const meta = readMetaFile(metaPath, issue);
  if (!meta) {
    issue(runDir, 'run skipped (no readable meta.yaml)');
    return;
  }
  const runId = str(meta.run_id) ?? str(meta.run_uuid) ?? basename(runDir);
  if (!/^[\w-]{1,256}$/.test(runId)) {
    issue(metaPath, `invalid run id ${JSON.stringify(runId)}: run skipped`);
    return;
  }
  // One listing of the run folder tells which of params/, tags/, inputs/... exist at all.
  const present = new Set((listDir(runDir, issue) ?? []).filter((e) => e.isDir).map((e) => e.name));
  const sub = (name: string): string | null => (present.has(name) ? join(runDir, name) : null);
  const params = sub('params') ? readKeyValues(join(runDir, 'params'), issue) : [];
  const tags = sub('tags') ? readKeyValues(join(runDir, 'tags'), issue) : [];
  const nameTag = tags.find((t) => t.key === 'mlflow.runName')?.value;
  const artifacts = rerootMlrunsLocation(str(meta.artifact_uri) ?? '', root, join(runDir, 'artifacts'), 2);
  const deleted = exp.lifecycle === 'deleted' || meta.lifecycle_stage === 'deleted';

  const inputs = sub('inputs') ? (listDir(join(runDir, 'inputs'), issue) ?? []) : [];
  const datasetInputs: SourceRun['datasetInputs'] = [];
  const modelInputs: string[] = [];
  for (const i of inputs) {
    if (!i.isDir) continue;
    const m = readMetaFile(join(i.path, 'meta.yaml'), issue);
    if (!m) continue;
    const sourceId = str(m.source_id) ?? '';
    if (m.source_type === 'DATASET') {
      const dataset = datasets.get(sourceId);
      if (!dataset) issue(join(i.path, 'meta.yaml'), `dataset ${sourceId} not found in the experiment: input skipped`);
      else datasetInputs.push({ dataset, tags: tagList(m.tags) });
    } else if (m.source_type === 'MODEL' && sourceId) modelInputs.push(sourceId);
  }
  const modelOutputs: SourceRun['modelOutputs'] = [];
  for (const o of sub('outputs') ? (listDir(join(runDir, 'outputs'), issue) ?? []) : []) {
    if (!o.isDir) continue;
    const m = readMetaFile(join(o.path, 'meta.yaml'), issue);
    if (!m || m.destination_type !== 'MODEL_OUTPUT') continue;
    const modelId = str(m.destination_id) ?? o.name;
    modelOutputs.push({ modelId, step: int(m.step) ?? 0 });
  }

  const metricFiles = sub('metrics') ? walkFiles(join(runDir, 'metrics'), issue) : [];
  yield {
    kind: 'run',
    runId,
    sourceExperimentId: exp.sourceId!,
    name: str(meta.run_name) || nameTag || '',
    userId: str(meta.user_id) ?? '',
    status: runStatus(meta.status),
    startTime: int(meta.start_time),
    endTime: int(meta.end_time),
    lifecycleStage: deleted ? 'deleted' : 'active',
    deletedTime: deleted ? (int(meta.deleted_time) ?? exp.lastUpdate ?? null) : null,
    artifactUri: artifacts.uri || join(runDir, 'artifacts'),
    localArtifactDir: artifacts.localDir,
    sourceType: sourceType(meta.source_type),
    sourceName: str(meta.source_name) ?? '',
    entryPointName: str(meta.entry_point_name) ?? '',
    sourceVersion: str(meta.source_version) ?? '',
    params,
    tags,
    datasetInputs,
    modelInputs,
    modelOutputs,
    origin: runDir,
  };
  while (pending.length) yield pending.shift()!;

  for (const f of metricFiles) {
    const parser = new MetricLineParser({ initialCapacity: 1024 });
    const summary = new SeriesSummary();
    let readOk = true;
    let bytes = 0;
    const chunks = fileChunks(f.path, READ_CHUNK_BYTES);
    try {
      for (const text of chunks) {
        bytes += text.length;
        parser.feed(text);
        if (parser.count >= POINTS_PER_CHUNK) {
          const points = sortPoints(parser.take());
          summary.add(points);
          yield { kind: 'points', runId, key: f.rel, points };
        }
      }
    } catch (err) {
      readOk = false;
      issue(f.path, describeError(err));
    }
    if (readOk) parser.end();
    if (parser.count > 0) {
      const points = sortPoints(parser.take());
      summary.add(points);
      yield { kind: 'points', runId, key: f.rel, points };
    }
    const e = parser.errors;
    if (e.count > 0) {
      issue(
        f.path,
        summary.count === 0
          ? `not a metric file (${e.count} unreadable line(s), first: ${JSON.stringify(e.firstText)}): skipped`
          : e.count === 1 && e.truncatedLast
            ? `truncated last line skipped (line ${e.firstLine}: ${JSON.stringify(e.firstText)})`
            : `${e.count} malformed line(s) skipped (first at line ${e.firstLine}: ${JSON.stringify(e.firstText)})`,
      );
    }
    if (summary.count > 0) {
      yield {
        kind: 'series-end',
        runId,
        key: f.rel,
        bytes,
        count: summary.count,
        step: summary.step,
        timestamp: summary.timestamp,
        value: summary.value,
        min: summary.min,
        max: summary.max,
      };
    }
    while (pending.length) yield pending.shift()!;
  }
  yield { kind: 'run-end', runId };
}

function* readLoggedModels(root: string, exp: ExperimentDir, issue: IssueFn): Generator<SourceItem> {
  for (const m of listDir(join(exp.dir, 'models'), issue, { missingOk: true }) ?? []) {
    if (!m.isDir) continue;
    const metaPath = join(m.path, 'meta.yaml');
    const meta = readMetaFile(metaPath, issue);
    if (!meta) continue;
    const modelId = str(meta.model_id) ?? m.name;
    const location = rerootMlrunsLocation(str(meta.artifact_location) ?? '', root, join(m.path, 'artifacts'), 3);
    const metrics: SourceModelMetric[] = [];
    for (const f of walkFiles(join(m.path, 'metrics'), issue)) {
      const text = readText(f.path, issue);
      if (text === null) continue;
      const parser = new MetricLineParser({ modelLines: true });
      parser.feed(text);
      parser.end();
      const cols = parser.take();
      for (let i = 0; i < cols.n; i++) {
        const x = parser.extra[i]!;
        metrics.push({
          key: f.rel,
          value: cols.values[i]!,
          timestamp: cols.timestamps[i]!,
          step: cols.steps[i]!,
          runId: x.runId,
          datasetName: x.datasetName,
          datasetDigest: x.datasetDigest,
        });
      }
      if (parser.errors.count) issue(f.path, `${parser.errors.count} malformed line(s) skipped`);
    }
    const created = int(meta.creation_timestamp) ?? 0;
    const item: SourceLoggedModel = {
      kind: 'logged-model',
      modelId,
      sourceExperimentId: exp.sourceId!,
      name: str(meta.name) ?? modelId,
      artifactLocation: location.uri || join(m.path, 'artifacts'),
      localArtifactDir: location.localDir,
      creationTimestamp: created,
      lastUpdatedTimestamp: int(meta.last_updated_timestamp) ?? created,
      status: loggedModelStatus(meta.status),
      statusMessage: str(meta.status_message),
      lifecycleStage: exp.lifecycle === 'deleted' || meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      modelType: str(meta.model_type),
      sourceRunId: str(meta.source_run_id),
      params: readKeyValues(join(m.path, 'params'), issue),
      tags: readKeyValues(join(m.path, 'tags'), issue),
      metrics,
    };
    yield item;
  }
}
