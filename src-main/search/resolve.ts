import { MlflowError, invalidParam } from '../core/errors';
import {
  RUN_NUMERIC_ATTRIBUTES,
  EXPERIMENT_NUMERIC_ATTRIBUTES,
  translateKeyAlias,
  type FilterClause,
} from './filter-parser';
import { parseExperimentOrderBy, parseOrderBy } from './order-by';
import { pyListRepr, pySetRepr } from './python-compat';

/**
 * Parsed clauses → typed predicates and sort keys, with the checks MLflow's SQL store makes while
 * building its query (`_get_sqlalchemy_filter_clauses`, `_get_orderby_clauses`,
 * `_get_search_experiments_*`): comparator validity per key type, alias translation, duplicate
 * order_by fields. Pure: metric keys stay names here; the store maps them to ids.
 */

export type NumericOp = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type StringOp = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListOp = 'IN' | 'NOT IN';

/** A runs column a filter or sort can name (MLflow attribute → our column). */
export type RunColumn = 'run_uuid' | 'name' | 'user_id' | 'status' | 'start_time' | 'end_time' | 'artifact_uri';

export type RunPredicate =
  | { kind: 'metric'; key: string; op: NumericOp; value: number }
  | { kind: 'param' | 'tag'; key: string; op: StringOp; value: string }
  | { kind: 'attribute'; column: RunColumn; op: StringOp | ListOp; value: string | string[] }
  | { kind: 'numeric-attribute'; column: 'start_time' | 'end_time'; op: NumericOp; value: number | bigint }
  | { kind: 'dataset'; field: 'name' | 'digest' | 'context'; op: StringOp | ListOp; value: string | string[] };

export type RunOrderKey =
  | { kind: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { kind: 'attribute'; column: RunColumn; ascending: boolean };

const METRIC_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];
const PARAM_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE'];
const TAG_COMPARATORS = PARAM_COMPARATORS;
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const DATASET_COMPARATORS = STRING_ATTRIBUTE_COMPARATORS;

const COLUMNS: Record<string, RunColumn> = {
  run_id: 'run_uuid',
  run_name: 'name',
  user_id: 'user_id',
  status: 'status',
  start_time: 'start_time',
  end_time: 'end_time',
  artifact_uri: 'artifact_uri',
};

/** MLflow's own messages, quirks kept (some lack the closing quote; numeric lists the string set). */
const badComparator = (c: string, set: string[], closeQuote: boolean): MlflowError =>
  invalidParam(`Invalid comparator '${c}' not one of '${pySetRepr(set)}${closeQuote ? "'" : ''}`);

/** `is_string_attribute` / `is_numeric_attribute` / `is_metric`...: the kind, or an error for a bad comparator. */
function classify(
  type: string,
  key: string,
  comparator: string,
  numeric: ReadonlySet<string>,
): 'string-attribute' | 'numeric-attribute' | 'metric' | 'param' | 'tag' | 'dataset' {
  if (type === 'attribute' && !numeric.has(key)) {
    if (!STRING_ATTRIBUTE_COMPARATORS.includes(comparator)) {
      throw badComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, true);
    }
    return 'string-attribute';
  }
  if (type === 'attribute' && numeric.has(key)) {
    if (!METRIC_COMPARATORS.includes(comparator)) throw badComparator(comparator, STRING_ATTRIBUTE_COMPARATORS, false);
    return 'numeric-attribute';
  }
  if (type === 'metric') {
    if (!METRIC_COMPARATORS.includes(comparator)) throw badComparator(comparator, METRIC_COMPARATORS, false);
    return 'metric';
  }
  if (type === 'parameter') {
    if (!PARAM_COMPARATORS.includes(comparator)) throw badComparator(comparator, PARAM_COMPARATORS, true);
    return 'param';
  }
  if (type === 'tag') {
    if (!TAG_COMPARATORS.includes(comparator)) throw badComparator(comparator, TAG_COMPARATORS, false);
    return 'tag';
  }
  if (type === 'dataset') {
    if (!DATASET_COMPARATORS.includes(comparator)) throw badComparator(comparator, DATASET_COMPARATORS, false);
    return 'dataset';
  }
  throw invalidParam(`Invalid search expression type '${type}'`);
}

/** A numeric literal's value as SQLite would compare it (integers beyond 2^53 kept exact). */
function numericLiteral(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
    const big = BigInt(text);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) return big;
    return n;
  }
  return Number(text);
}

