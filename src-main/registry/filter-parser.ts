import { invalidParam } from '../core/errors';
import { pyBytes, pyIsLower, pyRepr, pyStr, pyTuple, shlexSplit } from './py-format';

/**
 * Parses registry search filters (`name LIKE 'm%' AND tags.stage = 'prod'`) the way MLflow's
 * `SearchModelUtils` / `SearchModelVersionUtils` do on top of sqlparse: the same tokens are
 * accepted, the same clauses are rejected, with the same messages. Only the subset of sqlparse's
 * lexer and grouping that can affect these filters is reproduced.
 */

export type ClauseValue = string | number | string[];

export interface FilterClause {
  readonly type: 'attribute' | 'tag';
  readonly key: string;
  /** Upper-cased, as MLflow compares it (`LIKE`, `NOT IN`, `=`). */
  readonly comparator: string;
  readonly value: ClauseValue;
}

type Kind = 'ws' | 'string' | 'symbol' | 'name' | 'keyword' | 'int' | 'float' | 'op' | 'punct' | 'wildcard' | 'other';

interface Tok {
  kind: Kind | 'identifier' | 'paren' | 'comparison';
  text: string;
  parts?: Tok[];
}

const W = '[\\p{L}\\p{N}_]';
const START = '[A-Za-zÀ-Üà-ü]';
// Ordered like sqlparse's SQL_REGEX; first match wins.
const RULES: readonly [RegExp, Kind][] = [
  [/^(--|# ).*?(\r\n|\r|\n|$)/u, 'other'],
  [/^\/\*[\s\S]*?\*\//u, 'other'],
  [/^(\r\n|\r|\n)/u, 'ws'],
  [/^\s+?/u, 'ws'],
  [/^:=/u, 'other'],
  [/^::/u, 'punct'],
  [/^\*/u, 'wildcard'],
  [/^`(``|[^`])*`/u, 'name'],
  [/^\?/u, 'other'],
  [/^%(\(\w+\))?s/u, 'other'],
  [new RegExp(`^[$:?]${W}+`, 'u'), 'other'],
  [new RegExp(`^\\\\${W}+`, 'u'), 'other'],
  [new RegExp(`^(NOT\\s+)?(IN)(?!${W})`, 'iu'), 'op'],
  [new RegExp(`^(CASE|IN|VALUES|USING|FROM|AS)(?!${W})`, 'iu'), 'keyword'],
  [new RegExp(`^${START}${W}*(?=\\s*\\.)`, 'u'), 'name'],
  [new RegExp(`^${START}${W}*(?=\\()`, 'u'), 'name'],
  [/^-?0x[\dA-F]+/iu, 'other'],
  [/^-?\d+(\.\d+)?E-?\d+/iu, 'float'],
  [/^-?(\d+(\.\d*)|\.\d+)(?![_A-Za-zÀ-Üà-ü])/u, 'float'],
  [/^-?\d+(?![_A-Za-zÀ-Üà-ü])/u, 'int'],
  [/^'(''|\\'|[^'])*'/u, 'string'],
  [/^"(""|\\"|[^"])*"/u, 'symbol'],
  [new RegExp(`^(NOT\\s+)?(LIKE|ILIKE|RLIKE)(?!${W})`, 'iu'), 'op'],
  [new RegExp(`^[0-9_A-Za-zÀ-Üà-ü][_$#\\p{L}\\p{N}]*`, 'u'), 'name'],
  [/^[;:()[\],.]/u, 'punct'],
  [/^[<>=~!]+/u, 'op'],
  [/^[+/@#%^&|-]+/u, 'other'],
];

/** Words sqlparse lexes as keywords that matter here (everything else reads as a name). */
const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'NULL', 'IS', 'BETWEEN', 'TRUE', 'FALSE', 'SELECT', 'WHERE', 'LIMIT', 'ORDER', 'BY',
  'ASC', 'DESC', 'EXISTS', 'ALL', 'ANY', 'UNION', 'JOIN', 'ON', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
]); // prettier-ignore

function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let rest = text;
  while (rest.length) {
    let matched = false;
    for (const [re, kind] of RULES) {
      const m = re.exec(rest);
      if (!m || m[0].length === 0) continue;
      let k: Kind = kind;
      if (kind === 'name' && !m[0].startsWith('`') && KEYWORDS.has(m[0].toUpperCase())) k = 'keyword';
      const prev = out[out.length - 1];
      if (k === 'ws' && prev?.kind === 'ws') prev.text += m[0];
      else out.push({ kind: k, text: m[0] });
      rest = rest.slice(m[0].length);
      matched = true;
      break;
    }
    if (!matched) {
      out.push({ kind: 'other', text: rest[0]! });
      rest = rest.slice(1);
    }
  }
  return out;
}

function groupParens(tokens: Tok[]): Tok[] {
  const out: Tok[] = [];
  const stack: Tok[][] = [];
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '(') {
      stack.push([t]);
    } else if (t.kind === 'punct' && t.text === ')' && stack.length) {
      const inner = stack.pop()!;
      inner.push(t);
      const paren: Tok = { kind: 'paren', text: inner.map((x) => x.text).join(''), parts: inner };
      (stack.length ? stack[stack.length - 1]! : out).push(paren);
    } else {
      (stack.length ? stack[stack.length - 1]! : out).push(t);
    }
  }
  // Unbalanced "(" stays as plain tokens.
  for (const pending of stack) out.push(...pending);
  return out;
}

function groupIdentifiers(tokens: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'name' && t.kind !== 'symbol') {
      out.push(t);
      continue;
    }
    let text = t.text;
    while (tokens[i + 1]?.kind === 'punct' && tokens[i + 1]!.text === '.') {
      const next = tokens[i + 2];
      if (next && (next.kind === 'name' || next.kind === 'symbol' || next.kind === 'wildcard')) {
        text += '.' + next.text;
        i += 2;
      } else {
        text += '.';
        i += 1;
        break;
      }
    }
    out.push({ kind: 'identifier', text });
  }
  return out;
}

