/**
 * MLflow 3.5.1's GraphQL schema (mlflow/server/graphql: the types generated from its protos plus
 * graphql_schema_extensions.py), with graphene's camelCase field names. Type strings: `Name`,
 * `[Name]`, `[Name!]`. Resolvers of root fields call the same JSON route handlers as the REST API,
 * as MLflow's resolvers call its REST `*_impl` functions.
 */

export type Call = (method: 'GET' | 'POST', path: string, params: Record<string, unknown>) => Promise<any>;

export interface FieldDef {
  type: string;
  args?: Record<string, string>;
  /** Custom resolution; the default reads the snake_case property of the parent (proto default when unset). */
  resolve?: (parent: any, args: Record<string, any>, call: Call) => unknown;
}

export const SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'LongString']);

export const ENUMS: Record<string, readonly string[]> = {
  MlflowDeploymentJobConnectionState: [
    'DEPLOYMENT_JOB_CONNECTION_STATE_UNSPECIFIED',
    'NOT_SET_UP',
    'CONNECTED',
    'NOT_FOUND',
    'REQUIRED_PARAMETERS_CHANGED',
  ],
  MlflowModelVersionDeploymentJobStateDeploymentJobRunState: [
    'DEPLOYMENT_JOB_RUN_STATE_UNSPECIFIED',
    'NO_VALID_DEPLOYMENT_JOB_FOUND',
    'RUNNING',
    'SUCCEEDED',
    'FAILED',
    'PENDING',
    'APPROVAL',
  ],
  MlflowModelVersionStatus: ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'],
  MlflowRunStatus: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'],
  MlflowViewType: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'],
};

export const INPUTS: Record<string, Record<string, string>> = {
  MlflowSearchModelVersionsInput: {
    filter: 'String',
    maxResults: 'LongString',
    orderBy: '[String]',
    pageToken: 'String',
  },
  MlflowSearchDatasetsInput: { experimentIds: '[String]' },
  MlflowGetMetricHistoryBulkIntervalInput: {
    runIds: '[String]',
    metricKey: 'String',
    startStep: 'Int',
    endStep: 'Int',
    maxResults: 'Int',
  },
  MlflowListArtifactsInput: { runId: 'String', runUuid: 'String', path: 'String', pageToken: 'String' },
  MlflowSearchRunsInput: {
    experimentIds: '[String]',
    filter: 'String',
    runViewType: 'MlflowViewType',
    maxResults: 'Int',
    orderBy: '[String]',
    pageToken: 'String',
  },
  MlflowGetRunInput: { runId: 'String', runUuid: 'String' },
  MlflowGetExperimentInput: { experimentId: 'String' },
};

const s = (type: string): FieldDef => ({ type });
const kv = (): Record<string, FieldDef> => ({ key: s('String'), value: s('String') });
/** Not a proto field: null unless resolved. */
const API_ERROR: FieldDef = { type: 'ApiError', resolve: () => null };

const NAN_AS_NULL: FieldDef = {
  type: 'Float',
  // MlflowMetricExtension: a NaN metric would fail Float serialization, so it reads as null.
  resolve: (m: { value?: number }) => (m.value === undefined ? 0 : Number.isNaN(m.value) ? null : m.value),
};

/** Strips unset (null) inputs and renames camelCase inputs to the proto's snake_case names. */
export function inputParams(input: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input ?? {})) {
    if (v !== null && v !== undefined) out[snakeCase(k)] = v;
  }
  return out;
}

export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const runExtension: Record<string, FieldDef> = {
  info: s('MlflowRunInfo'),
  data: s('MlflowRunData'),
  inputs: s('MlflowRunInputs'),
  outputs: s('MlflowRunOutputs'),
  experiment: {
    type: 'MlflowExperiment',
    resolve: async (run, _args, call) =>
      (await call('GET', '/mlflow/experiments/get', { experiment_id: run.info?.experiment_id ?? '' })).experiment,
  },
  modelVersions: {
    type: '[MlflowModelVersion!]',
    resolve: async (run, _args, call) =>
      (await call('GET', '/mlflow/model-versions/search', { filter: `run_id='${run.info?.run_id ?? ''}'` }))
        .model_versions ?? [],
  },
};

