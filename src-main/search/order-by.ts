import { invalidParam } from '../core/errors';
import { parseSql } from './sql-tree';
import { PY_SPACE } from './sql-lexer';
import { shlexSplit, ShlexError } from './python-compat';
import {
  EXPERIMENT_ORDER_BY_ATTRIBUTES,
  experimentIdentifier,
  RUN_ORDER_BY_ATTRIBUTES,
  runIdentifier,
  type EntityType,
} from './filter-parser';

/**
 * MLflow's order_by clause syntax (`SearchUtils._parse_order_by_string` and the runs/experiments
 * `parse_order_by_for_search_*`): one identifier, optionally followed by ASC or DESC, read by sqlparse
 * and then split shell-style (backticks count as double quotes).
 */

export interface OrderByClause {
  type: EntityType;
  key: string;
  ascending: boolean;
}

function orderByToken(orderBy: string): string {
  const unparsable = (): Error => invalidParam(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
  let statements;
  try {
    statements = parseSql(orderBy);
  } catch (e) {
    if (e instanceof RangeError) throw invalidParam(`Error on parsing order_by clause '${orderBy}'`);
    throw e;
  }
  if (statements.length !== 1) throw unparsable();
  const tokens = statements[0]!.tokens;
  const first = tokens[0]!;
  const last = tokens[tokens.length - 1]!;
  if (tokens.length === 1 && first.is('Identifier')) return first.value;
  if (tokens.length === 1 && first.match('Name.Builtin', ['timestamp'])) return 'timestamp';
  if (
    first.match('Name.Builtin', ['timestamp']) &&
    tokens.slice(1, -1).every((t) => t.isWhitespace) &&
    last.ttype === 'Keyword.Order'
  ) {
    return 'timestamp ' + last.value;
  }
  throw unparsable();
}

/** `_parse_order_by_string`: the key text and its direction (ascending unless DESC). */
export function parseOrderByString(orderBy: string): { key: string; ascending: boolean } {
  const tokenValue = orderByToken(orderBy);
  let parts: string[];
  try {
    parts = shlexSplit(tokenValue.replace(/`/g, '"'));
  } catch (e) {
    // Python raises a bare ValueError here (a 500 in MLflow); a client mistake must stay a 400.
    if (e instanceof ShlexError) throw invalidParam(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
    throw e;
  }
  if (parts.length > 2) throw invalidParam(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
  if (parts.length === 2) {
    const dir = parts[1]!.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') throw invalidParam(`Invalid ordering key in order_by clause '${orderBy}'.`);
    return { key: parts[0]!, ascending: dir === 'asc' };
  }
  return { key: tokenValue, ascending: true };
}

/** Python `str.strip()` whitespace. */
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');
const pyStrip = (s: string): string => s.replace(PY_STRIP, '');

/** `parse_order_by_for_search_runs`: e.g. `metrics.acc DESC` → {type: 'metric', key: 'acc', ascending: false}. */
export function parseOrderBy(orderBy: string): OrderByClause {
  const { key, ascending } = parseOrderByString(orderBy);
  return { ...runIdentifier(pyStrip(key), RUN_ORDER_BY_ATTRIBUTES), ascending };
}

/** `parse_order_by_for_search_experiments`. */
export function parseExperimentOrderBy(orderBy: string): OrderByClause {
  const { key, ascending } = parseOrderByString(orderBy);
  return { ...experimentIdentifier(pyStrip(key), EXPERIMENT_ORDER_BY_ATTRIBUTES), ascending };
}