const isOperand = (t: Tok | undefined): boolean =>
  !!t &&
  (t.kind === 'identifier' ||
    t.kind === 'string' ||
    t.kind === 'int' ||
    t.kind === 'float' ||
    t.kind === 'paren' ||
    (t.kind === 'keyword' && t.text.toUpperCase() === 'NULL'));

function groupComparisons(tokens: Tok[]): Tok[] {
  const out = [...tokens];
  for (let i = 0; i < out.length; i++) {
    if (out[i]!.kind !== 'op') continue;
    let p = i - 1;
    while (p >= 0 && out[p]!.kind === 'ws') p--;
    let n = i + 1;
    while (n < out.length && out[n]!.kind === 'ws') n++;
    if (p < 0 || n >= out.length || !isOperand(out[p]) || !isOperand(out[n])) continue;
    const parts = out.slice(p, n + 1);
    out.splice(p, n - p + 1, { kind: 'comparison', text: parts.map((x) => x.text).join(''), parts });
    i = p;
  }
  return out;
}

/** sqlparse's statement splitting: a `;` ends a statement; trailing whitespace is not one. */
function splitStatements(tokens: Tok[]): Tok[][] {
  const statements: Tok[][] = [];
  let cur: Tok[] = [];
  for (const t of tokens) {
    cur.push(t);
    if (t.kind === 'punct' && t.text === ';') {
      statements.push(cur);
      cur = [];
    }
  }
  if (cur.some((t) => t.kind !== 'ws')) statements.push(cur);
  return statements;
}

