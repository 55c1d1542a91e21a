import { invalidParam } from '../core/errors';
import {
  ATTRIBUTE_COLUMNS,
  UI_LIMITS,
  type AttributeColumn,
  type LifecycleFilter,
  type RunsWindowRequest,
  type SortSpec,
} from '../contract/ui-api';

/**
 * Request validation for the UI API: bodies come over HTTP, so every field is checked and a bad
 * one is a 400 with a message naming it (never a 500).
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, field: string, max: number): string[] {
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

export function parseExperimentIds(v: unknown, field = 'experimentIds'): number[] {
  const ids = stringList(v, field, UI_LIMITS.maxExperimentIds);
  return ids.map((id) => {
    if (!/^\d{1,15}$/.test(id)) throw invalidParam(`Invalid experiment id '${id}' in '${field}'`);
    return Number(id);
  });
}

export function parseLifecycle(v: unknown): LifecycleFilter {
  if (v === undefined || v === null) return 'active';
  if (v === 'active' || v === 'deleted' || v === 'all') return v;
  throw invalidParam("'lifecycle' must be one of 'active', 'deleted', 'all'");
}

function parseSort(v: unknown): SortSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParam("'sort' must be a list");
  if (v.length > UI_LIMITS.maxSortTerms) throw invalidParam(`'sort' allows at most ${UI_LIMITS.maxSortTerms} terms`);
  return v.map((term, i) => {
    if (!isRecord(term) || !isRecord(term.column)) throw invalidParam(`'sort[${i}]' must be {column, desc}`);
    const { kind, key } = term.column;
    const desc = term.desc === undefined ? false : term.desc;
    if (typeof desc !== 'boolean') throw invalidParam(`'sort[${i}].desc' must be a boolean`);
    if (typeof key !== 'string' || key === '') throw invalidParam(`'sort[${i}].column.key' must be a non-empty string`);
    if (kind === 'attribute') {
      if (!(ATTRIBUTE_COLUMNS as readonly string[]).includes(key)) {
        throw invalidParam(
          `Unknown attribute '${key}' in 'sort[${i}]'; expected one of ${ATTRIBUTE_COLUMNS.join(', ')}`,
        );
      }
      return { column: { kind, key: key as AttributeColumn }, desc };
    }
    if (kind === 'metric' || kind === 'param' || kind === 'tag') return { column: { kind, key }, desc };
    throw invalidParam(`'sort[${i}].column.kind' must be one of attribute, metric, param, tag`);
  });
}

export interface ValidRunsWindowRequest extends Omit<RunsWindowRequest, 'experimentIds' | 'lifecycle' | 'filter'> {
  experimentIds: number[];
  lifecycle: LifecycleFilter;
  filter: string;
}

function parseFilterText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw invalidParam("'filter' must be a string");
  if (v.length > UI_LIMITS.maxFilterLength) {
    throw invalidParam(`'filter' is ${v.length} characters long; at most ${UI_LIMITS.maxFilterLength} are allowed`);
  }
  return v;
}

export function parseRunsWindowRequest(body: unknown): ValidRunsWindowRequest {
  if (!isRecord(body)) throw invalidParam('Request body must be a JSON object');
  const columns = body.columns === undefined ? {} : body.columns;
  if (!isRecord(columns)) throw invalidParam("'columns' must be an object {metrics, params, tags}");
  const max = UI_LIMITS.maxColumnsPerKind;
  return {
    experimentIds: parseExperimentIds(body.experimentIds),
    offset: intField(body.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0),
    limit: intField(body.limit, 'limit', 0, UI_LIMITS.maxWindowRows, 100),
    columns: {
      metrics: stringList(columns.metrics, 'columns.metrics', max),
      params: stringList(columns.params, 'columns.params', max),
      tags: stringList(columns.tags, 'columns.tags', max),
    },
    sort: parseSort(body.sort),
    lifecycle: parseLifecycle(body.lifecycle),
    filter: parseFilterText(body.filter),
  };
}
