import type { AppContext } from '../core/app-context';
import { MlflowError, invalidParam } from '../core/errors';
import type { RouteModule } from '../rest/server';
import type { JsonRoute } from '../rest/route-table';
import { invalidValue, type RequestParams } from '../rest/request';
import type { RegistryTag } from './entities';
import { parseModelUri, pyUrlParse, validateSource } from './model-source';
import { pythonJsonDumps, pyTypeName } from '../core/python-json';
import { parseVersion } from '../store/registry-store';
import {
  validateAliasName,
  validateAliasNotReserved,
  validateModelName,
  validateModelVersionTag,
  validateNewModelName,
  validateRegisteredModelTag,
  validateTagName,
} from './validation';
import { IS_PROMPT_TAG_KEY } from './filter-parser';
import { getModelVersionArtifact } from './model-version-artifact';

/**
 * MLflow's Model Registry REST API (protos/model_registry.proto) over the RegistryStore, with the
 * handlers' request schemas and validation order from mlflow/server/handlers.py. Parameters are
 * read in each handler's schema order so the first failing one is the one MLflow reports.
 */

const SEE_DOCS = ' See the API docs for more information about request parameters.';
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

const typeHint = (name: string, value: unknown): MlflowError =>
  invalidParam(invalidValue(name, value, ` Hint: Value was of type '${pyTypeName(value)}'.`) + SEE_DOCS);

/** Repeated ModelVersionTag / RegisteredModelTag: absent key or value reads as "" (proto default). */
function readTags(p: RequestParams): RegistryTag[] {
  const out: RegistryTag[] = [];
  for (const t of p.array<unknown>('tags')) {
    // protobuf adds the tag message before reading the element into it. A string or a list is
    // iterated for field names and yields an empty tag (a list naming `key`/`value` then fails);
    // any other non-object (null, a number, a boolean) fails at once, leaving the empty tag.
    if (typeof t === 'string' || Array.isArray(t)) {
      out.push({ key: '', value: '' });
      if (Array.isArray(t) && (t.includes('key') || t.includes('value'))) break;
      continue;
    }
    if (!t || typeof t !== 'object') {
      out.push({ key: '', value: '' });
      break;
    }
    // protobuf's ParseDict stops at the first mistyped field and MLflow carries on with what it
    // had: the fields read so far keep their values, the rest stay "" and later tags are dropped.
    const tag = { key: '', value: '' };
    let broken = false;
    for (const [field, v] of Object.entries(t as Record<string, unknown>)) {
      if (field !== 'key' && field !== 'value') continue;
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') {
        broken = true;
        break;
      }
      tag[field] = v;
    }
    out.push(tag);
    if (broken) break;
  }
  return out;
}

/** An optional string field as proto reads it: absent means "". */
const str = (p: RequestParams, name: string): string => p.optionalString(name) ?? '';

/**
 * `max_results` on the search endpoints: an integer no larger than `limit`. MLflow's schema check
 * reports a failure with the raw query-string value and a `str` type hint.
 */
function maxResults(p: RequestParams, limit: number, fallback: number): number {
  let raw = p.raw.max_results;
  if (Array.isArray(raw)) raw = raw[raw.length - 1];
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    if (raw > limit) throw typeHint('max_results', raw);
    return raw;
  }
  if (typeof raw === 'string' && /^\s*[-+]?\d+\s*$/.test(raw)) {
    const n = Number(raw.trim());
    if (n > limit) throw typeHint('max_results', raw);
    return n;
  }
  throw typeHint('max_results', raw);
}

/** `archive_existing_versions`: a JSON boolean (query strings may spell it true/false). */
function archiveFlag(p: RequestParams): boolean {
  const v = p.raw.archive_existing_versions;
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (p.isQuery) return p.optionalBool('archive_existing_versions') ?? false;
  throw typeHint('archive_existing_versions', v);
}

/** Python's `int(None)` message, which MLflow wraps when a models:/ source names no version. */
const INT_OF_NONE = "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'";

/**
 * Where a new version's files live and which run made it: a `models:/<model_id>` source points at
 * the logged model's artifacts (and its source run), `models:/<name>/<version>` at that version's.
 */
