/**
 * Types shared by the import engine, its worker, its routes and the CLI. Everything here is plain
 * data (structured-clone safe) so it crosses the worker boundary unchanged.
 */

export type SourceKind = 'mlruns' | 'mlflow-db';

export interface ImportOptions {
  /** Dropped folders (`mlruns`, or a folder holding one) and/or `mlflow.db` files. */
  paths: string[];
  /** Copy local artifacts into `<dataDir>/artifacts/...` instead of pointing at them in place. */
  copyArtifacts?: boolean;
}

export type ImportPhase =
  | 'queued'
  | 'scanning'
  | 'experiments'
  | 'runs'
  | 'models'
  | 'registry'
  | 'finishing'
  | 'done'
  | 'cancelled'
  | 'failed';

export interface ImportProgress {
  phase: ImportPhase;
  /** The source being read (absolute path). */
  source: string | null;
  /** What is being read right now (a run id, a model name...). */
  current: string | null;
  experimentsDone: number;
  experimentsTotal: number;
  runsDone: number;
  runsTotal: number;
  metricPointsDone: number;
  /** Estimate from file sizes (mlruns) or row counts (mlflow.db); refined as files are read. */
  metricPointsTotal: number;
  issues: number;
  elapsedMs: number;
}

/** One problem found in the input: the file (or table/row) and why it was skipped. */
export interface ImportIssue {
  path: string;
  reason: string;
}

export interface ExperimentMapping {
  source: string;
  sourceExperimentId: string;
  name: string;
  experimentId: string;
  /** created: new experiment; merged: same name existed; remapped: created with a different id. */
  action: 'created' | 'merged' | 'remapped' | 'reused';
}

export interface ImportCounts {
  experimentsCreated: number;
  experimentsMerged: number;
  runsCreated: number;
  runsUpdated: number;
  runsUnchanged: number;
  params: number;
  tags: number;
  metricPointsRead: number;
  metricPointsInserted: number;
  datasets: number;
  datasetInputs: number;
  modelInputs: number;
  modelOutputs: number;
  loggedModels: number;
  registeredModels: number;
  modelVersions: number;
  modelAliases: number;
  tracesSkipped: number;
  artifactFilesCopied: number;
}

export type ImportStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface ImportReport {
  id: string;
  status: ImportStatus;
  paths: string[];
  sources: { path: string; kind: SourceKind }[];
  startedAt: number;
  finishedAt: number | null;
  durationMs: number;
  counts: ImportCounts;
  experiments: ExperimentMapping[];
  /** First issues (capped); `issueCount` is the total. */
  issues: ImportIssue[];
  issueCount: number;
  /** Set when the import stopped on an unexpected error (the store stays consistent). */
  error?: string;
}

export const emptyCounts = (): ImportCounts => ({
  experimentsCreated: 0,
  experimentsMerged: 0,
  runsCreated: 0,
  runsUpdated: 0,
  runsUnchanged: 0,
  params: 0,
  tags: 0,
  metricPointsRead: 0,
  metricPointsInserted: 0,
  datasets: 0,
  datasetInputs: 0,
  modelInputs: 0,
  modelOutputs: 0,
  loggedModels: 0,
  registeredModels: 0,
  modelVersions: 0,
  modelAliases: 0,
  tracesSkipped: 0,
  artifactFilesCopied: 0,
});

export const MAX_REPORTED_ISSUES = 1000;
