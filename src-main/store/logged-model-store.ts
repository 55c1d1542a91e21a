import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import type { TrackingStore } from './tracking-store';
import { decodeValue } from './metrics';
import { invalidParam, notFound } from '../core/errors';
import type { KeyValue, LoggedModel, LoggedModelStatus, Metric } from '../core/entities';
import { generateRunName } from '../core/run-names';
import type { FilterClause } from '../search';
import { LOGGED_MODEL_NUMERIC_ATTRIBUTES } from '../search/filter-parser';

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

export interface LoggedModelOrderBy {
  field_name: string;
  ascending: boolean;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface LoggedModelDataset {
  name: string;
  digest?: string;
}

export interface SearchLoggedModelsQuery {
  experimentIds: string[];
  filter: readonly FilterClause[];
  datasets: LoggedModelDataset[];
  maxResults: number;
  offset: number;
  orderBy: LoggedModelOrderBy[];
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

  /**
   * `search_logged_models`: models of the given experiments, filtered in memory as MLflow's
   * `SearchLoggedModelsUtils.filter_logged_models` does (a handful of models per experiment),
   * ordered by the given fields (nulls last; `creation_timestamp DESC` appended) and paged.
   */
  search(q: SearchLoggedModelsQuery): { models: LoggedModel[]; hasMore: boolean } {
    const order = q.orderBy.map((o) => resolveOrderField(o));
    if (!order.some((o) => o.column === 'creation_timestamp_ms')) {
      order.push({ column: 'creation_timestamp_ms', ascending: false, metric: null, dataset: null });
    }
    const models = this.s.search
      .all(JSON.stringify(q.experimentIds.map(Number)))
      .map((r) => this.assemble(r))
      .filter((m) => matchesFilter(m, q.filter, q.datasets));
    const sortValue = (m: LoggedModel, o: ResolvedOrder): string | number | null => {
      if (o.metric !== null) return latestMetric(m, o.metric, o.dataset ? [o.dataset] : [])?.value ?? null;
      return attributeValue(m, o.column);
    };
    models.sort((a, b) => {
      for (const o of order) {
        const va = sortValue(a, o);
        const vb = sortValue(b, o);
        if (va === vb) continue;
        if (va === null) return 1;
        if (vb === null) return -1;
        const c = va < vb ? -1 : 1;
        return o.ascending ? c : -c;
      }
      return 0;
    });
    const page = models.slice(q.offset, q.offset + q.maxResults);
    return { models: page, hasMore: models.length > q.offset + q.maxResults };
  }
}

interface ResolvedOrder {
  column: string;
  ascending: boolean;
  metric: string | null;
  dataset: LoggedModelDataset | null;
}

/** `SqlLoggedModel.ALIASES` and MLflow's order-by checks and messages. */
function resolveOrderField(o: LoggedModelOrderBy): ResolvedOrder {
  const field = o.field_name;
  if (!field.includes('.')) {
    const column = ORDER_ALIASES[field] ?? field;
    if (!ORDERABLE_COLUMNS.has(column)) throw invalidParam(`Invalid order by field name: ${field}`);
    return { column, ascending: o.ascending, metric: null, dataset: null };
  }
  const dot = field.indexOf('.');
  if (field.slice(0, dot) !== 'metrics') {
    throw invalidParam(`Invalid order by field name: ${field}. Only metrics are supported.`);
  }
  return {
    column: field,
    ascending: o.ascending,
    metric: field.slice(dot + 1),
    dataset: o.dataset_name ? { name: o.dataset_name, digest: o.dataset_digest || undefined } : null,
  };
}

const ORDER_ALIASES: Record<string, string> = {
  creation_time: 'creation_timestamp_ms',
  creation_timestamp: 'creation_timestamp_ms',
  last_updated_timestamp: 'last_updated_timestamp_ms',
};
const ORDERABLE_COLUMNS = new Set([
  'model_id',
  'experiment_id',
  'name',
  'artifact_location',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
  'status',
  'lifecycle_stage',
  'model_type',
  'source_run_id',
  'status_message',
]);

/** A model's attribute as MLflow's entity exposes it (statuses without the proto prefix). */
function attributeValue(m: LoggedModel, column: string): string | number | null {
  const i = m.info;
  switch (column) {
    case 'creation_timestamp_ms':
    case 'creation_timestamp':
    case 'creation_time':
      return i.creation_timestamp_ms;
    case 'last_updated_timestamp_ms':
    case 'last_updated_timestamp':
    case 'last_updated_time':
      return i.last_updated_timestamp_ms;
    case 'status':
      return i.status
        .replace(/^LOGGED_MODEL_/, '')
        .replace('STATUS_UNSPECIFIED', 'UNSPECIFIED')
        .replace('UPLOAD_FAILED', 'FAILED');
    case 'model_id':
      return i.model_id;
    case 'name':
      return i.name;
    case 'model_type':
      return i.model_type ?? null;
    case 'source_run_id':
      return i.source_run_id ?? null;
    case 'experiment_id':
      return i.experiment_id;
    case 'artifact_location':
      return i.artifact_uri;
    default:
      return null;
  }
}

function onDataset(m: { dataset_name?: string; dataset_digest?: string }, d: LoggedModelDataset): boolean {
  return m.dataset_name === d.name && (!d.digest || m.dataset_digest === d.digest);
}

/** The model's most recent value of a metric (by timestamp, then step), optionally on given datasets. */
function latestMetric(m: LoggedModel, key: string, datasets: LoggedModelDataset[]) {
  let best: NonNullable<LoggedModel['data']['metrics']>[number] | undefined;
  for (const x of m.data.metrics ?? []) {
    if (x.key !== key || (datasets.length && !datasets.some((d) => onDataset(x, d)))) continue;
    if (!best || x.timestamp > best.timestamp || (x.timestamp === best.timestamp && x.step > best.step)) best = x;
  }
  return best;
}

/** MLflow's LIKE: `%` any run, `_` one character, anchored. */
function likeToRegExp(pattern: string, flags: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, flags);
}

