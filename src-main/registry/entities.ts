/**
 * Model registry entities. The JSON shapes MLflow's REST API returns (proto field names and field
 * order; optional fields absent rather than null, exactly where MLflow's `to_proto` skips them) are
 * defined once, in the contract the renderer also reads; the store and routes use them from here.
 */
import type { ModelVersionStatus, RegistryTag } from '../contract/registry-api';

export type {
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelAlias,
  RegistryTag,
} from '../contract/registry-api';

export const STAGE_NONE = 'None';
export const STAGE_STAGING = 'Staging';
export const STAGE_PRODUCTION = 'Production';
export const STAGE_ARCHIVED = 'Archived';
/** Deleted versions stay in the table under this stage so their numbers are never reused. */
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';
export const ALL_STAGES = [STAGE_NONE, STAGE_STAGING, STAGE_PRODUCTION, STAGE_ARCHIVED] as const;
export const ACTIVE_STAGES = [STAGE_STAGING, STAGE_PRODUCTION] as const;

/** Full records the importers hand to `RegistryStore.import*` (mlruns/models, mlflow.db). */
export interface ModelVersionRecord {
  version: number;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  description?: string | null;
  user_id?: string | null;
  /** One of ALL_STAGES or `Deleted_Internal`; case-insensitive for the public stages. */
  current_stage?: string | null;
  source?: string | null;
  storage_location?: string | null;
  run_id?: string | null;
  run_link?: string | null;
  status?: ModelVersionStatus | null;
  status_message?: string | null;
  model_id?: string | null;
  tags?: RegistryTag[] | readonly { key: string; value: string | null }[];
}

export interface RegisteredModelRecord {
  name: string;
  creation_timestamp: number | null;
  last_updated_timestamp: number | null;
  description?: string | null;
  tags?: readonly { key: string; value: string | null }[];
  aliases?: readonly { alias: string; version: number | string }[];
  versions?: readonly ModelVersionRecord[];
}

/** What an import call changed: rows inserted vs. rows that already existed (and were refreshed). */
export interface ImportCounts {
  modelsCreated: number;
  modelsUpdated: number;
  versionsCreated: number;
  versionsUpdated: number;
}