function stripQuotes(value: string, expectQuoted: boolean): string {
  const quoted = (q: string): boolean => value.length >= 2 && value.startsWith(q) && value.endsWith(q);
  if (quoted("'") || quoted('"')) return value.slice(1, -1);
  if (expectQuoted) {
    throw invalidParam(
      'Parameter value is either not quoted or unidentified quote types used for string value ' +
        `${value}. Use either single or double quotes.`,
    );
  }
  return value;
}

const trimBackticks = (v: string): string =>
  v.length >= 2 && v.startsWith('`') && v.endsWith('`') ? v.slice(1, -1) : v;

/** `ast.literal_eval` of a parenthesized list of Python string/number literals, or null if ill-formed. */
export function parsePyLiteralTuple(text: string): unknown[] | null {
  let s = text.trim();
  if (!s.startsWith('(') || !s.endsWith(')')) return null;
  s = s.slice(1, -1);
  const items: unknown[] = [];
  let i = 0;
  let sawComma = false;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipWs();
  if (i >= s.length) return [];
  for (;;) {
    skipWs();
    const c = s[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      let str = '';
      let closed = false;
      while (j < s.length) {
        const d = s[j]!;
        if (d === '\\' && j + 1 < s.length) {
          const e = s[j + 1]!;
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          str += map[e] ?? `\\${e}`;
          j += 2;
          continue;
        }
        if (d === c) {
          closed = true;
          break;
        }
        if (d === '\n') return null;
        str += d;
        j++;
      }
      if (!closed) return null;
      items.push(str);
      i = j + 1;
    } else {
      const m = /^[-+]?(\d+\.?\d*(e[-+]?\d+)?|\.\d+(e[-+]?\d+)?)/i.exec(s.slice(i));
      if (m) {
        items.push(Number(m[0]));
        i += m[0].length;
      } else {
        const kw = /^(True|False|None)\b/.exec(s.slice(i));
        if (!kw) return null;
        items.push(kw[0] === 'True' ? true : kw[0] === 'False' ? false : null);
        i += kw[0].length;
      }
    }
    skipWs();
    if (i >= s.length) break;
    if (s[i] !== ',') return null;
    sawComma = true;
    i++;
    skipWs();
    if (i >= s.length) break;
  }
  // "('a')" is just a parenthesized string, which MLflow wraps into a one-element tuple.
  return sawComma || items.length !== 1 ? items : [items[0]];
}

function parseRunIds(text: string): string[] {
  const parsed = parsePyLiteralTuple(text);
  if (parsed === null) {
    throw invalidParam(
      'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
    );
  }
  if (parsed.length === 0) {
    throw invalidParam(
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    );
  }
  if (!parsed.every((x) => typeof x === 'string')) {
    throw invalidParam(
      'While parsing a list in the query, expected string value, punctuation, or whitespace, ' +
        `but got different type in list: ${pyTuple(parsed)}`,
    );
  }
  // MLflow drops values with upper-case letters (run ids are lower-case hex).
  return (parsed as string[]).filter((id) => pyIsLower(id));
}

interface Dialect {
  readonly searchKeys: readonly string[];
  readonly searchKeysRepr: string;
  readonly numericKeys: readonly string[] | null;
  readonly numericKeysRepr: string;
}

const RM_DIALECT: Dialect = {
  searchKeys: ['name'],
  searchKeysRepr: "{'name'}",
  numericKeys: null,
  numericKeysRepr: '',
};

// Python prints these sets in hash order, which varies per server process; one fixed order is used.
const MV_DIALECT: Dialect = {
  searchKeys: ['name', 'version_number', 'run_id', 'source_path'],
  searchKeysRepr: "{'name', 'version_number', 'run_id', 'source_path'}",
  numericKeys: ['version_number', 'creation_timestamp', 'last_updated_timestamp'],
  numericKeysRepr: "{'version_number', 'creation_timestamp', 'last_updated_timestamp'}",
};