export const OBJECTS: Record<string, Record<string, FieldDef>> = {
  Query: {
    mlflowGetExperiment: {
      type: 'MlflowGetExperimentResponse',
      args: { input: 'MlflowGetExperimentInput' },
      resolve: (_p, a, call) => call('GET', '/mlflow/experiments/get', inputParams(a.input)),
    },
    mlflowGetMetricHistoryBulkInterval: {
      type: 'MlflowGetMetricHistoryBulkIntervalResponse',
      args: { input: 'MlflowGetMetricHistoryBulkIntervalInput' },
      resolve: (_p, a, call) => {
        // MLflow's impl reads max_results / start_step / end_step from the HTTP query string, which
        // a GraphQL request does not have: only the runs and the key count here.
        const { run_ids, metric_key } = inputParams(a.input);
        return call('GET', '/mlflow/metrics/get-history-bulk-interval', { run_ids, metric_key });
      },
    },
    mlflowGetRun: {
      type: 'MlflowGetRunResponse',
      args: { input: 'MlflowGetRunInput' },
      resolve: (_p, a, call) => call('GET', '/mlflow/runs/get', inputParams(a.input)),
    },
    mlflowListArtifacts: {
      type: 'MlflowListArtifactsResponse',
      args: { input: 'MlflowListArtifactsInput' },
      resolve: (_p, a, call) => call('GET', '/mlflow/artifacts/list', inputParams(a.input)),
    },
    mlflowSearchModelVersions: {
      type: 'MlflowSearchModelVersionsResponse',
      args: { input: 'MlflowSearchModelVersionsInput' },
      resolve: (_p, a, call) => call('GET', '/mlflow/model-versions/search', inputParams(a.input)),
    },
    test: {
      type: 'Test',
      args: { inputString: 'String' },
      resolve: (_p, a) => ({ output: a.inputString ?? null }),
    },
    mlflowSearchRuns: {
      type: 'MlflowSearchRunsResponse',
      args: { input: 'MlflowSearchRunsInput' },
      resolve: (_p, a, call) => call('POST', '/mlflow/runs/search', inputParams(a.input)),
    },
  },
  Mutation: {
    mlflowSearchDatasets: {
      type: 'MlflowSearchDatasetsResponse',
      args: { input: 'MlflowSearchDatasetsInput' },
      resolve: (_p, a, call) => call('POST', '/mlflow/experiments/search-datasets', inputParams(a.input)),
    },
    mlflowSearchRuns: {
      type: 'MlflowSearchRunsResponse',
      args: { input: 'MlflowSearchRunsInput' },
      resolve: (_p, a, call) => call('POST', '/mlflow/runs/search', inputParams(a.input)),
    },
    // graphene finds no resolver for this attribute name in MLflow, so it always answers null.
    testMutation: { type: 'TestMutation', args: { inputString: 'String' }, resolve: () => null },
  },
  Test: { output: s('String') },
  TestMutation: { output: s('String') },
  ApiError: {
    code: s('String'),
    message: s('String'),
    helpUrl: s('String'),
    traceId: s('String'),
    errorDetails: s('[ErrorDetail]'),
  },
  ErrorDetail: { field: s('String'), message: s('String') },
  MlflowModelVersionDeploymentJobState: {
    jobId: s('String'),
    runId: s('String'),
    jobState: s('MlflowDeploymentJobConnectionState'),
    runState: s('MlflowModelVersionDeploymentJobStateDeploymentJobRunState'),
    currentTaskName: s('String'),
  },
  MlflowModelMetric: {
    key: s('String'),
    value: s('Float'),
    timestamp: s('LongString'),
    step: s('LongString'),
    datasetName: s('String'),
    datasetDigest: s('String'),
    modelId: s('String'),
    runId: s('String'),
  },
  MlflowModelParam: { name: s('String'), value: s('String') },
  MlflowModelVersionTag: kv(),
  MlflowModelVersion: {
    name: s('String'),
    version: s('String'),
    creationTimestamp: s('LongString'),
    lastUpdatedTimestamp: s('LongString'),
    userId: s('String'),
    currentStage: s('String'),
    description: s('String'),
    source: s('String'),
    runId: s('String'),
    status: s('MlflowModelVersionStatus'),
    statusMessage: s('String'),
    tags: s('[MlflowModelVersionTag!]'),
    runLink: s('String'),
    aliases: s('[String]'),
    modelId: s('String'),
    modelParams: s('[MlflowModelParam!]'),
    modelMetrics: s('[MlflowModelMetric!]'),
    deploymentJobState: s('MlflowModelVersionDeploymentJobState'),
  },
  MlflowSearchModelVersionsResponse: {
    modelVersions: s('[MlflowModelVersion!]'),
    nextPageToken: s('String'),
    apiError: API_ERROR,
  },
  MlflowDatasetSummary: { experimentId: s('String'), name: s('String'), digest: s('String'), context: s('String') },
  MlflowSearchDatasetsResponse: { datasetSummaries: s('[MlflowDatasetSummary!]'), apiError: API_ERROR },
  MlflowMetricWithRunId: {
    key: s('String'),
    value: s('Float'),
    timestamp: s('LongString'),
    step: s('LongString'),
    runId: s('String'),
  },
  MlflowGetMetricHistoryBulkIntervalResponse: { metrics: s('[MlflowMetricWithRunId!]'), apiError: API_ERROR },
  MlflowFileInfo: { path: s('String'), isDir: s('Boolean'), fileSize: s('LongString') },
  MlflowListArtifactsResponse: {
    rootUri: s('String'),
    files: s('[MlflowFileInfo!]'),
    nextPageToken: s('String'),
    apiError: API_ERROR,
  },
  MlflowModelOutput: { modelId: s('String'), step: s('LongString') },
  MlflowRunOutputs: { modelOutputs: s('[MlflowModelOutput!]') },
  MlflowModelInput: { modelId: s('String') },
  MlflowDataset: {
    name: s('String'),
    digest: s('String'),
    sourceType: s('String'),
    source: s('String'),
    schema: s('String'),
    profile: s('String'),
  },
  MlflowInputTag: kv(),
  MlflowDatasetInput: { tags: s('[MlflowInputTag!]'), dataset: s('MlflowDataset') },
  MlflowRunInputs: { datasetInputs: s('[MlflowDatasetInput!]'), modelInputs: s('[MlflowModelInput!]') },
  MlflowRunTag: kv(),
  MlflowParam: kv(),
  MlflowMetricExtension: {
    key: s('String'),
    value: NAN_AS_NULL,
    timestamp: s('LongString'),
    step: s('LongString'),
    datasetName: s('String'),
    datasetDigest: s('String'),
    modelId: s('String'),
    runId: s('String'),
  },
  MlflowRunData: {
    metrics: s('[MlflowMetricExtension!]'),
    params: s('[MlflowParam!]'),
    tags: s('[MlflowRunTag!]'),
  },
  MlflowRunInfo: {
    runId: s('String'),
    runUuid: s('String'),
    runName: s('String'),
    experimentId: s('String'),
    userId: s('String'),
    status: s('MlflowRunStatus'),
    startTime: s('LongString'),
    endTime: s('LongString'),
    artifactUri: s('String'),
    lifecycleStage: s('String'),
  },
  MlflowRunExtension: runExtension,
  MlflowSearchRunsResponse: { runs: s('[MlflowRunExtension!]'), nextPageToken: s('String'), apiError: API_ERROR },
  MlflowGetRunResponse: { run: s('MlflowRunExtension'), apiError: API_ERROR },
  MlflowExperimentTag: kv(),
  MlflowExperiment: {
    experimentId: s('String'),
    name: s('String'),
    artifactLocation: s('String'),
    lifecycleStage: s('String'),
    lastUpdateTime: s('LongString'),
    creationTime: s('LongString'),
    tags: s('[MlflowExperimentTag!]'),
  },
  MlflowGetExperimentResponse: { experiment: s('MlflowExperiment'), apiError: API_ERROR },
};

/** `[X!]` → { list: true, name: 'X' }. */
export function unwrap(type: string): { list: boolean; name: string } {
  const m = /^\[(\w+)!?\]!?$/.exec(type);
  return m ? { list: true, name: m[1]! } : { list: false, name: type.replace(/!$/, '') };
}

export const isLeaf = (name: string): boolean => SCALARS.has(name) || name in ENUMS;