function compare(lhs: string | number, comparator: string, rhs: string | number | string[]): boolean {
  switch (comparator) {
    case '=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '>':
      return lhs > (rhs as string | number);
    case '>=':
      return lhs >= (rhs as string | number);
    case '<':
      return lhs < (rhs as string | number);
    case '<=':
      return lhs <= (rhs as string | number);
    case 'LIKE':
      return likeToRegExp(String(rhs), 's').test(String(lhs));
    case 'ILIKE':
      return likeToRegExp(String(rhs), 'is').test(String(lhs));
    case 'IN':
      return (rhs as string[]).includes(String(lhs));
    case 'NOT IN':
      return !(rhs as string[]).includes(String(lhs));
    default:
      throw invalidParam(`Invalid comparator '${comparator}'`);
  }
}

/** `SearchLoggedModelsUtils.filter_logged_models` for one model. */
function matchesFilter(m: LoggedModel, clauses: readonly FilterClause[], datasets: LoggedModelDataset[]): boolean {
  const hasMetricClause = clauses.some((c) => c.type === 'metric');
  if (datasets.length && !hasMetricClause) {
    if (!(m.data.metrics ?? []).some((x) => datasets.some((d) => onDataset(x, d)))) return false;
  }
  return clauses.every((c) => {
    const comparator = c.comparator.toUpperCase();
    let lhs: string | number | null;
    let rhs: string | number | string[] = c.value;
    if (c.type === 'metric') {
      lhs = latestMetric(m, c.key, datasets)?.value ?? null;
      rhs = Number(c.value);
    } else if (c.type === 'parameter') {
      lhs = m.data.params?.find((p) => p.key === c.key)?.value ?? null;
    } else if (c.type === 'tag') {
      lhs = m.info.tags?.find((t) => t.key === c.key)?.value ?? null;
    } else if (c.type === 'attribute') {
      lhs = attributeValue(m, c.key);
      if (LOGGED_MODEL_NUMERIC_ATTRIBUTES.has(c.key)) rhs = Math.trunc(Number(c.value));
    } else {
      throw invalidParam(`Invalid logged model search key '${c.key}'`);
    }
    if (lhs === null) return false;
    return compare(lhs, comparator, rhs);
  });
}

export function validateLoggedModelName(name: string): void {
  const bad = ['/', ':', '.', '%', '"', "'"];
  if (!name || bad.some((c) => name.includes(c))) {
    throw invalidParam(
      `Invalid model name ('${name}') provided. Model name must be a non-empty string and cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
    );
  }
}