function identifierOf(text: string, d: Dialect): { type: 'attribute' | 'tag'; key: string } {
  const dot = text.indexOf('.');
  let type: 'attribute' | 'tag' = 'attribute';
  let key = text;
  if (dot >= 0) {
    const entity = text.slice(0, dot);
    key = text.slice(dot + 1);
    if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
      throw invalidParam(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
    }
    type = entity === 'attribute' ? 'attribute' : 'tag';
  }
  if (type === 'attribute' && !d.searchKeys.includes(key)) {
    throw invalidParam(`Invalid attribute key '${key}' specified. Valid keys are '${d.searchKeysRepr}'`);
  }
  return { type, key: trimBackticks(stripQuotes(key, false)) };
}

function valueOf(type: 'attribute' | 'tag', key: string, t: Tok, d: Dialect): ClauseValue {
  const quotedLike = t.kind === 'string' || t.kind === 'identifier';
  if (type === 'tag') {
    if (quotedLike) return stripQuotes(t.text, true);
    throw invalidParam(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${t.text}`);
  }
  if (quotedLike) return stripQuotes(t.text, true);
  if (t.kind === 'paren') {
    if (key !== 'run_id') {
      throw invalidParam("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
    }
    return parseRunIds(t.text);
  }
  if (d.numericKeys && (t.kind === 'int' || t.kind === 'float')) {
    if (!d.numericKeys.includes(key)) {
      throw invalidParam(`Only the '${d.numericKeysRepr}' attributes support comparison with numeric values.`);
    }
    return Number(t.text);
  }
  throw invalidParam(
    `Expected a quoted string value or a list of quoted string values for attributes. Got value ${t.text}`,
  );
}

function parseFilter(filter: string | null | undefined, d: Dialect): FilterClause[] {
  if (!filter) return [];
  const statements = splitStatements(lex(filter));
  if (statements.length > 1) {
    throw invalidParam(`Search filter contained multiple expression ${pyStr(filter)}. Provide AND-ed expression list.`);
  }
  if (statements.length === 0) return [];
  const grouped = groupComparisons(groupIdentifiers(groupParens(statements[0]!)));
  const invalid = grouped.filter(
    (t) => t.kind !== 'ws' && t.kind !== 'comparison' && !(t.kind === 'keyword' && t.text.toUpperCase() === 'AND'),
  );
  if (invalid.length) {
    throw invalidParam(`Invalid clause(s) in filter string: ${invalid.map((t) => t.text).join(', ')}`);
  }
  return grouped
    .filter((t) => t.kind === 'comparison')
    .map((c) => {
      const [left, op, right] = c.parts!.filter((t) => t.kind !== 'ws') as [Tok, Tok, Tok];
      if (left.kind !== 'identifier') {
        throw invalidParam(`Invalid comparison clause. Expected 'Identifier' found '${left.text}'`);
      }
      const { type, key } = identifierOf(left.text, d);
      return { type, key, comparator: op.text.toUpperCase(), value: valueOf(type, key, right, d) };
    });
}

/** `SearchModelUtils.parse_search_filter` plus the SQL store's comparator checks. */
export function parseRegisteredModelFilter(filter: string | null | undefined): FilterClause[] {
  const clauses = parseFilter(filter, RM_DIALECT);
  for (const c of clauses) {
    if (['=', '!=', 'LIKE', 'ILIKE'].includes(c.comparator)) continue;
    throw invalidParam(
      c.type === 'attribute'
        ? `Invalid comparator for attribute: ${c.comparator}`
        : `Invalid comparator for tag: ${c.comparator}`,
    );
  }
  return clauses;
}

/** `SearchModelVersionUtils.parse_search_filter` plus the SQL store's comparator checks. */
export function parseModelVersionFilter(filter: string | null | undefined): FilterClause[] {
  const clauses = parseFilter(filter, MV_DIALECT);
  for (const c of clauses) {
    if (c.type === 'tag') {
      if (!['=', '!=', 'LIKE', 'ILIKE'].includes(c.comparator)) {
        throw invalidParam(`Invalid comparator for tag: ${c.comparator}`);
      }
    } else if (MV_DIALECT.numericKeys!.includes(c.key)) {
      if (!['>', '>=', '!=', '=', '<', '<='].includes(c.comparator)) {
        throw invalidParam(`Invalid comparator for attribute ${c.key}: ${c.comparator}`);
      }
    } else if (
      !['!=', '=', 'LIKE', 'ILIKE', 'IN'].includes(c.comparator) ||
      (c.comparator === 'IN' && c.key !== 'run_id')
    ) {
      throw invalidParam(`Invalid comparator for attribute: ${c.comparator}`);
    }
  }
  return clauses;
}

/** The prompt-model convention: MLflow hides prompts unless the filter asks for them. */
export const IS_PROMPT_TAG_KEY = 'mlflow.prompt.is_prompt';

export function isQueryingPrompts(clauses: readonly FilterClause[]): boolean {
  for (const c of clauses) {
    if (c.type !== 'tag' || c.key !== IS_PROMPT_TAG_KEY) continue;
    const v = String(c.value).toLowerCase();
    return (c.comparator === '=' && v === 'true') || (c.comparator === '!=' && v === 'false');
  }
  return false;
}

// ------------------------------------------------------------------ order_by

/**
 * `_parse_order_by_string`: sqlparse must see one identifier (optionally followed by one word),
 * then `shlex.split` separates the key from ASC/DESC.
 */
function parseOrderByString(orderBy: string): { token: string; asc: boolean } {
  const cannot = (): never => {
    throw invalidParam(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
  };
  const tokens = groupIdentifiers(groupParens(lex(orderBy)));
  const [first, ws, second, ...rest] = tokens;
  const firstOk =
    first && (first.kind === 'identifier' || (first.kind === 'keyword' && /^timestamp$/i.test(first.text)));
  if (!firstOk || rest.length) cannot();
  if (ws !== undefined) {
    if (ws.kind !== 'ws' || !second || !(second.kind === 'identifier' || second.kind === 'keyword')) cannot();
  }
  const words = shlexSplit(orderBy.replace(/`/g, '"'));
  if (words === null || words.length > 2) return cannot();
  if (words.length === 2) {
    const dir = words[1]!.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw invalidParam(`Invalid ordering key in order_by clause '${orderBy}'.`);
    return { token: words[0]!, asc: dir === 'asc' };
  }
  return { token: orderBy, asc: true };
}

