import type { Statement } from 'better-sqlite3';
import type { Db } from './db';
import { MlflowError, invalidParam } from '../core/errors';
import type { ListOp, NumericOp, StringOp } from '../search/resolve';

/**
 * SQL pieces shared by runs and experiments search: MLflow's comparison semantics on SQLite, and a
 * per-connection cache of prepared statements keyed by SQL text (filters repeat, and preparing
 * costs more than running a small search).
 */

export interface Sql {
  sql: string;
  params: unknown[];
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** `LifecycleStage.view_type_to_stages`; null when every stage is wanted. */
export function lifecycleStage(view: ViewType): 'active' | 'deleted' | null {
  return view === 'ACTIVE_ONLY' ? 'active' : view === 'DELETED_ONLY' ? 'deleted' : null;
}

export const SEARCH_MAX_RESULTS_THRESHOLD = 50000;

/** The SQL store's `_validate_max_results_param`. */
export function validateMaxResults(maxResults: number): void {
  if (maxResults < 1) {
    throw invalidParam(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`,
    );
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw invalidParam(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}`,
    );
  }
}

/**
 * MLflow runs with `PRAGMA case_sensitive_like = true`, so its LIKE is case-sensitive. That pragma
 * is compiled out of our SQLite, and would change every LIKE on the connection anyway; GLOB is
 * SQLite's case-sensitive LIKE with other wildcards, so the pattern is translated: `%` → `*`,
 * `_` → `?`, and GLOB's own specials made literal. (GLOB with a literal prefix also uses indexes.)
 */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

/** The pattern's fixed prefix (an index range can serve it) is non-empty. */
export const likeHasPrefix = (pattern: string): boolean => pattern.length > 0 && !'%_*?['.includes(pattern[0]!);

/**
 * `column <op> value` as MLflow's SQLAlchemy expression means it on SQLite. ILIKE is SQLAlchemy's
 * `lower(x) LIKE lower(y)` (ASCII-only case folding, as there). A list where a single value is
 * expected fails in MLflow when the driver binds it; that error is reproduced.
 */
export function stringComparison(column: string, op: StringOp | ListOp, value: string | string[]): Sql {
  if (Array.isArray(value) !== (op === 'IN' || op === 'NOT IN')) {
    throw new MlflowError(
      `(sqlite3.ProgrammingError) Error binding parameter: type '${Array.isArray(value) ? 'list' : 'str'}' is not supported`,
      'BAD_REQUEST',
    );
  }
  switch (op) {
    case '=':
      return { sql: `${column} = ?`, params: [value] };
    case '!=':
      return { sql: `${column} != ?`, params: [value] };
    case 'LIKE':
      return { sql: `${column} GLOB ?`, params: [likeToGlob(value as string)] };
    case 'ILIKE':
      return { sql: `lower(${column}) LIKE lower(?)`, params: [value] };
    case 'IN':
      return { sql: `${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(value)] };
    case 'NOT IN':
      return { sql: `${column} NOT IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(value)] };
  }
}

export function numericComparison(column: string, op: NumericOp, value: number | bigint): Sql {
  return { sql: `${column} ${op} ?`, params: [value] };
}

/**
 * Statement cache per connection. Plans are picked per query, so the same SQL text recurs a lot;
 * the cache is bounded (oldest entry dropped) since filter values can be inlined by callers.
 */
const caches = new WeakMap<Db, Map<string, Statement>>();
const CACHE_SIZE = 256;

export function cachedStatement(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let st = cache.get(sql);
  if (st) {
    cache.delete(sql);
    cache.set(sql, st);
    return st;
  }
  st = db.prepare(sql);
  cache.set(sql, st);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return st;
}

/** First column of every row. */
export function pluckAll<T>(db: Db, q: Sql): T[] {
  return cachedStatement(db, q.sql)
    .pluck(true)
    .all(...q.params) as T[];
}

export function pluckOne<T>(db: Db, q: Sql): T | undefined {
  return cachedStatement(db, q.sql)
    .pluck(true)
    .get(...q.params) as T | undefined;
}
