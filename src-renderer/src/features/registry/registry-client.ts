import {
  MLFLOW_AJAX_PREFIX,
  MLMODEL_FILE,
  MODEL_VERSION_ARTIFACT_PATH,
  REGISTRY_ENDPOINTS,
  type ArtifactFileInfo,
  type CreateModelVersionRequest,
  type GetRunResponse,
  type ListArtifactsResponse,
  type LoggedModelLite,
  type MlflowErrorBody,
  type ModelVersion,
  type RegisteredModel,
  type RegistryTag,
  type RunInfoLite,
  type SearchLoggedModelsRequest,
  type SearchLoggedModelsResponse,
  type SearchModelVersionsRequest,
  type SearchModelVersionsResponse,
  type SearchRegisteredModelsRequest,
  type SearchRegisteredModelsResponse,
  type TransitionStageRequest,
} from '@contract/registry-api';

/**
 * The registry screens' client: MLflow's own REST API under the same-origin `/ajax-api/2.0`
 * prefix (what the `mlflow` client calls, so the screens and scripts see the same registry).
 * Errors surface MLflow's `{error_code, message}` unchanged so validation messages reach the user.
 */

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

type Endpoint = { readonly method: string; readonly path: string };
type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

function queryString(params: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, item);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function parseError(res: Response): Promise<RegistryError> {
  const text = await res.text().catch(() => '');
  let body: MlflowErrorBody = {};
  try {
    body = text ? (JSON.parse(text) as MlflowErrorBody) : {};
  } catch {
    body = { message: text.slice(0, 500) };
  }
  return new RegistryError(body.message || `HTTP ${res.status}`, res.status, body.error_code ?? 'UNKNOWN');
}

/** GET parameters travel in the query string, others as a JSON body (as MLflow's handlers read them). */
async function call<T>(endpoint: Endpoint, params: Query | object = {}): Promise<T> {
  const url = MLFLOW_AJAX_PREFIX + endpoint.path;
  const init: RequestInit = { method: endpoint.method, cache: 'no-store' };
  let target = url;
  if (endpoint.method === 'GET') target += queryString(params as Query);
  else {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(params);
  }
  const res = await fetch(target, init);
  if (!res.ok) throw await parseError(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

const E = REGISTRY_ENDPOINTS;

// ------------------------------------------------------------------------------------ models

export async function searchRegisteredModels(
  request: SearchRegisteredModelsRequest,
): Promise<SearchRegisteredModelsResponse> {
  return call(E.searchRegisteredModels, { ...request });
}

export async function getRegisteredModel(name: string): Promise<RegisteredModel> {
  return (await call<{ registered_model: RegisteredModel }>(E.getRegisteredModel, { name })).registered_model;
}

export async function createRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
  return (await call<{ registered_model: RegisteredModel }>(E.createRegisteredModel, { name, description }))
    .registered_model;
}

export async function updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
  return (await call<{ registered_model: RegisteredModel }>(E.updateRegisteredModel, { name, description }))
    .registered_model;
}

export async function setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
  await call(E.setRegisteredModelTag, { name, key, value });
}

export async function deleteRegisteredModelTag(name: string, key: string): Promise<void> {
  await call(E.deleteRegisteredModelTag, { name, key });
}

export async function setAlias(name: string, alias: string, version: string): Promise<void> {
  await call(E.setAlias, { name, alias, version });
}

export async function deleteAlias(name: string, alias: string): Promise<void> {
  await call(E.deleteAlias, { name, alias });
}

// ------------------------------------------------------------------------------------ versions

export async function createModelVersion(request: CreateModelVersionRequest): Promise<ModelVersion> {
  return (await call<{ model_version: ModelVersion }>(E.createModelVersion, request)).model_version;
}

export async function getModelVersion(name: string, version: string): Promise<ModelVersion> {
  return (await call<{ model_version: ModelVersion }>(E.getModelVersion, { name, version })).model_version;
}

export async function updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
  return (await call<{ model_version: ModelVersion }>(E.updateModelVersion, { name, version, description }))
    .model_version;
}

export async function transitionStage(request: TransitionStageRequest): Promise<ModelVersion> {
  return (await call<{ model_version: ModelVersion }>(E.transitionStage, request)).model_version;
}