export type RegisteredModelSortField = 'name' | 'last_updated_time';
export type ModelVersionSortField = 'name' | 'version' | 'creation_time' | 'last_updated_time';

export interface SortKey<F extends string> {
  readonly field: F;
  readonly asc: boolean;
}

const listRepr = (list: readonly string[]): string => pyRepr(list);

/** `SqlAlchemyStore._parse_search_registered_models_order_by`; name ASC breaks ties. */
export function parseRegisteredModelOrderBy(orderBy: readonly string[]): SortKey<RegisteredModelSortField>[] {
  const keys: SortKey<RegisteredModelSortField>[] = [];
  for (const clause of orderBy) {
    const { token, asc } = parseOrderByString(clause);
    const key = token.trim();
    let field: RegisteredModelSortField;
    if (key === 'name') field = 'name';
    else if (key === 'timestamp' || key === 'last_updated_timestamp') field = 'last_updated_time';
    else throw invalidParam(`Invalid order by key '${key}' specified. Valid keys are '{'name', 'timestamp'}'`);
    if (keys.some((k) => k.field === field)) {
      throw invalidParam(`\`order_by\` contains duplicate fields: ${listRepr(orderBy)}`);
    }
    keys.push({ field, asc });
  }
  if (!keys.some((k) => k.field === 'name')) keys.push({ field: 'name', asc: true });
  return keys;
}

