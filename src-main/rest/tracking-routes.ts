import type { RouteModule } from './server';
import type { JsonRoute } from './route-table';
import type { RequestParams } from './request';
import { invalidValue, missingValue } from './request';
import { parseProtoDouble } from './json';
import { PROTO, protoParse } from './proto-parse';
import { resolveUriIfLocal } from './local-uri';
import { pyTypeName } from '../core/python-json';
import { invalidParam, notFound } from '../core/errors';
import { RUN_STATUSES, type DatasetInput, type KeyValue, type Metric, type ViewType } from '../core/entities';
import {
  LIMITS,
  validateArtifactLocation,
  validateBatchLimits,
  validateExperimentName,
  validateExperimentTag,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateRunId,
  validateTag,
} from './validation';
import { searchRuns } from '../store/search-runs';
import { searchExperiments } from '../store/search-experiments';
import { createPageToken, parseStartOffset } from '../search';

const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];
const SEE_DOCS = ' See the API docs for more information about request parameters.';
const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;
const MAX_RESULTS_PER_RUN = 2500;
const MAX_HISTORY_RESULTS = 25000;

/** `run_id`, falling back to the deprecated `run_uuid` as MLflow's handlers do. */
function runIdOf(p: RequestParams): string {
  if (!p.has('run_id') && p.has('run_uuid')) return p.requiredString('run_uuid');
  return p.requiredString('run_id');
}

function viewTypeOf(p: RequestParams, name: string): ViewType {
  return p.optionalEnum(name, VIEW_TYPES) ?? 'ACTIVE_ONLY';
}

/**
 * A request's list of key/value messages (tags, params) as MLflow's handler reads it from the
 * proto message: `parsed` is `protoParse`'s result, `name` must also pass MLflow's `_assert_array`
 * on the raw JSON. Unset keys and values read as "".
 */
function keyValues(p: RequestParams, parsed: Record<string, unknown>, name: string): KeyValue[] {
  p.array(name);
  return ((parsed[name] ?? []) as { key?: string; value?: string }[]).map((t) => ({
    key: t.key ?? '',
    value: t.value ?? '',
  }));
}