function resolveStorage(
  ctx: AppContext,
  source: string,
  runId: string,
): { storageLocation: string; runId: string | null } {
  if (pyUrlParse(source).scheme !== 'models') return { storageLocation: source, runId };
  const parsed = parseModelUri(source);
  try {
    if (parsed.modelId !== undefined) {
      const model = ctx.loggedModels.getLoggedModel(parsed.modelId);
      return { storageLocation: model.info.artifact_uri, runId: runId || model.info.source_run_id || null };
    }
    if (parsed.version === undefined) throw new Error(INT_OF_NONE);
    return { storageLocation: ctx.registry.getModelVersionDownloadUri(parsed.name!, parsed.version), runId };
  } catch (e) {
    // MLflow wraps any failure here without an error code (HTTP 500); it is the client's source.
    throw invalidParam(
      `Unable to fetch model from model URI source artifact location '${source}'.Error: ${(e as Error).message}`,
    );
  }
}

/** MLflow 3 records on the logged model which registered versions came from it. */
function recordVersionOnLoggedModel(ctx: AppContext, modelId: string, name: string, version: number): void {
  const model = ctx.loggedModels.getLoggedModel(modelId);
  const entry = { name, version };
  let versions: unknown[] = [entry];
  const existing = model.info.tags?.find((t) => t.key === MODEL_VERSIONS_TAG)?.value;
  if (existing) {
    try {
      const parsed: unknown = JSON.parse(existing);
      if (Array.isArray(parsed)) {
        const present = parsed.some(
          (x) =>
            x &&
            typeof x === 'object' &&
            (x as Record<string, unknown>).name === name &&
            (x as Record<string, unknown>).version === version,
        );
        versions = present ? parsed : [...parsed, entry];
      }
    } catch {
      // An unreadable tag is replaced rather than failing the registration.
    }
  }
  ctx.loggedModels.setTags(modelId, [{ key: MODEL_VERSIONS_TAG, value: pythonJsonDumps(versions) }]);
}

