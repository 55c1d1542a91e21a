import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import type { TrackingStore } from './tracking-store';
import { decodeValue } from './metrics';
import { invalidParam, notFound } from '../core/errors';
import type { KeyValue, LoggedModel, LoggedModelStatus, Metric } from '../core/entities';
import { generateRunName } from '../core/run-names';

interface LoggedModelRow {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: LoggedModelStatus;
  status_message: string | null;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
}

export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
];

export interface ModelMetricInput extends Metric {
  dataset_name: string;
  dataset_digest: string;
}

export interface SearchLoggedModelsQuery {
  experimentIds: string[];
  maxResults: number;
  offset: number;
  orderBy: { field_name: string; ascending: boolean }[];
}

/** MLflow 3 logged models (write transactions IMMEDIATE, as in TrackingStore): `m-<uuid>` ids, artifacts under `<experiment artifact root>/models/<id>/artifacts`. */
export class LoggedModelStore {
  private readonly s;
  private readonly tracking: TrackingStore;

  constructor(db: Db, tracking: TrackingStore) {
    this.tracking = tracking;
    this.s = {
      byId: db.prepare<[string], LoggedModelRow>('SELECT * FROM logged_models WHERE model_id = ?'),
      insert: db.prepare(
        `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms,
           last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id)
         VALUES (@model_id, @experiment_id, @name, @artifact_location, @now, @now, 'LOGGED_MODEL_PENDING', 'active',
           @model_type, @source_run_id)`,
      ),
      setStatus: db.prepare('UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?'),
      softDelete: db.prepare(
        "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = ? WHERE model_id = ?",
      ),
      touch: db.prepare('UPDATE logged_models SET last_updated_timestamp_ms = ? WHERE model_id = ?'),
      params: db.prepare<[string], KeyValue>(
        'SELECT key, value FROM logged_model_params WHERE model_id = ? ORDER BY key',
      ),
      upsertParam: db.prepare(
        `INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value`,
      ),
      tags: db.prepare<[string], KeyValue>('SELECT key, value FROM logged_model_tags WHERE model_id = ? ORDER BY key'),
      upsertTag: db.prepare(
        `INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value`,
      ),
      deleteTag: db.prepare('DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?'),
      metrics: db.prepare<
        [string],
        {
          key: string;
          value: number;
          is_nan: number;
          timestamp: number;
          step: number;
          run_id: string;
          dataset_name: string;
          dataset_digest: string;
        }
      >(
        `SELECT key, value, is_nan, timestamp, step, run_id, dataset_name, dataset_digest FROM logged_model_metrics
         WHERE model_id = ? ORDER BY key, timestamp, step`,
      ),
      insertMetric: db.prepare(
        `INSERT OR IGNORE INTO logged_model_metrics (model_id, key, step, timestamp, value, is_nan, run_id, dataset_name, dataset_digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      search: db.prepare<[string], LoggedModelRow>(
        `SELECT * FROM logged_models WHERE lifecycle_stage = 'active'
         AND experiment_id IN (SELECT value FROM json_each(?))`,
      ),
    };
    this.db = db;
  }

  private readonly db: Db;

  private row(modelId: string): LoggedModelRow {
    const r = this.s.byId.get(modelId);
    if (!r || r.lifecycle_stage === 'deleted') throw notFound(`Logged model with ID '${modelId}' not found.`);
    return r;
  }

  createLoggedModel(input: {
    experimentId: string;
    name: string | null;
    modelType: string | null;
    sourceRunId: string | null;
    params: KeyValue[];
    tags: KeyValue[];
  }): LoggedModel {
    if (input.name !== null) validateLoggedModelName(input.name);
    const id = this.db
      .transaction(() => {
        const exp = this.tracking.getExperiment(input.experimentId);
        if (exp.lifecycle_stage !== 'active') {
          throw invalidParam(
            `The experiment ${exp.experiment_id} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`,
          );
        }
        const modelId = `m-${randomUUID().replace(/-/g, '')}`;
        this.s.insert.run({
          model_id: modelId,
          experiment_id: Number(exp.experiment_id),
          name: input.name || generateRunName(),
          artifact_location: `${exp.artifact_location.replace(/\/+$/, '')}/models/${modelId}/artifacts`,
          now: Date.now(),
          model_type: input.modelType || null,
          source_run_id: input.sourceRunId || null,
        });
        for (const p of input.params) this.s.upsertParam.run(modelId, p.key, p.value);
        for (const t of input.tags) this.s.upsertTag.run(modelId, t.key, t.value);
        return modelId;
      })
      .immediate();
    return this.getLoggedModel(id);
  }

  getLoggedModel(modelId: string): LoggedModel {
    return this.assemble(this.row(modelId));
  }

  private assemble(r: LoggedModelRow): LoggedModel {
    const info: LoggedModel['info'] = {
      model_id: r.model_id,
      experiment_id: String(r.experiment_id),
      name: r.name,
      creation_timestamp_ms: r.creation_timestamp_ms,
      last_updated_timestamp_ms: r.last_updated_timestamp_ms,
      artifact_uri: r.artifact_location,
      status: r.status,
    };
    if (r.model_type) info.model_type = r.model_type;
    if (r.source_run_id) info.source_run_id = r.source_run_id;
    if (r.status_message) info.status_message = r.status_message;
    const tags = this.s.tags.all(r.model_id);
    if (tags.length) info.tags = tags;
    const data: LoggedModel['data'] = {};
    const params = this.s.params.all(r.model_id);
    if (params.length) data.params = params;
    const metrics = this.s.metrics.all(r.model_id).map((m) => {
      const out: NonNullable<LoggedModel['data']['metrics']>[number] = {
        key: m.key,
        value: decodeValue(m.value, m.is_nan),
        timestamp: m.timestamp,
        step: m.step,
        model_id: r.model_id,
      };
      if (m.run_id) out.run_id = m.run_id;
      if (m.dataset_name) out.dataset_name = m.dataset_name;
      if (m.dataset_digest) out.dataset_digest = m.dataset_digest;
      return out;
    });
    if (metrics.length) data.metrics = metrics;
    return { info, data };
  }

  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): LoggedModel {
    this.row(modelId);
    this.s.setStatus.run(status, Date.now(), modelId);
    return this.getLoggedModel(modelId);
  }

  deleteLoggedModel(modelId: string): void {
    this.row(modelId);
    this.s.softDelete.run(Date.now(), modelId);
  }

  setTags(modelId: string, tags: KeyValue[]): void {
    this.db
      .transaction(() => {
        this.row(modelId);
        for (const t of tags) this.s.upsertTag.run(modelId, t.key, t.value);
        this.s.touch.run(Date.now(), modelId);
      })
      .immediate();
  }

  deleteTag(modelId: string, key: string): void {
    this.db
      .transaction(() => {
        this.row(modelId);
        if (this.s.deleteTag.run(modelId, key).changes === 0) {
          throw notFound(`No tag with key '${key}' found for model with ID '${modelId}'.`);
        }
      })
      .immediate();
  }

  logParams(modelId: string, params: KeyValue[]): void {
    this.db
      .transaction(() => {
        this.row(modelId);
        for (const p of params) this.s.upsertParam.run(modelId, p.key, p.value);
      })
      .immediate();
  }

  /** Metrics logged with a `model_id` are also recorded on the model (MLflow's `_log_model_metrics`). */
  logModelMetrics(modelId: string, runId: string, metrics: ModelMetricInput[]): void {
    if (!this.s.byId.get(modelId)) return;
    this.db
      .transaction(() => {
        for (const m of metrics) {
          const nan = Number.isNaN(m.value);
          this.s.insertMetric.run(
            modelId,
            m.key,
            m.step,
            m.timestamp,
            nan ? 0 : m.value,
            nan ? 1 : 0,
            runId,
            m.dataset_name,
            m.dataset_digest,
          );
        }
      })
      .immediate();
  }

  /** Models of the given experiments, ordered (default: creation time, newest first) and paged. */
  search(q: SearchLoggedModelsQuery): { models: LoggedModel[]; hasMore: boolean } {
    const rows = this.s.search.all(JSON.stringify(q.experimentIds.map(Number)));
    const order = q.orderBy.length ? q.orderBy : [{ field_name: 'creation_timestamp', ascending: false }];
    const value = (r: LoggedModelRow, field: string): string | number | null => {
      const f =
        field === 'creation_timestamp'
          ? 'creation_timestamp_ms'
          : field === 'last_updated_timestamp'
            ? 'last_updated_timestamp_ms'
            : field;
      return (r as unknown as Record<string, string | number | null>)[f] ?? null;
    };
    rows.sort((a, b) => {
      for (const o of order) {
        const va = value(a, o.field_name);
        const vb = value(b, o.field_name);
        if (va === vb) continue;
        if (va === null) return 1;
        if (vb === null) return -1;
        const c = va < vb ? -1 : 1;
        return o.ascending ? c : -c;
      }
      return a.model_id < b.model_id ? -1 : 1;
    });
    const page = rows.slice(q.offset, q.offset + q.maxResults);
    return { models: page.map((r) => this.assemble(r)), hasMore: rows.length > q.offset + q.maxResults };
  }
}

export function validateLoggedModelName(name: string): void {
  const bad = ['/', ':', '.', '%', '"', "'"];
  if (!name || bad.some((c) => name.includes(c))) {
    throw invalidParam(
      `Invalid model name ('${name}') provided. Model name must be a non-empty string and cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
    );
  }
}