/** int64 from protobuf JSON: a number or a numeric string; `fallback` when absent. */
function int64(v: unknown, fallback: number | undefined): number | undefined {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** Reads one metric of a log-batch (or the top level of log-metric) as MLflow's proto parsing does. */
function readMetric(m: Record<string, unknown>, path: string): Metric {
  const keyRaw = m.key;
  const value = m.value === undefined || m.value === null ? undefined : parseProtoDouble(m.value);
  const timestamp = int64(m.timestamp, undefined);
  const step = int64(m.step, 0);
  validateMetric(
    keyRaw ?? null,
    value === undefined ? (m.value ?? null) : value,
    timestamp === undefined ? (m.timestamp ?? null) : timestamp,
    step === undefined ? (m.step ?? null) : step,
    path,
  );
  return { key: String(keyRaw), value: value!, timestamp: timestamp!, step: step! };
}

function readDatasetInputs(p: RequestParams): DatasetInput[] {
  return p.array<Record<string, unknown>>('datasets').map((d, i) => {
    const ds = (d?.dataset ?? null) as Record<string, unknown> | null;
    if (!ds || typeof ds !== 'object') {
      throw invalidParam('Dataset input must have a dataset associated with it.');
    }
    for (const field of ['name', 'digest', 'source_type', 'source'] as const) {
      if (typeof ds[field] !== 'string' || ds[field] === '') {
        throw invalidParam(missingValue(`datasets[${i}].dataset.${field}`));
      }
    }
    const dataset: DatasetInput['dataset'] = {
      name: ds.name as string,
      digest: ds.digest as string,
      source_type: ds.source_type as string,
      source: ds.source as string,
    };
    if (typeof ds.schema === 'string') dataset.schema = ds.schema;
    if (typeof ds.profile === 'string') dataset.profile = ds.profile;
    const tags = Array.isArray(d.tags)
      ? (d.tags as Record<string, unknown>[]).map((t) => ({ key: String(t?.key ?? ''), value: String(t?.value ?? '') }))
      : [];
    validateDatasetLimits(dataset, tags);
    return { dataset, tags };
  });
}

function validateDatasetLimits(d: DatasetInput['dataset'], tags: KeyValue[]): void {
  const check = (what: string, value: string | undefined, limit: number): void => {
    if (value !== undefined && value.length > limit) {
      throw invalidParam(`Dataset ${what} exceeds the maximum length of ${limit}`);
    }
  };
  check('name', d.name, 500);
  check('digest', d.digest, 36);
  check('source', d.source, 65535);
  check('schema', d.schema, 1048575);
  check('profile', d.profile, 16777215);
  for (const t of tags) {
    if (t.key.length > 255) throw invalidParam(`Dataset input tag key exceeds the maximum length of 255`);
    if (t.value.length > 500) throw invalidParam(`Dataset input tag value exceeds the maximum length of 500`);
  }
}

/** MLflow's MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH default. */
const MAX_ARTIFACT_LOCATION_LENGTH = 2048;
const MAX_EXPERIMENT_IDS_SEARCH_DATASETS = 20;

const routes: JsonRoute[] = [
  // ------------------------------------------------------------ experiments
  {
    method: 'POST',
    path: '/mlflow/experiments/create',
    handler: (p, { tracking }) => {
      // MLflow type-checks the raw JSON, then reads the proto message (see protoParse).
      p.requiredString('name');
      p.optionalString('artifact_location');
      const message = protoParse(p.raw, PROTO.createExperiment);
      const name = (message.name as string | undefined) ?? '';
      const artifactLocation = (message.artifact_location as string | undefined) || null;
      validateExperimentName(name);
      validateArtifactLocation(artifactLocation);
      const tags = keyValues(p, message, 'tags');
      for (const t of tags) validateExperimentTag(t.key, t.value);
      const location = artifactLocation ? resolveUriIfLocal(artifactLocation) : artifactLocation;
      if (location && location.length > MAX_ARTIFACT_LOCATION_LENGTH) {
        throw invalidParam(
          'Invalid artifact path length. The length of the artifact path cannot be greater than ' +
            `${MAX_ARTIFACT_LOCATION_LENGTH} characters. To configure this limit, please set the ` +
            'MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable.',
        );
      }
      return { experiment_id: tracking.createExperiment(name, location, tags) };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/experiments/get',
    handler: (p, { tracking }) => ({ experiment: tracking.getExperiment(p.requiredString('experiment_id')) }),
  },
  {
    method: 'GET',
    path: '/mlflow/experiments/get-by-name',
    handler: (p, { tracking }) => {
      const name = p.requiredString('experiment_name');
      const exp = tracking.getExperimentByName(name);
      if (!exp) throw notFound(`Could not find experiment with name '${name}'`);
      return { experiment: exp };
    },
  },
  ...(['POST', 'GET'] as const).map((method): JsonRoute => ({
    method,
    path: '/mlflow/experiments/search',
    handler: (p, { tracking }) => {
      const maxResults = p.optionalInt('max_results');
      const result = searchExperiments(tracking.db, {
        viewType: viewTypeOf(p, 'view_type'),
        maxResults,
        filter: p.optionalString('filter') ?? '',
        orderBy: p.stringArray('order_by'),
        pageToken: p.optionalString('page_token') || null,
      });
      const experiments = result.experimentIds.map((id) => tracking.getExperiment(String(id)));
      const out: Record<string, unknown> = {};
      if (experiments.length) out.experiments = experiments;
      if (result.nextPageToken) out.next_page_token = result.nextPageToken;
      return out;
    },
  })),
  {
    method: 'POST',
    path: '/mlflow/experiments/update',
    handler: (p, { tracking }) => {
      const id = p.requiredString('experiment_id');
      const newName = p.requiredString('new_name');
      validateExperimentName(newName);
      tracking.renameExperiment(id, newName);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/delete',
    handler: (p, { tracking }) => {
      tracking.deleteExperiment(p.requiredString('experiment_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/restore',
    handler: (p, { tracking }) => {
      tracking.restoreExperiment(p.requiredString('experiment_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/set-experiment-tag',
    handler: (p, { tracking }) => {
      const id = p.requiredString('experiment_id');
      const key = p.requiredString('key');
      const value = p.optionalString('value') ?? '';
      validateExperimentTag(key, value);
      tracking.setExperimentTag(id, key, value);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/experiments/delete-experiment-tag',
    handler: (p, { tracking }) => {
      tracking.deleteExperimentTag(p.requiredString('experiment_id'), p.requiredString('key'));
      return {};
    },
  },

  // ------------------------------------------------------------ runs
  {
    method: 'POST',
    path: '/mlflow/runs/create',
    handler: (p, { tracking }) => {
      // MLflow type-checks these in the raw JSON, then reads the proto message (see protoParse).
      p.optionalString('experiment_id');
      p.optionalInt('start_time');
      p.optionalString('run_name');
      const message = protoParse(p.raw, PROTO.createRun);
      const tags = keyValues(p, message, 'tags').map((t, i) => validateTag(t.key, t.value, `tags[${i}]`));
      const run = tracking.createRun({
        experimentId: (message.experiment_id as string | undefined) || '0',
        userId: (message.user_id as string | undefined) ?? '',
        // An unset start_time is the proto default 0, which MLflow stores and answers as is.
        startTime: (message.start_time as number | undefined) ?? 0,
        tags,
        runName: (message.run_name as string | undefined) || null,
      });
      return { run };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/runs/get',
    handler: (p, { tracking }) => ({ run: tracking.getRun(runIdOf(p)) }),
  },
  {
    method: 'POST',
    path: '/mlflow/runs/update',
    handler: (p, { tracking }) => {
      const runId = runIdOf(p);
      const status = p.optionalEnum('status', RUN_STATUSES);
      const endTime = p.optionalInt('end_time');
      const runName = p.optionalString('run_name');
      return { run_info: tracking.updateRun(runId, status, endTime, runName) };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/delete',
    handler: (p, { tracking }) => {
      tracking.deleteRun(p.requiredString('run_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/restore',
    handler: (p, { tracking }) => {
      tracking.restoreRun(p.requiredString('run_id'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-metric',
    handler: (p, { tracking, loggedModels }) => {
      const runId = runIdOf(p);
      p.requiredString('key');
      if (!p.has('value')) throw invalidParam(missingValue('value') + SEE_DOCS);
      if (parseProtoDouble(p.raw.value) === undefined) {
        throw invalidParam(
          invalidValue(
            'value',
            p.raw.value,
            ` Hint: Value was of type '${typeof p.raw.value === 'string' ? 'str' : typeof p.raw.value}'.`,
          ) + SEE_DOCS,
        );
      }
      p.requiredInt('timestamp');
      p.optionalInt('step');
      const metric = readMetric(p.raw, '');
      tracking.logMetric(runId, metric);
      const modelId = p.optionalString('model_id');
      if (modelId) {
        loggedModels.logModelMetrics(modelId, runId, [
          {
            ...metric,
            dataset_name: p.optionalString('dataset_name') ?? '',
            dataset_digest: p.optionalString('dataset_digest') ?? '',
          },
        ]);
      }
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-parameter',
    handler: (p, { tracking }) => {
      const runId = runIdOf(p);
      const param = validateParam(p.requiredString('key'), p.optionalString('value') ?? '');
      tracking.logParam(runId, param.key, param.value);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/set-tag',
    handler: (p, { tracking }) => {
      const runId = runIdOf(p);
      const tag = validateTag(p.requiredString('key'), p.optionalString('value') ?? '');
      tracking.setTag(runId, tag.key, tag.value);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/delete-tag',
    handler: (p, { tracking }) => {
      tracking.deleteTag(p.requiredString('run_id'), p.requiredString('key'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-batch',
    handler: (p, { tracking, loggedModels }, req) => {
      const size = Number(req.headers['content-length'] ?? 0);
      if (size > LIMITS.batchRequestBytes) {
        throw invalidParam(
          `Batched logging API requests must be at most ${LIMITS.batchRequestBytes} bytes, got a request of size ${size}.`,
        );
      }
      runIdOf(p);
      const rawMetrics = p.array<Record<string, unknown>>('metrics');
      const rawParams = p.array<Record<string, unknown>>('params');
      const rawTags = p.array<Record<string, unknown>>('tags');
      rawMetrics.forEach((m, i) => {
        for (const f of ['key', 'value', 'timestamp'] as const) {
          if (m?.[f] === undefined || m?.[f] === null || m?.[f] === '') {
            throw invalidParam(missingValue(`metrics[${i}].${f}`) + SEE_DOCS);
          }
        }
      });
      rawParams.forEach((x, i) => {
        if (x?.key === undefined || x?.key === null || x?.key === '')
          throw invalidParam(missingValue(`params[${i}].key`) + SEE_DOCS);
      });
      rawTags.forEach((x, i) => {
        if (x?.key === undefined || x?.key === null || x?.key === '')
          throw invalidParam(missingValue(`tags[${i}].key`) + SEE_DOCS);
      });
      // From here on MLflow reads the proto message (see protoParse): a value of the wrong type
      // leaves it and everything after it unset (proto defaults), with no error of its own.
      const message = protoParse(p.raw, PROTO.logBatch);
      // (A body with only the deprecated run_uuid is still accepted, as before.)
      const runId = p.has('run_id') ? ((message.run_id as string | undefined) ?? '') : runIdOf(p);
      validateRunId(runId);
      const protoMetrics = (message.metrics ?? []) as Record<string, unknown>[];
      const metrics = protoMetrics.map((m, i) =>
        readMetric({ key: '', value: 0, timestamp: 0, step: 0, ...m }, `metrics[${i}]`),
      );
      const params = keyValues(p, message, 'params').map((x, i) => validateParam(x.key, x.value, `params[${i}]`));
      const tags = keyValues(p, message, 'tags').map((x, i) => validateTag(x.key, x.value, `tags[${i}]`));
      validateBatchLimits(metrics.length, params.length, tags.length);
      validateParamKeysUnique(params);
      tracking.logBatch(runId, { metrics, params, tags });
      const withModel = protoMetrics
        .map((m, i) => ({ raw: m, metric: metrics[i]! }))
        .filter((x) => typeof x.raw.model_id === 'string' && x.raw.model_id !== '');
      for (const x of withModel) {
        loggedModels.logModelMetrics(String(x.raw.model_id), runId, [
          {
            ...x.metric,
            dataset_name: String(x.raw.dataset_name ?? ''),
            dataset_digest: String(x.raw.dataset_digest ?? ''),
          },
        ]);
      }
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-model',
    handler: (p, { tracking }) => {
      const runId = runIdOf(p);
      const modelJson = p.requiredString('model_json');
      let model: Record<string, unknown>;
      try {
        model = JSON.parse(modelJson) as Record<string, unknown>;
      } catch {
        throw invalidParam(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
      }
      if (
        !model ||
        typeof model !== 'object' ||
        !('artifact_path' in model) ||
        !('flavors' in model) ||
        !('utc_time_created' in model) ||
        !('run_id' in model)
      ) {
        throw invalidParam('Model json is missing mandatory fields: artifact_path, flavors, run_id, utc_time_created');
      }
      tracking.recordLoggedModel(runId, model);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/log-inputs',
    handler: (p, { tracking }) => {
      const runId = p.requiredString('run_id');
      const datasets = readDatasetInputs(p);
      const models = p.array<Record<string, unknown>>('models').map((m) => String(m?.model_id ?? ''));
      tracking.logInputs(runId, datasets, models.filter(Boolean));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/outputs',
    handler: (p, { tracking }) => {
      const runId = p.requiredString('run_id');
      if (!p.has('models')) throw invalidParam(missingValue('models') + SEE_DOCS);
      const models = p.array<Record<string, unknown>>('models').map((m) => ({
        model_id: String(m?.model_id ?? ''),
        step: int64(m?.step, 0) ?? 0,
      }));
      tracking.logOutputs(runId, models);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/runs/search',
    handler: (p, { tracking }) => {
      const maxResults = p.optionalInt('max_results');
      if (maxResults !== null && maxResults > LIMITS.searchMaxResults) {
        // MLflow's schema check fails without a message here, so it words it as a type hint.
        const v = p.pythonValue('max_results', p.raw.max_results);
        throw invalidParam(invalidValue('max_results', v, ` Hint: Value was of type '${pyTypeName(v)}'.`) + SEE_DOCS);
      }
      const result = searchRuns(tracking.db, {
        experimentIds: p.stringArray('experiment_ids').map(String),
        filter: p.optionalString('filter') ?? '',
        runViewType: viewTypeOf(p, 'run_view_type'),
        maxResults: maxResults ?? 1000,
        orderBy: p.stringArray('order_by'),
        pageToken: p.optionalString('page_token') || null,
      });
      const out: Record<string, unknown> = {};
      if (result.runPks.length) out.runs = result.runPks.map((pk) => tracking.runByPk(pk));
      if (result.nextPageToken) out.next_page_token = result.nextPageToken;
      return out;
    },
  },

  // ------------------------------------------------------------ metrics
  {
    method: 'GET',
    path: '/mlflow/metrics/get-history',
    handler: (p, { tracking }) => {
      const runId = runIdOf(p);
      const key = p.requiredString('metric_key');
      const maxResults = p.optionalInt('max_results');
      const pageToken = p.optionalString('page_token');
      const offset = parseStartOffset(pageToken);
      const limit = maxResults && maxResults > 0 ? maxResults : null;
      const metrics = tracking.getMetricHistory(runId, key, offset, limit === null ? -1 : limit + 1);
      const out: Record<string, unknown> = {};
      let page = metrics;
      if (limit !== null && metrics.length > limit) {
        page = metrics.slice(0, limit);
        out.next_page_token = createPageToken(offset + limit);
      }
      if (page.length) out.metrics = page;
      return out;
    },
  },
  {
    method: 'GET',
    path: '/mlflow/metrics/get-history-bulk',
    handler: (p, { tracking }) => {
      const runIds = p.stringArray('run_id');
      if (!runIds.length) throw invalidParam('GetMetricHistoryBulk request must specify at least one run_id.');
      if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
        throw invalidParam(
          `GetMetricHistoryBulk request cannot specify more than ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${runIds.length} run_ids.`,
        );
      }
      const key = p.optionalString('metric_key');
      if (key === null) throw invalidParam('GetMetricHistoryBulk request must specify a metric_key.');
      const maxResults = Math.min(p.optionalInt('max_results') ?? MAX_HISTORY_RESULTS, MAX_HISTORY_RESULTS);
      const metrics: Metric[] = [];
      for (const runId of [...new Set(runIds)].sort()) {
        for (const m of tracking.getMetricHistory(runId, key, 0, maxResults)) metrics.push({ ...m, run_id: runId });
        if (metrics.length >= maxResults) break;
      }
      return { metrics: metrics.slice(0, maxResults) };
    },
  },
  {
    // The UI's dataset summaries (MLflow serves it under /ajax-api only).
    method: 'POST',
    path: '/mlflow/experiments/search-datasets',
    handler: (p, { tracking }) => {
      // A field protobuf cannot parse leaves the list empty (there is no schema check here).
      const raw = p.raw.experiment_ids;
      const ids = Array.isArray(raw) && raw.every((v) => typeof v === 'string') ? (raw as string[]) : [];
      if (!ids.length) throw invalidParam('SearchDatasets request must specify at least one experiment_id.');
      if (ids.length > MAX_EXPERIMENT_IDS_SEARCH_DATASETS) {
        throw invalidParam(
          `SearchDatasets request cannot specify more than ${MAX_EXPERIMENT_IDS_SEARCH_DATASETS} experiment_ids. ` +
            `Received ${ids.length} experiment_ids.`,
        );
      }
      const summaries = tracking.searchDatasetSummaries(ids);
      return summaries.length ? { dataset_summaries: summaries } : {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/metrics/get-history-bulk-interval',
    handler: (p, { tracking }) => {
      const runIds = p.stringArray('run_ids');
      if (!runIds.length) throw invalidParam(missingValue('run_ids') + SEE_DOCS);
      if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
        throw invalidParam(
          `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${runIds.length} run_ids.` +
            SEE_DOCS,
        );
      }
      const key = p.requiredString('metric_key');
      const maxResults = p.optionalInt('max_results') ?? MAX_RESULTS_PER_RUN;
      if (maxResults < 1 || maxResults > MAX_RESULTS_PER_RUN) {
        throw invalidParam(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.` + SEE_DOCS);
      }
      const start = p.optionalInt('start_step');
      const end = p.optionalInt('end_step');
      if (start !== null && end !== null) {
        if (start > end) {
          throw invalidParam(
            `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`,
          );
        }
      } else if (start !== null || end !== null) {
        throw invalidParam('If either start step or end step are specified, both must be specified.');
      }
      const metrics = tracking.getMetricHistoryBulkInterval(runIds, key, maxResults, start, end);
      return metrics.length ? { metrics } : {};
    },
  },
];

export const trackingRoutes: RouteModule = { jsonRoutes: routes };
