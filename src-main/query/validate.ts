import { invalidParam } from '../core/errors';
import {
  ATTRIBUTE_COLUMNS,
  RUN_STATUSES,
  UI_LIMITS,
  type AttributeColumn,
  type ColumnRef,
  type ColumnSet,
  type ExportFormat,
  type KeyValuesRequest,
  type LifecycleFilter,
  type RunStatus,
  type SortSpec,
  type TagEdit,
} from '../contract/ui-api';

/**
 * Request validation for the UI API: bodies come over HTTP, so every field is checked and a bad
 * one is a 400 with a message naming it (never a 500).
 */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function stringList(v: unknown, field: string, max: number): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalidParam(`'${field}' must be a list of strings`);
  }
  if (v.length > max) throw invalidParam(`'${field}' has ${v.length} entries; at most ${max} are allowed`);
  return [...new Set(v as string[])];
}

function intField(v: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidParam(`'${field}' must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function optionalTime(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParam(`'${field}' must be a number (epoch ms)`);
  return Math.trunc(v);
}

function optionalString(v: unknown, field: string, max: number = UI_LIMITS.maxFilterLength): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalidParam(`'${field}' must be a string`);
  if (v.length > max) throw invalidParam(`'${field}' is ${v.length} characters long; at most ${max} are allowed`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidParam(`'${field}' must be a boolean`);
  return v;
}

export function parseExperimentIds(v: unknown, field = 'experimentIds'): number[] {
  const ids = stringList(v, field, UI_LIMITS.maxExperimentIds);
  return ids.map((id) => {
    if (!/^\d{1,15}$/.test(id)) throw invalidParam(`Invalid experiment id '${id}' in '${field}'`);
    return Number(id);
  });
}

export function parseExperimentId(v: unknown, field = 'experimentId'): string {
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) throw invalidParam(`'${field}' must be an experiment id`);
  return v;
}

export function parseLifecycle(v: unknown): LifecycleFilter {
  if (v === undefined || v === null) return 'active';
  if (v === 'active' || v === 'deleted' || v === 'all') return v;
  throw invalidParam("'lifecycle' must be one of 'active', 'deleted', 'all'");
}

export function parseColumnRef(v: unknown, field: string): ColumnRef {
  if (!isRecord(v)) throw invalidParam(`'${field}' must be {kind, key}`);
  const { kind, key, agg } = v;
  if (typeof key !== 'string' || key === '') throw invalidParam(`'${field}.key' must be a non-empty string`);
  if (kind === 'attribute') {
    if (!(ATTRIBUTE_COLUMNS as readonly string[]).includes(key)) {
      throw invalidParam(`Unknown attribute '${key}' in '${field}'; expected one of ${ATTRIBUTE_COLUMNS.join(', ')}`);
    }
    return { kind, key: key as AttributeColumn };
  }
  if (kind === 'metric') {
    if (agg === undefined || agg === null || agg === 'latest') return { kind, key };
    if (agg === 'min' || agg === 'max') return { kind, key, agg };
    throw invalidParam(`'${field}.agg' must be one of latest, min, max`);
  }
  if (kind === 'param' || kind === 'tag') return { kind, key };
  throw invalidParam(`'${field}.kind' must be one of attribute, metric, param, tag`);
}

function parseSort(v: unknown): SortSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParam("'sort' must be a list");
  if (v.length > UI_LIMITS.maxSortTerms) throw invalidParam(`'sort' allows at most ${UI_LIMITS.maxSortTerms} terms`);
  return v.map((term, i) => {
    if (!isRecord(term)) throw invalidParam(`'sort[${i}]' must be {column, desc}`);
    const desc = term.desc === undefined ? false : term.desc;
    if (typeof desc !== 'boolean') throw invalidParam(`'sort[${i}].desc' must be a boolean`);
    return { column: parseColumnRef(term.column, `sort[${i}].column`), desc };
  });
}

const GROUPABLE_ATTRIBUTES = new Set<string>(['status', 'user_id', 'source', 'git_commit', 'experiment_id']);

function parseGroupBy(v: unknown): ColumnRef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParam("'groupBy' must be a list");
  if (v.length > UI_LIMITS.maxGroupBy) throw invalidParam(`'groupBy' allows at most ${UI_LIMITS.maxGroupBy} columns`);
  return v.map((c, i) => {
    const ref = parseColumnRef(c, `groupBy[${i}]`);
    if (ref.kind === 'metric') throw invalidParam(`'groupBy[${i}]': runs are grouped by params, tags or attributes`);
    if (ref.kind === 'attribute' && !GROUPABLE_ATTRIBUTES.has(ref.key)) {
      throw invalidParam(`'groupBy[${i}]': cannot group by attribute '${ref.key}'`);
    }
    return ref;
  });
}

function parseStatuses(v: unknown): RunStatus[] {
  const list = stringList(v, 'statuses', RUN_STATUSES.length);
  for (const s of list) {
    if (!(RUN_STATUSES as readonly string[]).includes(s)) {
      throw invalidParam(`Unknown status '${s}' in 'statuses'; expected one of ${RUN_STATUSES.join(', ')}`);
    }
  }
  return list as RunStatus[];
}

export function parseColumnSet(v: unknown, field = 'columns'): Required<ColumnSet> {
  const columns = v === undefined || v === null ? {} : v;
  if (!isRecord(columns)) throw invalidParam(`'${field}' must be an object {metrics, params, tags}`);
  const max = UI_LIMITS.maxColumnsPerKind;
  return {
    metrics: stringList(columns.metrics, `${field}.metrics`, max),
    metricMin: stringList(columns.metricMin, `${field}.metricMin`, max),
    metricMax: stringList(columns.metricMax, `${field}.metricMax`, max),
    params: stringList(columns.params, `${field}.params`, max),
    tags: stringList(columns.tags, `${field}.tags`, max),
  };
}

export interface ValidQuery {
  experimentIds: number[];
  lifecycle: LifecycleFilter;
  filter: string;
  search: string;
  statuses: RunStatus[];
  startedAfter: number | null;
  startedBefore: number | null;
  sort: SortSpec[];
  pinned: string[];
  hidden: string[];
  runIds: string[] | null;
  tree: boolean;
  expanded: string[];
  groupBy: ColumnRef[];
  aggregates: string[];
  groupsCollapsed: boolean;
  toggledGroups: string[];
}

export interface ValidWindowRequest extends ValidQuery {
  offset: number;
  limit: number;
  columns: Required<ColumnSet>;
}

export function parseRunsQuery(body: unknown, field = ''): ValidQuery {
  if (!isRecord(body)) throw invalidParam(`${field ? `'${field}'` : 'Request body'} must be a JSON object`);
  const ids = UI_LIMITS.maxRunIds;
  return {
    experimentIds: parseExperimentIds(body.experimentIds),
    lifecycle: parseLifecycle(body.lifecycle),
    filter: optionalString(body.filter, 'filter'),
    search: optionalString(body.search, 'search', 1000),
    statuses: parseStatuses(body.statuses),
    startedAfter: optionalTime(body.startedAfter, 'startedAfter'),
    startedBefore: optionalTime(body.startedBefore, 'startedBefore'),
    sort: parseSort(body.sort),
    pinned: stringList(body.pinned, 'pinned', ids),
    hidden: stringList(body.hidden, 'hidden', ids),
    runIds: body.runIds === undefined || body.runIds === null ? null : stringList(body.runIds, 'runIds', ids),
    tree: bool(body.tree, 'tree'),
    expanded: stringList(body.expanded, 'expanded', ids),
    groupBy: parseGroupBy(body.groupBy),
    aggregates: stringList(body.aggregates, 'aggregates', 100),
    groupsCollapsed: bool(body.groupsCollapsed, 'groupsCollapsed'),
    toggledGroups: stringList(body.toggledGroups, 'toggledGroups', 100_000),
  };
}

export function parseRunsWindowRequest(body: unknown): ValidWindowRequest {
  const query = parseRunsQuery(body);
  const b = body as Record<string, unknown>;
  return {
    ...query,
    offset: intField(b.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0),
    limit: intField(b.limit, 'limit', 0, UI_LIMITS.maxWindowRows, 100),
    columns: parseColumnSet(b.columns),
  };
}

export function parseKeyValuesRequest(body: unknown): Required<KeyValuesRequest> & { ids: number[] } {
  if (!isRecord(body)) throw invalidParam('Request body must be a JSON object');
  const kind = body.kind;
  if (kind !== 'param' && kind !== 'tag' && kind !== 'attribute') {
    throw invalidParam("'kind' must be one of param, tag, attribute");
  }
  const key = optionalString(body.key, 'key', 1000);
  if (!key) throw invalidParam("'key' must be a non-empty string");
  return {
    experimentIds: [],
    ids: parseExperimentIds(body.experimentIds),
    kind,
    key,
    prefix: optionalString(body.prefix, 'prefix', 1000),
    limit: intField(body.limit, 'limit', 1, 500, 50),
  };
}

export function parseExportFormat(v: unknown): ExportFormat {
  if (v === 'csv' || v === 'tsv' || v === 'json') return v;
  throw invalidParam("'format' must be one of csv, tsv, json");
}

export function parseColumnRefs(v: unknown, field: string): ColumnRef[] {
  if (!Array.isArray(v)) throw invalidParam(`'${field}' must be a list of columns`);
  if (v.length > UI_LIMITS.maxColumnsPerKind * 3) throw invalidParam(`'${field}' has too many columns`);
  return v.map((c, i) => parseColumnRef(c, `${field}[${i}]`));
}

export function parseRunId(v: unknown, field = 'runId'): string {
  if (typeof v !== 'string' || v === '' || v.length > 256) throw invalidParam(`'${field}' must be a run id`);
  return v;
}

export function parseTagEdit(body: unknown): Required<TagEdit> {
  if (!isRecord(body)) throw invalidParam('Request body must be a JSON object');
  const set = body.set === undefined || body.set === null ? [] : body.set;
  if (!Array.isArray(set)) throw invalidParam("'set' must be a list of {key, value}");
  const pairs = set.map((t, i) => {
    if (!isRecord(t) || typeof t.key !== 'string' || typeof t.value !== 'string' || t.key.trim() === '') {
      throw invalidParam(`'set[${i}]' must be {key, value} with a non-empty key`);
    }
    return { key: t.key, value: t.value };
  });
  return {
    runIds: stringList(body.runIds, 'runIds', UI_LIMITS.maxRunIds),
    set: pairs,
    remove: stringList(body.remove, 'remove', 1000),
  };
}

export { bool as parseBool, optionalString as parseOptionalString };