const routes: JsonRoute[] = [
  // ---------------------------------------------------------------- registered models
  {
    method: 'POST',
    path: '/mlflow/registered-models/create',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const tags = readTags(p);
      const description = str(p, 'description');
      validateModelName(name);
      for (const t of tags) validateRegisteredModelTag(t.key, t.value ?? null);
      return { registered_model: ctx.registry.createRegisteredModel(name, tags, description) };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/registered-models/get',
    handler: (p, ctx) => ({ registered_model: ctx.registry.getRegisteredModel(p.requiredString('name')) }),
  },
  {
    method: 'POST',
    path: '/mlflow/registered-models/rename',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const newName = p.requiredString('new_name');
      validateNewModelName(newName);
      return { registered_model: ctx.registry.renameRegisteredModel(name, newName) };
    },
  },
  {
    method: 'PATCH',
    path: '/mlflow/registered-models/update',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const description = str(p, 'description');
      return { registered_model: ctx.registry.updateRegisteredModel(name, description) };
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/registered-models/delete',
    handler: (p, ctx) => {
      ctx.registry.deleteRegisteredModel(p.requiredString('name'));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/registered-models/search',
    handler: (p, ctx) => {
      const filter = p.optionalString('filter');
      const max = maxResults(p, 1000, 100);
      const orderBy = p.stringArray('order_by');
      const pageToken = p.optionalString('page_token');
      const page = ctx.registry.searchRegisteredModels({
        filter,
        maxResults: max,
        orderBy,
        pageToken: pageToken || null,
      });
      const out: Record<string, unknown> = {};
      if (page.items.length) out.registered_models = page.items;
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  },
  ...(['POST', 'GET'] as const).map((method): JsonRoute => ({
    method,
    path: '/mlflow/registered-models/get-latest-versions',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const stages = p.stringArray('stages');
      const versions = ctx.registry.getLatestVersions(name, stages);
      return versions.length ? { model_versions: versions } : {};
    },
  })),
  {
    method: 'POST',
    path: '/mlflow/registered-models/set-tag',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const key = p.requiredString('key');
      const value = str(p, 'value');
      validateModelName(name);
      validateRegisteredModelTag(key, value);
      ctx.registry.setRegisteredModelTag(name, key, value);
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/registered-models/delete-tag',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const key = p.requiredString('key');
      validateTagName(key);
      ctx.registry.deleteRegisteredModelTag(name, key);
      return {};
    },
  },
  {
    method: 'POST',
    path: '/mlflow/registered-models/alias',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const alias = p.requiredString('alias');
      const version = p.requiredString('version');
      validateAliasName(alias);
      validateAliasNotReserved(alias);
      parseVersion(version);
      ctx.registry.setRegisteredModelAlias(name, alias, version);
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/registered-models/alias',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const alias = p.requiredString('alias');
      validateAliasName(alias);
      ctx.registry.deleteRegisteredModelAlias(name, alias);
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/registered-models/alias',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const alias = p.requiredString('alias');
      validateAliasName(alias);
      return { model_version: ctx.registry.getModelVersionByAlias(name, alias) };
    },
  },

  // ---------------------------------------------------------------- model versions
  {
    method: 'POST',
    path: '/mlflow/model-versions/create',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const source = p.requiredString('source');
      const runId = str(p, 'run_id');
      const tags = readTags(p);
      const runLink = str(p, 'run_link');
      const description = str(p, 'description');
      const modelId = str(p, 'model_id');
      const isPrompt = tags.some((t) => t.key === IS_PROMPT_TAG_KEY);
      if (!isPrompt) {
        if (modelId) {
          validateSource(source, modelId, 'model_id', (id) => ctx.loggedModels.getLoggedModel(id).info.artifact_uri);
        } else {
          validateSource(source, runId, 'run_id', (id) => ctx.tracking.getRun(id).info.artifact_uri);
        }
      }
      validateModelName(name);
      for (const t of tags) validateModelVersionTag(t.key, t.value ?? null);
      const storage = resolveStorage(ctx, source, runId);
      let finalRunId = storage.runId;
      if (!finalRunId && modelId) finalRunId = ctx.loggedModels.getLoggedModel(modelId).info.source_run_id ?? null;
      const mv = ctx.registry.createModelVersion({
        name,
        source,
        storageLocation: storage.storageLocation,
        runId: finalRunId,
        runLink,
        description,
        tags,
        modelId: modelId || null,
      });
      if (!isPrompt && modelId) recordVersionOnLoggedModel(ctx, modelId, name, Number(mv.version));
      return { model_version: mv };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/model-versions/get',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const version = p.requiredString('version');
      return { model_version: ctx.registry.getModelVersion(name, version) };
    },
  },
  {
    method: 'PATCH',
    path: '/mlflow/model-versions/update',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const version = p.requiredString('version');
      const description = p.optionalString('description');
      return { model_version: ctx.registry.updateModelVersion(name, version, description) };
    },
  },
  {
    method: 'POST',
    path: '/mlflow/model-versions/transition-stage',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const version = p.requiredString('version');
      const stage = p.requiredString('stage');
      const archive = archiveFlag(p);
      return { model_version: ctx.registry.transitionModelVersionStage(name, version, stage, archive) };
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/model-versions/delete',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const version = p.requiredString('version');
      ctx.registry.deleteModelVersion(name, version);
      return {};
    },
  },
  {
    method: 'GET',
    path: '/mlflow/model-versions/get-download-uri',
    handler: (p, ctx) => {
      // This handler has no request schema in MLflow: the store's own checks speak.
      const name = p.optionalString('name') ?? '';
      const version = p.optionalString('version') ?? '';
      validateModelName(name);
      parseVersion(version);
      return { artifact_uri: ctx.registry.getModelVersionDownloadUri(name, version) };
    },
  },
  {
    method: 'GET',
    path: '/mlflow/model-versions/search',
    handler: (p, ctx) => {
      const filter = p.optionalString('filter');
      const max = maxResults(p, 200_000, 200_000);
      const orderBy = p.stringArray('order_by');
      const pageToken = p.optionalString('page_token');
      const page = ctx.registry.searchModelVersions({ filter, maxResults: max, orderBy, pageToken: pageToken || null });
      const out: Record<string, unknown> = {};
      if (page.items.length) out.model_versions = page.items;
      if (page.nextPageToken) out.next_page_token = page.nextPageToken;
      return out;
    },
  },
  {
    method: 'POST',
    path: '/mlflow/model-versions/set-tag',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const version = p.requiredString('version');
      const key = p.requiredString('key');
      const value = str(p, 'value');
      parseVersion(version);
      validateModelVersionTag(key, value);
      ctx.registry.setModelVersionTag(name, version, key, value);
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/mlflow/model-versions/delete-tag',
    handler: (p, ctx) => {
      const name = p.requiredString('name');
      const version = p.requiredString('version');
      const key = p.requiredString('key');
      parseVersion(version);
      validateTagName(key);
      ctx.registry.deleteModelVersionTag(name, version, key);
      return {};
    },
  },
];

export const registryRoutes: RouteModule = {
  jsonRoutes: routes,
  register: (app, ctx) => {
    // The UI's download of one file of a version (not under /api/2.0, as in MLflow's Flask app).
    app.get('/model-versions/get-artifact', (req, reply) => getModelVersionArtifact(req, reply, ctx));
  },
};
