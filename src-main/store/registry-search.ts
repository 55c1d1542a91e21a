import type { ClauseValue, FilterClause, SortKey } from '../registry/filter-parser';
import { IS_PROMPT_TAG_KEY } from '../registry/filter-parser';

/**
 * Evaluates parsed registry filters and sorts rows with SQLite's semantics, as MLflow's SQL store
 * gets them from SQLite: `=` is binary, LIKE is case-sensitive (MLflow turns on
 * `case_sensitive_like`), ILIKE is `lower(x) LIKE lower(y)` with ASCII-only lower(), NULL never
 * matches, NULLs sort first ascending, and text sorts by UTF-8 bytes.
 */

const likeCache = new Map<string, RegExp>();

function likeRegex(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (!re) {
    let src = '';
    for (const c of pattern) {
      if (c === '%') src += '[\\s\\S]*';
      else if (c === '_') src += '[\\s\\S]';
      else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 'u');
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(pattern, re);
  }
  return re;
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function sqlLike(value: string, pattern: string, caseInsensitive = false): boolean {
  return caseInsensitive ? likeRegex(asciiLower(pattern)).test(asciiLower(value)) : likeRegex(pattern).test(value);
}

/** A string comparison clause against a TEXT column value (NULL never matches). */
export function matchText(lhs: string | null | undefined, comparator: string, value: ClauseValue): boolean {
  if (lhs === null || lhs === undefined) return false;
  if (comparator === 'IN') return Array.isArray(value) && value.includes(lhs);
  // A number here can only be a numeric literal compared with TEXT: SQLite orders numbers before text.
  if (typeof value === 'number') return comparator === '!=';
  const v = String(value);
  switch (comparator) {
    case '=':
      return lhs === v;
    case '!=':
      return lhs !== v;
    case 'LIKE':
      return sqlLike(lhs, v);
    case 'ILIKE':
      return sqlLike(lhs, v, true);
    default:
      return false;
  }
}

/** SQLite's NUMERIC affinity applied to a TEXT operand compared with an INTEGER column. */
function numericAffinity(v: string): number | string {
  return /^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)\s*$/.test(v) ? Number(v) : v;
}

/** A comparison against an INTEGER column (`version_number`). */
export function matchInteger(lhs: number | null, comparator: string, value: ClauseValue): boolean {
  if (lhs === null) return false;
  const rhs = typeof value === 'number' ? value : Array.isArray(value) ? null : numericAffinity(value);
  if (rhs === null) return false;
  // INTEGER < TEXT in SQLite's cross-type ordering.
  const cmp = typeof rhs === 'number' ? Math.sign(lhs - rhs) : -1;
  switch (comparator) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    default:
      return false;
  }
}

/**
 * MLflow's tag filter: for every tag key named in the filter, the entity has that tag and its value
 * satisfies every clause on that key. The prompt marker is dropped unless the search is for prompts.
 */
export function matchTags(
  tags: ReadonlyMap<string, string | null> | undefined,
  clauses: readonly FilterClause[],
  queryingPrompts: boolean,
): boolean {
  const byKey = new Map<string, FilterClause[]>();
  for (const c of clauses) {
    if (c.type !== 'tag') continue;
    if (!queryingPrompts && c.key === IS_PROMPT_TAG_KEY) continue;
    const list = byKey.get(c.key) ?? [];
    list.push(c);
    byKey.set(c.key, list);
  }
  for (const [key, list] of byKey) {
    if (!tags || !tags.has(key)) return false;
    const value = tags.get(key) ?? null;
    if (!list.every((c) => matchText(value, c.comparator, c.value))) return false;
  }
  return true;
}

/** SQLite ORDER BY: NULL first, numbers numerically, text by UTF-8 bytes (BINARY collation). */
export function compareSql(a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return compareBinary(a, b);
}

/** Code-point order equals UTF-8 byte order (plain `<` compares UTF-16 units and differs above U+FFFF). */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

export function sortRows<T, F extends string>(
  rows: T[],
  keys: readonly SortKey<F>[],
  get: (row: T, field: F) => string | number | null,
): T[] {
  return rows.sort((r1, r2) => {
    for (const k of keys) {
      const c = compareSql(get(r1, k.field), get(r2, k.field));
      if (c !== 0) return k.asc ? c : -c;
    }
    return 0;
  });
}

/**
 * MLflow's paging on top of SQL: fetch `max_results + 1` rows (LIMIT, where a negative LIMIT means
 * none) from `offset` (only when a token was given; negative means 0), hand back a token when the
 * fetch came back full, then keep `[:max_results]` with Python's slice semantics.
 */
export function paginate<T>(
  rows: readonly T[],
  maxResults: number,
  offset: number,
  hasToken: boolean,
  makeToken: (offset: number) => string,
): { items: T[]; nextPageToken: string | null } {
  const start = hasToken ? Math.max(0, offset) : 0;
  const limit = maxResults + 1;
  const fetched = limit < 0 ? rows.slice(start) : rows.slice(start, start + limit);
  const nextPageToken = fetched.length === limit ? makeToken(offset + maxResults) : null;
  return { items: fetched.slice(0, maxResults), nextPageToken };
}
