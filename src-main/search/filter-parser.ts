import { invalidParam } from '../core/errors';
import { parseSql, Token, TokenList } from './sql-tree';
import {
  literalEval,
  PyMalformedError,
  PySyntaxError,
  pyListRepr,
  pyRepr,
  pySetRepr,
  type PyValue,
} from './python-compat';

/**
 * MLflow's filter-string grammar for search_runs and search_experiments (mlflow/utils/search_utils.py
 * `SearchUtils.parse_search_filter`, `SearchExperimentsUtils`): the string is read as SQL by sqlparse,
 * and the statement must be comparisons joined by AND. Each comparison becomes a clause
 * `{type, key, comparator, value}` exactly as MLflow's dict; errors carry MLflow's messages.
 */

export type EntityType = 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset';

export interface FilterClause {
  type: EntityType;
  key: string;
  /** As written (`like`, `IN`, `NOT IN`...); the runs store upper-cases it, the experiments store does not. */
  comparator: string;
  /** The unquoted string, the numeric literal's text, or the strings of an `IN (...)` list. */
  value: string | string[];
}

const IDENTIFIERS = ['metric', 'parameter', 'tag', 'attribute', 'dataset'] as const;
const ALIASES: Record<string, EntityType> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'parameter',
  parameters: 'parameter',
  param: 'parameter',
  params: 'parameter',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attr: 'attribute',
  attributes: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** RunInfo's searchable attributes plus MLflow's alternates (`_ALTERNATE_*_ATTRIBUTES`). */
export const RUN_SEARCH_ATTRIBUTES: ReadonlySet<string> = new Set([
  'artifact_uri',
  'end_time',
  'run_id',
  'run_name',
  'start_time',
  'status',
  'user_id',
  'created',
  'Created',
  'run name',
  'Run name',
  'Run Name',
]);
export const RUN_ORDER_BY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'artifact_uri',
  'end_time',
  'run_id',
  'run_name',
  'start_time',
  'status',
  'user_id',
  'created',
  'Created',
]);
export const RUN_NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(['start_time', 'end_time', 'created', 'Created']);
export const DATASET_ATTRIBUTES: ReadonlySet<string> = new Set(['name', 'digest', 'context']);

export const EXPERIMENT_SEARCH_ATTRIBUTES: ReadonlySet<string> = new Set(['name', 'creation_time', 'last_update_time']);
export const EXPERIMENT_ORDER_BY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name',
  'experiment_id',
  'creation_time',
  'last_update_time',
]);
export const EXPERIMENT_NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set(['creation_time', 'last_update_time']);

/** `translate_key_alias`: `created`/`Created` are start_time, `run name` spellings are run_name. */
export function translateKeyAlias(key: string): string {
  if (key === 'created' || key === 'Created') return 'start_time';
  if (key === 'run name' || key === 'Run name' || key === 'Run Name') return 'run_name';
  return key;
}

// ------------------------------------------------------------------ identifiers and values

const isQuoted = (v: string, q: string): boolean => v.length >= 2 && v.startsWith(q) && v.endsWith(q);
const trimBackticks = (v: string): string => (isQuoted(v, '`') ? v.slice(1, -1) : v);

function stripQuotes(value: string, expectQuoted = false): string {
  if (isQuoted(value, "'") || isQuoted(value, '"')) return value.slice(1, -1);
  if (expectQuoted) {
    throw invalidParam(
      'Parameter value is either not quoted or unidentified quote types used for string value ' +
        `${value}. Use either single or double quotes.`,
    );
  }
  return value;
}

function validEntityType(raw: string): EntityType {
  const t = trimBackticks(raw);
  const mapped = Object.hasOwn(ALIASES, t) ? ALIASES[t] : undefined;
  if (!mapped) throw invalidParam(`Invalid entity type '${t}'. Valid values are ${pyListRepr(IDENTIFIERS)}`);
  return mapped;
}

/** Splits `type.key` at the first dot (`SearchUtils._get_identifier`). */
export function runIdentifier(
  identifier: string,
  validAttributes: ReadonlySet<string>,
): { type: EntityType; key: string } {
  const dot = identifier.indexOf('.');
  const [entity, rawKey] = dot < 0 ? ['attribute', identifier] : [identifier.slice(0, dot), identifier.slice(dot + 1)];
  const type = dot < 0 ? 'attribute' : validEntityType(entity);
  const key = trimBackticks(stripQuotes(rawKey));
  if (type === 'attribute' && !validAttributes.has(key)) {
    throw invalidParam(`Invalid attribute key '${key}' specified. Valid keys are '${pySetRepr(validAttributes)}'`);
  }
  if (type === 'dataset' && !DATASET_ATTRIBUTES.has(key)) {
    throw invalidParam(`Invalid dataset key '${key}' specified. Valid keys are '${pySetRepr(DATASET_ATTRIBUTES)}'`);
  }
  return { type, key };
}

