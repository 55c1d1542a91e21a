import { MlflowError } from '../core/errors';
import { parseFilter } from '../search/filter-parser';
import { resolveRunFilter } from '../search/resolve';
import type { FilterCheck } from '../contract/ui-api';

/**
 * Checks an MLflow filter with the REST search's own parser and, when it fails, finds the part of
 * the text to underline: MLflow's messages name the bad token but carry no position, so the
 * filter is split into its `and`-separated clauses, each clause is checked alone to find the
 * failing one, and inside it the token the message quotes is located.
 */

export function validateFilter(filter: string): void {
  resolveRunFilter(parseFilter(filter));
}

interface Span {
  start: number;
  end: number;
}

/** Clauses separated by a top-level `and` (outside quotes and parentheses), with their spans. */
export function splitClauses(filter: string): Span[] {
  const spans: Span[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && /\s/.test(ch) && /^and\s/i.test(filter.slice(i + 1, i + 5))) {
      spans.push({ start, end: i });
      start = i + 4;
      i += 3;
    }
  }
  spans.push({ start, end: filter.length });
  // Trim whitespace inside each span.
  return spans.map(({ start: s, end: e }) => {
    while (s < e && /\s/.test(filter[s]!)) s++;
    while (e > s && /\s/.test(filter[e - 1]!)) e--;
    return { start: s, end: e };
  });
}

/** Tokens a message points at: 'quoted' fragments, and what follows "Found"/"Got value". */
function mentionedTokens(message: string): string[] {
  const out: string[] = [];
  for (const m of message.matchAll(/'([^']+)'/g)) out.push(m[1]!);
  const found = /(?:Found|Got value)\s+(\S+)/.exec(message);
  if (found) out.unshift(found[1]!);
  return out.filter((t) => t.length > 0 && t.length < 200);
}

function narrow(filter: string, span: Span, message: string): Span {
  const text = filter.slice(span.start, span.end);
  for (const token of mentionedTokens(message)) {
    if (text === token) return span;
    const at = text.indexOf(token);
    if (at >= 0) return { start: span.start + at, end: span.start + at + token.length };
  }
  return span;
}

export function checkFilter(filter: string): FilterCheck {
  try {
    validateFilter(filter);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof MlflowError)) throw err;
    const message = err.message;
    const clauses = splitClauses(filter);
    for (const span of clauses) {
      if (span.start === span.end) {
        // `a and and b`, or a dangling `and`: point at the `and` next to the gap.
        const before = filter.slice(0, span.start).search(/and\s*$/i);
        const at = before >= 0 ? before : Math.max(0, span.start - 3);
        return { ok: false, message, start: at, end: Math.min(filter.length, at + 3) };
      }
      try {
        validateFilter(filter.slice(span.start, span.end));
      } catch (inner) {
        if (!(inner instanceof MlflowError)) throw inner;
        return { ok: false, message, ...narrow(filter, span, inner.message) };
      }
    }
    return { ok: false, message, start: 0, end: filter.length };
  }
}