/** Validates and types a runs filter, as MLflow's SQL store does (comparators upper-cased). */
export function resolveRunFilter(clauses: readonly FilterClause[]): RunPredicate[] {
  return clauses.map((clause): RunPredicate => {
    const op = clause.comparator.toUpperCase();
    const key = translateKeyAlias(clause.key);
    const kind = classify(clause.type, key, op, RUN_NUMERIC_ATTRIBUTES);
    const value = clause.value;
    switch (kind) {
      case 'string-attribute':
        // MLflow filters run names on the mlflow.runName tag (the column was empty before 1.29).
        if (key === 'run_name')
          return { kind: 'tag', key: 'mlflow.runName', op: op as StringOp, value: value as string };
        // A list with = / != / LIKE passes here as in MLflow; the query builder refuses it later.
        return { kind: 'attribute', column: COLUMNS[key]!, op: op as StringOp | ListOp, value };
      case 'numeric-attribute':
        return {
          kind: 'numeric-attribute',
          column: key as 'start_time' | 'end_time',
          op: op as NumericOp,
          value: numericLiteral(value as string),
        };
      case 'metric':
        return { kind: 'metric', key, op: op as NumericOp, value: Number(value) };
      case 'param':
      case 'tag':
        return { kind, key, op: op as StringOp, value: value as string };
      case 'dataset':
        return { kind: 'dataset', field: key as 'name' | 'digest' | 'context', op: op as StringOp | ListOp, value };
    }
  });
}

/**
 * `_get_orderby_clauses`: parses each order_by string, rejects dataset keys and repeated fields
 * (MLflow raises that one without an error code, i.e. a 500; here it is INVALID_PARAMETER_VALUE).
 */
export function resolveRunOrderBy(orderBy: readonly string[]): RunOrderKey[] {
  const seen = new Set<string>();
  return orderBy.map((clause): RunOrderKey => {
    const parsed = parseOrderBy(clause);
    const key = translateKeyAlias(parsed.key);
    let out: RunOrderKey;
    if (parsed.type === 'attribute') out = { kind: 'attribute', column: COLUMNS[key]!, ascending: parsed.ascending };
    else if (parsed.type === 'metric') out = { kind: 'metric', key, ascending: parsed.ascending };
    else if (parsed.type === 'tag') out = { kind: 'tag', key, ascending: parsed.ascending };
    else if (parsed.type === 'parameter') out = { kind: 'param', key, ascending: parsed.ascending };
    else throw invalidParam(`Invalid identifier type '${parsed.type}'`);
    const id = `${parsed.type}\u0000${key}`;
    if (seen.has(id)) throw invalidParam(`\`order_by\` contains duplicate fields: ${pyListRepr(orderBy)}`);
    seen.add(id);
    return out;
  });
}

// ------------------------------------------------------------------ experiments

export type ExperimentColumn = 'name' | 'creation_time' | 'last_update_time' | 'experiment_id';

export type ExperimentPredicate =
  | { kind: 'attribute'; column: 'name'; op: StringOp; value: string }
  | { kind: 'numeric-attribute'; column: 'creation_time' | 'last_update_time'; op: NumericOp; value: number | bigint }
  | { kind: 'tag'; key: string; op: StringOp; value: string };

export interface ExperimentOrderKey {
  column: ExperimentColumn;
  ascending: boolean;
}

/** `_get_search_experiments_filter_clauses` (comparators are case-sensitive there: `like` is refused). */
export function resolveExperimentFilter(clauses: readonly FilterClause[]): ExperimentPredicate[] {
  return clauses.map((clause): ExperimentPredicate => {
    const { type, key, comparator: op } = clause;
    const value = clause.value as string;
    if (type === 'attribute') {
      const kind = classify(type, key, op, EXPERIMENT_NUMERIC_ATTRIBUTES);
      if (kind === 'string-attribute') {
        if (!['=', '!=', 'LIKE', 'ILIKE'].includes(op)) {
          throw invalidParam(`Invalid comparator for string attribute: ${op}`);
        }
        return { kind: 'attribute', column: 'name', op: op as StringOp, value };
      }
      return {
        kind: 'numeric-attribute',
        column: key as 'creation_time' | 'last_update_time',
        op: op as NumericOp,
        value: numericLiteral(value),
      };
    }
    if (type === 'tag') {
      if (!['=', '!=', 'LIKE', 'ILIKE'].includes(op)) throw invalidParam(`Invalid comparator for tag: ${op}`);
      return { kind: 'tag', key, op: op as StringOp, value };
    }
    throw invalidParam(`Invalid token type: ${type}`);
  });
}

/** `_get_search_experiments_order_by_clauses`: default `creation_time DESC, experiment_id ASC`. */
export function resolveExperimentOrderBy(orderBy: readonly string[]): ExperimentOrderKey[] {
  const list = orderBy.length ? orderBy : ['creation_time DESC', 'experiment_id ASC'];
  const keys = list.map((clause): ExperimentOrderKey => {
    const parsed = parseExperimentOrderBy(clause);
    if (parsed.type !== 'attribute') throw invalidParam(`Invalid order_by entity: ${parsed.type}`);
    return { column: parsed.key as ExperimentColumn, ascending: parsed.ascending };
  });
  // MLflow's tie-breaker is experiment_id descending (its `(experiment_id, False)`).
  if (!keys.some((k) => k.column === 'experiment_id')) keys.push({ column: 'experiment_id', ascending: false });
  return keys;
}
