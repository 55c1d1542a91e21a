/**
 * The renderer's view of MLflow's Model Registry REST API (protos/model_registry.proto) and of the
 * few tracking endpoints the registry screens need (runs/get, artifacts/list, logged-models/search).
 *
 * The registry view speaks MLflow's own API — the same endpoints the `mlflow` client uses — under
 * the same-origin `/ajax-api/2.0` prefix, so it needs no launch token. State-changing requests
 * carry the page's `Origin`, which the server's security hook checks (src-main/rest/security.ts).
 * Shapes are the JSON MLflow returns: proto field names, int64 timestamps as numbers, optional
 * fields absent rather than null. Types and constants only: the renderer and the main process
 * both import this file.
 */

/** Prefix of MLflow's JSON API for the UI (the same handlers as `/api/2.0`). */
export const MLFLOW_AJAX_PREFIX = '/ajax-api/2.0/mlflow';
/** One file of a registered version, as a download (outside `/ajax-api`, as in MLflow's app). */
export const MODEL_VERSION_ARTIFACT_PATH = '/model-versions/get-artifact';

/** MLflow's registry endpoints (paths relative to `MLFLOW_AJAX_PREFIX`). */
export const REGISTRY_ENDPOINTS = {
  createRegisteredModel: { method: 'POST', path: '/registered-models/create' },
  getRegisteredModel: { method: 'GET', path: '/registered-models/get' },
  renameRegisteredModel: { method: 'POST', path: '/registered-models/rename' },
  updateRegisteredModel: { method: 'PATCH', path: '/registered-models/update' },
  deleteRegisteredModel: { method: 'DELETE', path: '/registered-models/delete' },
  searchRegisteredModels: { method: 'GET', path: '/registered-models/search' },
  setRegisteredModelTag: { method: 'POST', path: '/registered-models/set-tag' },
  deleteRegisteredModelTag: { method: 'DELETE', path: '/registered-models/delete-tag' },
  setAlias: { method: 'POST', path: '/registered-models/alias' },
  deleteAlias: { method: 'DELETE', path: '/registered-models/alias' },
  createModelVersion: { method: 'POST', path: '/model-versions/create' },
  getModelVersion: { method: 'GET', path: '/model-versions/get' },
  updateModelVersion: { method: 'PATCH', path: '/model-versions/update' },
  transitionStage: { method: 'POST', path: '/model-versions/transition-stage' },
  searchModelVersions: { method: 'GET', path: '/model-versions/search' },
  setModelVersionTag: { method: 'POST', path: '/model-versions/set-tag' },
  deleteModelVersionTag: { method: 'DELETE', path: '/model-versions/delete-tag' },
  // Tracking endpoints the registry screens read.
  getRun: { method: 'GET', path: '/runs/get' },
  listArtifacts: { method: 'GET', path: '/artifacts/list' },
  searchLoggedModels: { method: 'POST', path: '/logged-models/search' },
} as const;

/** MLflow's page size limit for `registered-models/search`. */
export const REGISTERED_MODELS_MAX_RESULTS = 1000;

// ------------------------------------------------------------------------------------ entities

export interface RegistryTag {
  key: string;
  /** Absent when stored as NULL (possible only for imported rows). */
  value?: string;
}

export const MODEL_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  /** One of MODEL_STAGES (imported data may differ in case). */
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: ModelVersionStatus;
  status_message?: string;
  tags?: RegistryTag[];
  run_link?: string;
  aliases?: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  description?: string;
  /** The latest version in each stage. */
  latest_versions?: ModelVersion[];
  tags?: RegistryTag[];
  aliases?: RegisteredModelAlias[];
}

// ------------------------------------------------------------------------------------ requests

export interface SearchRegisteredModelsRequest {
  /** MLflow's registry filter, e.g. `name ILIKE '%churn%'`. */
  filter?: string;
  max_results?: number;
  /** e.g. `['name ASC']`, `['last_updated_timestamp DESC']`. */
  order_by?: string[];
  page_token?: string;
}

export interface SearchRegisteredModelsResponse {
  registered_models?: RegisteredModel[];
  next_page_token?: string;
}

export interface SearchModelVersionsRequest {
  /** e.g. `name = 'churn'`, `run_id = '...'`. */
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

export interface SearchModelVersionsResponse {
  model_versions?: ModelVersion[];
  next_page_token?: string;
}

export interface CreateModelVersionRequest {
  name: string;
  /** `models:/<model_id>` (MLflow 3 logged model), `runs:/<run_id>/<path>` or an artifact URI. */
  source: string;
  run_id?: string;
  model_id?: string;
  description?: string;
  tags?: RegistryTag[];
  run_link?: string;
}

export interface TransitionStageRequest {
  name: string;
  version: string;
  stage: ModelStage;
  /** Moves the model's other Staging/Production versions (of the target stage) to Archived. */
  archive_existing_versions: boolean;
}

/** MLflow's JSON error body. */
export interface MlflowErrorBody {
  error_code?: string;
  message?: string;
}

// ------------------------------------------------------------------------------------ tracking

/** The parts of `runs/get` the registry screens use. */
export interface RunInfoLite {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  artifact_uri?: string;
  status?: string;
  lifecycle_stage?: string;
}

export interface GetRunResponse {
  run: {
    info: RunInfoLite;
    outputs?: { model_outputs?: { model_id: string; step: number }[] };
  };
}

export interface ArtifactFileInfo {
  path: string;
  is_dir?: boolean;
  file_size?: number;
}

export interface ListArtifactsResponse {
  root_uri?: string;
  files?: ArtifactFileInfo[];
  next_page_token?: string;
}

export interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
  creation_timestamp_ms?: number;
  last_updated_timestamp_ms?: number;
  artifact_uri?: string;
  status?: string;
  model_type?: string;
  source_run_id?: string;
  tags?: { key: string; value: string }[];
}

export interface LoggedModelLite {
  info: LoggedModelInfo;
}

export interface SearchLoggedModelsRequest {
  experiment_ids: string[];
  /** MLflow's logged-model filter, e.g. `source_run_id = '<run id>'`. */
  filter?: string;
  max_results?: number;
  page_token?: string;
}

export interface SearchLoggedModelsResponse {
  models?: LoggedModelLite[];
  next_page_token?: string;
}

/** The logged model tag listing the registered versions made from it (MLflow 3). */
export const LOGGED_MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
/** Name of the model metadata file at the root of every MLflow model directory. */
export const MLMODEL_FILE = 'MLmodel';