/** `SearchExperimentsUtils._get_identifier`: only `attribute.`, `tag.` and `tags.` prefixes. */
export function experimentIdentifier(
  identifier: string,
  validAttributes: ReadonlySet<string>,
): { type: EntityType; key: string } {
  const dot = identifier.indexOf('.');
  let type: EntityType = 'attribute';
  let rawKey = identifier;
  if (dot >= 0) {
    const entity = identifier.slice(0, dot);
    rawKey = identifier.slice(dot + 1);
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
      throw invalidParam(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    type = validEntityType(entity);
  }
  const key = trimBackticks(stripQuotes(rawKey));
  if (type === 'attribute' && !validAttributes.has(key)) {
    throw invalidParam(`Invalid attribute key '${key}' specified. Valid keys are '${pySetRepr(validAttributes)}'`);
  }
  return { type, key };
}

const isStringToken = (t: Token): boolean => t.ttype === 'Literal.String.Single' || t.is('Identifier');
const isNumberToken = (t: Token): boolean => t.ttype === 'Literal.Number.Integer' || t.ttype === 'Literal.Number.Float';

/** `_parse_run_ids`: the list's strings, keeping only those Python's `str.islower()` accepts. */
function parseList(token: Token): string[] {
  let parsed: PyValue;
  try {
    parsed = literalEval(token.value);
  } catch (e) {
    if (e instanceof PySyntaxError || e instanceof PyMalformedError) {
      throw invalidParam(
        'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
      );
    }
    throw e;
  }
  const items: PyValue[] = parsed !== null && typeof parsed === 'object' && 'tuple' in parsed ? parsed.tuple : [parsed];
  if (items.length === 0) {
    throw invalidParam(
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    );
  }
  if (!items.every((x) => typeof x === 'string')) {
    throw invalidParam(
      'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different ' +
        `type in list: ${pyRepr({ tuple: items })}`,
    );
  }
  // MLflow drops values that are not lower case (run ids are lower-case hex; MySQL's IN is case-blind).
  return (items as string[]).filter(pyIsLower);
}

/** Python `str.islower()`: at least one cased character and no upper/title-case one. */
export function pyIsLower(s: string): boolean {
  let cased = false;
  for (const ch of s) {
    if (/[\p{Lu}\p{Lt}]/u.test(ch)) return false;
    if (/\p{Ll}/u.test(ch) || ch.toUpperCase() !== ch) cased = true;
  }
  return cased;
}

function getValue(
  type: EntityType,
  key: string,
  token: Token,
  numericAttributes: ReadonlySet<string>,
  listAttributes: 'run_id' | 'all' = 'run_id',
): string | string[] {
  switch (type) {
    case 'metric':
      if (!isNumberToken(token)) throw invalidParam(`Expected numeric value type for metric. Found ${token.value}`);
      return token.value;
    case 'parameter':
    case 'tag':
      if (isStringToken(token)) return stripQuotes(token.value, true);
      throw invalidParam(`Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${token.value}`);
    case 'attribute':
      if (numericAttributes.has(key)) {
        if (!isNumberToken(token)) {
          throw invalidParam(`Expected numeric value type for numeric attribute: ${key}. Found ${token.value}`);
        }
        return token.value;
      }
      if (isStringToken(token)) return stripQuotes(token.value, true);
      if (token.is('Parenthesis')) {
        // `validate_list_supported`: runs allow lists for run_id only; logged models for any attribute.
        if (listAttributes !== 'all' && key !== 'run_id') {
          throw invalidParam("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
        }
        return parseList(token);
      }
      throw invalidParam(`Expected a quoted string value for attributes. Got value ${token.value}`);
    case 'dataset':
      if (DATASET_ATTRIBUTES.has(key) && isStringToken(token)) return stripQuotes(token.value, true);
      if (token.is('Parenthesis')) return parseList(token);
      throw invalidParam(`Expected a quoted string value for dataset attributes. Got value ${token.value}`);
  }
}

// ------------------------------------------------------------------ statements

/**
 * sqlparse >= 0.4.4 lexes IN as a keyword, so MLflow re-joins `ident IN (...)` and
 * `ident NOT IN (...)` into comparisons itself (`_join_in_comparison_tokens`), whitespace dropped.
 */
function joinInComparisons(tokens: readonly Token[]): Token[] {
  const items = tokens.filter((t) => !t.isWhitespace);
  const out: Token[] = [];
  const n = items.length;
  let i = 0;
  while (i < n) {
    const first = items[i]!;
    if (n - i < 3) {
      out.push(...items.slice(i));
      break;
    }
    if (!first.is('Identifier')) {
      out.push(first);
      i += 1;
      continue;
    }
    const second = items[i + 1]!;
    const third = items[i + 2]!;
    if (second.match('Keyword', ['IN']) && third.is('Parenthesis')) {
      out.push(new TokenList('Comparison', [first, second, third]));
      i += 3;
      continue;
    }
    const fourth = items[i + 3];
    if (fourth === undefined) {
      out.push(first, second, third);
      break;
    }
    if (second.match('Keyword', ['NOT']) && third.match('Keyword', ['IN']) && fourth.is('Parenthesis')) {
      out.push(new TokenList('Comparison', [first, new Token('Keyword', 'NOT IN'), fourth]));
      i += 4;
      continue;
    }
    out.push(first, second, third, fourth);
    i += 4;
  }
  return out;
}

interface Flavor {
  identifier: (text: string, valid: ReadonlySet<string>) => { type: EntityType; key: string };
  searchAttributes: ReadonlySet<string>;
  numericAttributes: ReadonlySet<string>;
  /** Runs quote each invalid token in the message; experiments do not. */
  quoteInvalid: boolean;
  listAttributes?: 'run_id' | 'all';
}

const RUNS: Flavor = {
  identifier: runIdentifier,
  searchAttributes: RUN_SEARCH_ATTRIBUTES,
  numericAttributes: RUN_NUMERIC_ATTRIBUTES,
  quoteInvalid: true,
};
const EXPERIMENTS: Flavor = {
  identifier: experimentIdentifier,
  searchAttributes: EXPERIMENT_SEARCH_ATTRIBUTES,
  numericAttributes: EXPERIMENT_NUMERIC_ATTRIBUTES,
  quoteInvalid: false,
};

function comparison(c: Token, flavor: Flavor): FilterClause {
  const parts = (c as TokenList).tokens.filter((t) => !t.isWhitespace);
  if (parts.length !== 3) throw invalidParam(`Invalid comparison clause. Expected 3 tokens found ${parts.length}`);
  const [left, op, right] = parts as [Token, Token, Token];
  if (!left.is('Identifier')) {
    throw invalidParam(`Invalid comparison clause. Expected 'Identifier' found '${left.value}'`);
  }
  const { type, key } = flavor.identifier(left.value, flavor.searchAttributes);
  return {
    type,
    key,
    comparator: op.value,
    value: getValue(type, key, right, flavor.numericAttributes, flavor.listAttributes),
  };
}

function parseWith(filter: string | null | undefined, flavor: Flavor): FilterClause[] {
  if (!filter) return [];
  let statements: TokenList[];
  try {
    statements = parseSql(filter);
  } catch (e) {
    // Python's RecursionError on absurd nesting surfaces as sqlparse's error, caught by MLflow.
    if (e instanceof RangeError) throw invalidParam(`Error on parsing filter '${filter}'`);
    throw e;
  }
  if (statements.length === 0) throw invalidParam(`Invalid filter '${filter}'. Could not be parsed.`);
  if (statements.length > 1) {
    throw invalidParam(
      `Search filter contained multiple expression ${pyRepr(filter)}. Provide AND-ed expression list.`,
    );
  }
  const tokens = joinInComparisons(statements[0]!.tokens);
  const invalid = tokens.filter((t) => !(t.is('Comparison') || t.isWhitespace || t.match('Keyword', ['AND'])));
  if (invalid.length) {
    const listed = invalid.map((t) => (flavor.quoteInvalid ? `'${t.value}'` : t.value)).join(', ');
    throw invalidParam(`Invalid clause(s) in filter string: ${listed}`);
  }
  return tokens.filter((t) => t.is('Comparison')).map((t) => comparison(t, flavor));
}

/** `SearchUtils.parse_search_filter`: a runs filter string to clauses (empty string: no clauses). */
export function parseFilter(filter: string | null | undefined): FilterClause[] {
  return parseWith(filter, RUNS);
}

/** `SearchLoggedModelsUtils`' attributes (it inherits `SearchUtils`' identifier rules). */
export const LOGGED_MODEL_NUMERIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'creation_timestamp',
  'creation_time',
  'last_updated_timestamp',
  'last_updated_time',
]);
export const LOGGED_MODEL_SEARCH_ATTRIBUTES: ReadonlySet<string> = new Set([
  'name',
  'model_id',
  'model_type',
  'status',
  'source_run_id',
  ...LOGGED_MODEL_NUMERIC_ATTRIBUTES,
]);
const LOGGED_MODELS: Flavor = {
  identifier: runIdentifier,
  searchAttributes: LOGGED_MODEL_SEARCH_ATTRIBUTES,
  numericAttributes: LOGGED_MODEL_NUMERIC_ATTRIBUTES,
  quoteInvalid: true,
  listAttributes: 'all',
};

/** `SearchLoggedModelsUtils.parse_search_filter`. */
export function parseLoggedModelFilter(filter: string | null | undefined): FilterClause[] {
  return parseWith(filter, LOGGED_MODELS);
}

/** `SearchExperimentsUtils.parse_search_filter`. */
export function parseExperimentFilter(filter: string | null | undefined): FilterClause[] {
  return parseWith(filter, EXPERIMENTS);
}