export async function searchModelVersions(request: SearchModelVersionsRequest): Promise<SearchModelVersionsResponse> {
  return call(E.searchModelVersions, { ...request });
}

export async function setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
  await call(E.setModelVersionTag, { name, version, key, value });
}

export async function deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
  await call(E.deleteModelVersionTag, { name, version, key });
}

/** A registry filter string literal: single quotes unless the text has one (MLflow does not unescape). */
export function filterLiteral(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/'/g, '')}'`;
}

/** `name ILIKE '%x%'`: MLflow's registry filter for a case-insensitive substring of the name. */
export function nameFilter(query: string): string | undefined {
  const q = query.trim();
  return q ? `name ILIKE ${filterLiteral(`%${q}%`)}` : undefined;
}

/** All versions of a model, newest first (pages through the search). */
export async function listVersionsOf(name: string, limit = 5000): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await searchModelVersions({
      filter: `name = ${filterLiteral(name)}`,
      order_by: ['version_number DESC'],
      max_results: 1000,
      page_token: pageToken,
    });
    out.push(...(page.model_versions ?? []).filter((v) => v.name === name));
    pageToken = page.next_page_token;
  } while (pageToken && out.length < limit);
  return out;
}

/**
 * One text file of a registered version (e.g. its `MLmodel`), or null when the version has no
 * such file. Read through `/model-versions/get-artifact`, which follows `runs:/` and `models:/`.
 */
export async function readVersionFile(name: string, version: string, path = MLMODEL_FILE): Promise<string | null> {
  const res = await fetch(MODEL_VERSION_ARTIFACT_PATH + queryString({ name, version, path }), { cache: 'no-store' });
  if (res.status === 404) return null;
  if (!res.ok) throw await parseError(res);
  return res.text();
}

// ------------------------------------------------------------------------------------ runs

export async function getRun(runId: string): Promise<GetRunResponse['run']> {
  return (await call<GetRunResponse>(E.getRun, { run_id: runId })).run;
}

export async function listArtifacts(runId: string, path?: string): Promise<ArtifactFileInfo[]> {
  return (await call<ListArtifactsResponse>(E.listArtifacts, { run_id: runId, path })).files ?? [];
}

/** The run's MLflow 3 logged models (those whose `source_run_id` is the run), newest first. */
export async function loggedModelsOfRun(run: RunInfoLite, pageLimit = 20): Promise<LoggedModelLite[]> {
  const out: LoggedModelLite[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const request: SearchLoggedModelsRequest = {
      experiment_ids: [run.experiment_id],
      filter: `source_run_id = ${filterLiteral(run.run_id)}`,
      max_results: 100,
      page_token: pageToken,
    };
    const page = await call<SearchLoggedModelsResponse>(E.searchLoggedModels, request);
    // Checked again here: the filter is an optimization, the run is what counts.
    for (const m of page.models ?? []) if (m.info.source_run_id === run.run_id) out.push(m);
    pageToken = page.next_page_token;
  } while (pageToken && ++pages < pageLimit);
  return out.sort((a, b) => (b.info.creation_timestamp_ms ?? 0) - (a.info.creation_timestamp_ms ?? 0));
}

/**
 * Artifact folders of a run that hold an `MLmodel` file (a model logged with MLflow 2's
 * `log_model`, or any saved model), found breadth-first within a few levels.
 */
export async function modelDirsOfRun(runId: string, maxDepth = 3, maxListings = 60): Promise<string[]> {
  const found: string[] = [];
  const queue: { path: string; depth: number }[] = [{ path: '', depth: 0 }];
  let listings = 0;
  while (queue.length && listings < maxListings) {
    const { path, depth } = queue.shift()!;
    listings++;
    const files = await listArtifacts(runId, path || undefined);
    if (path && files.some((f) => !f.is_dir && f.path.split('/').pop() === MLMODEL_FILE)) {
      found.push(path);
      continue; // a model folder's sub-folders are its own files, not other models
    }
    if (depth < maxDepth) for (const f of files) if (f.is_dir) queue.push({ path: f.path, depth: depth + 1 });
  }
  return found;
}

export type { ModelVersion, RegisteredModel, RegistryTag };
