/**
 * MLflow entities in the JSON shape the REST API speaks (proto field names, int64 as numbers).
 * The store returns these; REST handlers and the UI query layer share them.
 */
export interface KeyValue {
  key: string;
  value: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  last_update_time: number;
  creation_time: number;
  tags?: KeyValue[];
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: 'active' | 'deleted';
}

/** A metric point; `value` may be NaN or ±Infinity (serialized as "NaN"/"Infinity" on the wire). */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  run_id?: string;
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags?: KeyValue[];
  dataset: Dataset;
}

export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs: { dataset_inputs?: DatasetInput[]; model_inputs?: { model_id: string }[] };
  outputs: { model_outputs?: { model_id: string; step: number }[] };
}

export type LoggedModelStatus =
  'LOGGED_MODEL_STATUS_UNSPECIFIED' | 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: LoggedModelStatus;
    status_message?: string;
    model_type?: string;
    source_run_id?: string;
    tags?: KeyValue[];
    lifecycle_stage?: string;
  };
  data: {
    params?: KeyValue[];
    metrics?: (Metric & { model_id?: string; dataset_name?: string; dataset_digest?: string })[];
  };
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export function stagesFor(viewType: ViewType): ('active' | 'deleted')[] {
  if (viewType === 'DELETED_ONLY') return ['deleted'];
  if (viewType === 'ALL') return ['active', 'deleted'];
  return ['active'];
}
