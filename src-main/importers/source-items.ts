import type { KeyValue, RunStatus } from '../core/entities';
import type { PointColumns } from './metric-parser';
import type { SourceKind } from './import-types';

/**
 * What a source reader (mlruns folder or mlflow.db) yields, in order: a `source` header, `totals`,
 * experiments, then per experiment its runs (each followed by its metric `points` chunks,
 * `series-end` summaries and `run-end`) and logged models, then registry entries. Issues may come
 * at any point. Ids are the source's own; the engine maps experiment ids. Artifact locations are
 * already re-rooted by the reader, which knows the source layout.
 */
export type SourceItem =
  | SourceHeader
  | SourceTotals
  | SourceExperiment
  | SourceRun
  | SourcePoints
  | SourceSeriesEnd
  | SourceRunEnd
  | SourceLoggedModel
  | SourceRegisteredModel
  | SourceTraces
  | SourceIssue;

export interface SourceHeader {
  kind: 'source';
  path: string;
  sourceKind: SourceKind;
}

export interface SourceTotals {
  kind: 'totals';
  experiments: number;
  runs: number;
  /** Estimated metric points (row count for a db, bytes / ~30 for files until measured). */
  metricPoints: number;
  /** Total size of metric files (mlruns), used to refine the estimate; 0 for a db. */
  metricBytes: number;
}

export interface SourceExperiment {
  kind: 'experiment';
  sourceId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: KeyValue[];
}

export interface SourceDataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface SourceRun {
  kind: 'run';
  runId: string;
  sourceExperimentId: string;
  name: string;
  userId: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  lifecycleStage: 'active' | 'deleted';
  deletedTime: number | null;
  artifactUri: string;
  /** Local folder holding the run's artifacts, when there is one (for copyArtifacts). */
  localArtifactDir: string | null;
  sourceType: string;
  sourceName: string;
  entryPointName: string;
  sourceVersion: string;
  params: KeyValue[];
  tags: KeyValue[];
  datasetInputs: { dataset: SourceDataset; tags: KeyValue[] }[];
  modelInputs: string[];
  modelOutputs: { modelId: string; step: number }[];
  /** Where the run was read from (for issues). */
  origin: string;
}

/** A chunk of one series' points (any length; series longer than a chunk come in several). */
export interface SourcePoints {
  kind: 'points';
  runId: string;
  key: string;
  points: PointColumns;
}

export interface SourceSeriesEnd {
  kind: 'series-end';
  runId: string;
  key: string;
  /** Bytes of the metric file read (mlruns; 0 for a db), for progress estimates. */
  bytes: number;
  count: number;
  step: number;
  timestamp: number;
  value: number;
  min: number | null;
  max: number | null;
}

export interface SourceRunEnd {
  kind: 'run-end';
  runId: string;
}

export interface SourceModelMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string;
  datasetName: string;
  datasetDigest: string;
}

export interface SourceLoggedModel {
  kind: 'logged-model';
  modelId: string;
  sourceExperimentId: string;
  name: string;
  artifactLocation: string;
  localArtifactDir: string | null;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  /** Proto names, as the logged-model store keeps them (LOGGED_MODEL_READY...). */
  status: string;
  statusMessage: string | null;
  lifecycleStage: 'active' | 'deleted';
  modelType: string | null;
  sourceRunId: string | null;
  params: KeyValue[];
  tags: KeyValue[];
  metrics: SourceModelMetric[];
}

export interface SourceModelVersion {
  version: number;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  description: string | null;
  userId: string | null;
  currentStage: string;
  source: string | null;
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  status: string;
  statusMessage: string | null;
  modelId: string | null;
  tags: KeyValue[];
}

export interface SourceRegisteredModel {
  kind: 'registered-model';
  name: string;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  description: string | null;
  tags: KeyValue[];
  aliases: { alias: string; version: number }[];
  versions: SourceModelVersion[];
}

export interface SourceTraces {
  kind: 'traces';
  count: number;
}

export interface SourceIssue {
  kind: 'issue';
  path: string;
  reason: string;
}

export const RUN_STATUS_BY_NUMBER: Record<number, RunStatus> = {
  1: 'RUNNING',
  2: 'SCHEDULED',
  3: 'FINISHED',
  4: 'FAILED',
  5: 'KILLED',
};

export const SOURCE_TYPE_BY_NUMBER: Record<number, string> = {
  1: 'NOTEBOOK',
  2: 'JOB',
  3: 'PROJECT',
  4: 'LOCAL',
  5: 'UNKNOWN',
  1000: 'UNKNOWN',
};

export const LOGGED_MODEL_STATUS_BY_NUMBER: Record<number, string> = {
  0: 'LOGGED_MODEL_STATUS_UNSPECIFIED',
  1: 'LOGGED_MODEL_PENDING',
  2: 'LOGGED_MODEL_READY',
  3: 'LOGGED_MODEL_UPLOAD_FAILED',
};

/** Logged-model status as text (mlflow.db and some YAML): READY / PENDING / FAILED / UNSPECIFIED. */
export function loggedModelStatus(v: unknown): string {
  if (typeof v === 'number') return LOGGED_MODEL_STATUS_BY_NUMBER[v] ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED';
  const s = String(v ?? '').toUpperCase();
  if (/^\d+$/.test(s)) return LOGGED_MODEL_STATUS_BY_NUMBER[Number(s)] ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED';
  if (s.startsWith('LOGGED_MODEL_')) return s;
  if (s === 'READY') return 'LOGGED_MODEL_READY';
  if (s === 'PENDING') return 'LOGGED_MODEL_PENDING';
  if (s === 'FAILED' || s === 'UPLOAD_FAILED') return 'LOGGED_MODEL_UPLOAD_FAILED';
  return 'LOGGED_MODEL_STATUS_UNSPECIFIED';
}
