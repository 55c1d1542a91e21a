import type { RouteModule } from './server';
import type { JsonRoute } from './route-table';
import { invalidParam } from '../core/errors';
import { missingValue } from './request';
import { LOGGED_MODEL_STATUSES } from '../store/logged-model-store';
import { createPageToken, parseLoggedModelFilter, parseStartOffset } from '../search';
import type { KeyValue } from '../core/entities';

const SEE_DOCS = ' See the API docs for more information about request parameters.';

function kv(list: unknown[]): KeyValue[] {
  return list.map((x) => {
    const o = (x ?? {}) as Record<string, unknown>;
    return { key: String(o.key ?? ''), value: o.value === undefined || o.value === null ? '' : String(o.value) };
  });
}

/** MLflow 3 logged models (`/mlflow/logged-models/...`). */
const routes: JsonRoute[] = [
  {
    method: 'POST',
    path: '/mlflow/logged-models',
    handler: (p, { loggedModels }) => ({
      model: loggedModels.createLoggedModel({
        experimentId: p.requiredString('experiment_id'),
        name: p.optionalString('name') || null,
        modelType: p.optionalString('model_type'),
        sourceRunId: p.optionalString('source_run_id'),
        params: kv(p.array('params')),
        tags: kv(p.array('tags')),
      }),
    }),
  },
  {
    method: 'GET',
    path: '/mlflow/logged-models/:model_id',
    handler: (p, { loggedModels }) => ({ model: loggedModels.getLoggedModel(p.requiredString('model_id')) }),
  },
  {
    method: 'PATCH',
    path: '/mlflow/logged-models/:model_id',
    handler: (p, { loggedModels }) => {
      const id = p.requiredString('model_id');
      // An empty status reads as unset too (it is no LoggedModelStatus name).
      const status = p.optionalEnum('status', LOGGED_MODEL_STATUSES);
      if (status === null) throw invalidParam(missingValue('status') + SEE_DOCS);
      return { model: loggedModels.finalizeLoggedModel(id, status) };
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/logged-models/:model_id',
    handler: (p, { loggedModels }) => {
      loggedModels.deleteLoggedModel(p.requiredString('model_id'));
      return {};
    },
  },
  {
    method: 'PATCH',
    path: '/mlflow/logged-models/:model_id/tags',
    handler: (p, { loggedModels }) => {
      loggedModels.setTags(p.requiredString('model_id'), kv(p.array('tags')));
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/logged-models/:model_id/tags/:tag_key',
    handler: (p, { loggedModels }) => {
      loggedModels.deleteTag(p.requiredString('model_id'), p.requiredString('tag_key'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/logged-models/:model_id/params',
    handler: (p, { loggedModels }) => {
      loggedModels.logParams(p.requiredString('model_id'), kv(p.array('params')));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/logged-models/search',
    handler: (p, { loggedModels }) => {
      const experimentIds = p.stringArray('experiment_ids');
      if (!experimentIds.length) throw invalidParam(missingValue('experiment_ids') + SEE_DOCS);
      const maxResults = p.optionalInt('max_results') || 100;
      const token = p.optionalString('page_token');
      const offset = parseStartOffset(token);
      const orderBy = p.array<Record<string, unknown>>('order_by').map((o) => ({
        field_name: String(o?.field_name ?? ''),
        ascending: o?.ascending !== false,
        dataset_name: typeof o?.dataset_name === 'string' ? o.dataset_name : undefined,
        dataset_digest: typeof o?.dataset_digest === 'string' ? o.dataset_digest : undefined,
      }));
      const datasets = p.array<Record<string, unknown>>('datasets').map((d) => ({
        name: String(d?.dataset_name ?? ''),
        digest: typeof d?.dataset_digest === 'string' && d.dataset_digest ? d.dataset_digest : undefined,
      }));
      const filter = parseLoggedModelFilter(p.optionalString('filter'));
      const { models, hasMore } = loggedModels.search({ experimentIds, filter, datasets, maxResults, offset, orderBy });
      const out: Record<string, unknown> = {};
      if (models.length) out.models = models;
      if (hasMore) out.next_page_token = createPageToken(offset + maxResults);
      return out;
    },
  },
];

export const loggedModelRoutes: RouteModule = { jsonRoutes: routes };