const MV_ORDER_KEYS = "{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}";
const MV_SORT_FIELDS: Record<string, ModelVersionSortField> = {
  name: 'name',
  version_number: 'version',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

/** `SqlAlchemyStore._parse_search_model_versions_order_by`; name ASC, version DESC break ties. */
export function parseModelVersionOrderBy(orderBy: readonly string[] | null): SortKey<ModelVersionSortField>[] {
  const list = orderBy && orderBy.length ? orderBy : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];
  const keys: SortKey<ModelVersionSortField>[] = [];
  for (const clause of list) {
    const { token, asc } = parseOrderByString(clause);
    const ident = token.trim();
    const dot = ident.indexOf('.');
    let type = 'attribute';
    let key = ident;
    if (dot >= 0) {
      const entity = ident.slice(0, dot);
      key = ident.slice(dot + 1);
      if (entity !== 'attribute' && entity !== 'tag' && entity !== 'tags') {
        throw invalidParam(`Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
      }
      type = entity === 'attribute' ? 'attribute' : 'tag';
    }
    key = trimBackticks(stripQuotes(key, false));
    if (type === 'attribute' && MV_SORT_FIELDS[key] === undefined) {
      throw invalidParam(`Invalid attribute key '${key}' specified. Valid keys are '${MV_ORDER_KEYS}'`);
    }
    const field = MV_SORT_FIELDS[key];
    if (field === undefined)
      throw invalidParam(`Invalid order by key '${key}' specified. Valid keys are ${MV_ORDER_KEYS}`);
    if (keys.some((k) => k.field === field)) {
      throw invalidParam(`\`order_by\` contains duplicate fields: ${listRepr(list)}`);
    }
    keys.push({ field, asc });
  }
  if (!keys.some((k) => k.field === 'name')) keys.push({ field: 'name', asc: true });
  if (!keys.some((k) => k.field === 'version')) keys.push({ field: 'version', asc: false });
  return keys;
}

// ------------------------------------------------------------------ page tokens

const B64 = /[A-Za-z0-9+/]/;

/** Python's lenient `base64.b64decode`: skips foreign characters, insists on padding. */
function pyB64decode(token: string): Buffer | null {
  let core = '';
  let pads = 0;
  for (const c of token) {
    if (c === '=') {
      pads++;
      continue;
    }
    if (!B64.test(c)) continue;
    if (pads) return core.length % 4 === 0 ? Buffer.from(core, 'base64') : null;
    core += c;
  }
  const rem = core.length % 4;
  if (rem === 1 || (rem === 2 && pads < 2) || (rem === 3 && pads < 1)) return null;
  return Buffer.from(core, 'base64');
}

/** `SearchUtils.parse_start_offset_from_page_token`, with the same messages. */
export function parsePageToken(token: string | null | undefined): number {
  if (!token) return 0;
  const decoded = pyB64decode(token);
  if (decoded === null) throw invalidParam('Invalid page token, could not base64-decode');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded.toString('utf8'));
  } catch {
    throw invalidParam(`Invalid page token, decoded value=${pyBytes(decoded)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParam(`Invalid page token, parsed value=${pyRepr(parsed)}`);
  }
  const offset = (parsed as Record<string, unknown>).offset;
  const falsy = offset === undefined || offset === null || offset === 0 || offset === '' || offset === false ||
    (Array.isArray(offset) && offset.length === 0) ||
    (typeof offset === 'object' && offset !== null && Object.keys(offset).length === 0); // prettier-ignore
  if (falsy) throw invalidParam(`Invalid page token, parsed value=${pyRepr(parsed)}`);
  if (typeof offset === 'number') return Math.trunc(offset);
  if (offset === true) return 1;
  if (typeof offset === 'string' && /^\s*[-+]?\d+\s*$/.test(offset)) return Number(offset.trim());
  throw invalidParam(`Invalid page token, not stringable ${typeof offset === 'string' ? offset : pyRepr(offset)}`);
}

/** `SearchUtils.create_page_token`: base64 of `{"offset": N}` (json.dumps spacing). */
export function createPageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}
