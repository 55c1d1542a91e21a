import type { ExperimentKeys } from '@contract/ui-api';

/**
 * Autocomplete for MLflow's filter grammar (`metrics.acc > 0.9 and params.model = 'rf'`): from the
 * text before the caret, works out what is being typed — an entity, a key, an operator, a value —
 * and what could come next. Pure, so it can be reasoned about apart from the input box.
 */

export interface Suggestion {
  /** Shown in the list. */
  label: string;
  /** Replaces text[from, to). */
  insert: string;
  kind: 'entity' | 'metric' | 'param' | 'tag' | 'attribute' | 'operator' | 'value' | 'keyword';
  detail?: string;
}

export type SuggestContext =
  | { type: 'key'; entity: Entity | null; partial: string; from: number }
  | { type: 'operator'; entity: Entity; key: string; partial: string; from: number }
  | { type: 'value'; entity: Entity; key: string; partial: string; from: number; quote: string | null }
  | { type: 'keyword'; partial: string; from: number }
  | { type: 'none' };

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

const ENTITY_ALIASES: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

export const ATTRIBUTE_KEYS = ['run_name', 'run_id', 'status', 'user_id', 'start_time', 'end_time', 'artifact_uri'];
const NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time']);

export const ENTITY_PREFIX: Record<Entity, string> = {
  metric: 'metrics.',
  param: 'params.',
  tag: 'tags.',
  attribute: 'attributes.',
  dataset: 'datasets.',
};

/** A key as the grammar needs it: bare when it is a plain identifier, else in backticks. */
export const quoteKey = (key: string): string => (/^[A-Za-z_][\w.]*$/.test(key) ? key : `\`${key}\``);

interface Token {
  text: string;
  start: number;
}

/** Tokens of the text before the caret: identifiers (with backtick/quote parts), operators, strings. */
function tokenize(text: string): { tokens: Token[]; openQuote: { quote: string; start: number } | null } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch) || ch === '(' || ch === ')' || ch === ',') {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return { tokens, openQuote: { quote: ch, start } };
      tokens.push({ text: text.slice(start, end + 1), start });
      i = end + 1;
      continue;
    }
    if ('<>=!'.includes(ch)) {
      while (i < text.length && '<>=!'.includes(text[i]!)) i++;
      tokens.push({ text: text.slice(start, i), start });
      continue;
    }
    // Identifier, possibly with `backticked` or "quoted" key parts after a dot.
    while (i < text.length && !/\s/.test(text[i]!) && !'<>=!(),'.includes(text[i]!)) {
      const c = text[i]!;
      if (c === '`' || ((c === '"' || c === "'") && text[i - 1] === '.')) {
        const end = text.indexOf(c, i + 1);
        if (end < 0) {
          i = text.length;
          break;
        }
        i = end + 1;
      } else i++;
    }
    tokens.push({ text: text.slice(start, i), start });
  }
  return { tokens, openQuote: null };
}

function parseIdentifier(text: string): { entity: Entity | null; key: string } {
  const dot = text.indexOf('.');
  if (dot < 0) return { entity: null, key: text };
  const entity = ENTITY_ALIASES[text.slice(0, dot).toLowerCase()] ?? null;
  let key = text.slice(dot + 1);
  if (/^[`"'].*[`"']$/.test(key) && key.length >= 2) key = key.slice(1, -1);
  else if (/^[`"']/.test(key)) key = key.slice(1);
  return { entity, key };
}

/** What is being typed at the caret. */
export function suggestContext(textBefore: string): SuggestContext {
  const { tokens, openQuote } = tokenize(textBefore);
  const endsWithSpace = /\s$/.test(textBefore) || textBefore === '';
  // Clause position: tokens since the last `and`.
  let clauseStart = 0;
  tokens.forEach((t, i) => {
    if (/^and$/i.test(t.text)) clauseStart = i + 1;
  });
  const clause = tokens.slice(clauseStart);
  if (openQuote) {
    const ident = clause[0] ? parseIdentifier(clause[0].text) : null;
    if (ident?.entity && clause.length >= 2) {
      return {
        type: 'value',
        entity: ident.entity,
        key: ident.key,
        partial: textBefore.slice(openQuote.start + 1),
        from: openQuote.start,
        quote: openQuote.quote,
      };
    }
    return { type: 'none' };
  }
  const current = endsWithSpace ? null : tokens[tokens.length - 1]!;
  const done = endsWithSpace ? clause : clause.slice(0, -1);
  if (done.length === 0) {
    if (current && /^and$/i.test(current.text)) return { type: 'none' };
    const ident = parseIdentifier(current?.text ?? '');
    return {
      type: 'key',
      entity: ident.entity,
      partial: ident.entity ? ident.key : (current?.text ?? ''),
      from: current?.start ?? textBefore.length,
    };
  }
  const ident = parseIdentifier(done[0]!.text);
  if (!ident.entity) return { type: 'none' };
  if (done.length === 1) {
    return {
      type: 'operator',
      entity: ident.entity,
      key: ident.key,
      partial: current?.text ?? '',
      from: current?.start ?? textBefore.length,
    };
  }
  if (done.length === 2 || (done.length === 3 && /^not$/i.test(done[1]!.text))) {
    return {
      type: 'value',
      entity: ident.entity,
      key: ident.key,
      partial: current?.text.replace(/^['"]/, '') ?? '',
      from: current?.start ?? textBefore.length,
      quote: null,
    };
  }
  return { type: 'keyword', partial: current?.text ?? '', from: current?.start ?? textBefore.length };
}

function rank(keys: string[], partial: string, limit: number): string[] {
  const p = partial.toLowerCase();
  if (!p) return keys.slice(0, limit);
  const starts: string[] = [];
  const contains: string[] = [];
  for (const k of keys) {
    const l = k.toLowerCase();
    if (l.startsWith(p)) starts.push(k);
    else if (l.includes(p)) contains.push(k);
    if (starts.length >= limit) break;
  }
  return [...starts, ...contains].slice(0, limit);
}

const entityKeys = (keys: ExperimentKeys, e: Entity): string[] =>
  e === 'metric'
    ? keys.metrics
    : e === 'param'
      ? keys.params
      : e === 'tag'
        ? keys.tags
        : e === 'attribute'
          ? ATTRIBUTE_KEYS
          : ['name', 'digest', 'context'];

/** Suggestions for a context (values come from the server; pass them in). */
export function suggestions(ctx: SuggestContext, keys: ExperimentKeys | null, values: string[] = []): Suggestion[] {
  const k = keys ?? { metrics: [], params: [], tags: [] };
  switch (ctx.type) {
    case 'key': {
      if (ctx.entity) {
        return rank(entityKeys(k, ctx.entity), ctx.partial, 40).map((key) => ({
          label: key,
          insert: `${ENTITY_PREFIX[ctx.entity!]}${quoteKey(key)} `,
          kind: ctx.entity === 'dataset' ? 'attribute' : ctx.entity!,
        }));
      }
      const out: Suggestion[] = [];
      for (const e of ['metric', 'param', 'tag', 'attribute'] as const) {
        const prefix = ENTITY_PREFIX[e];
        if (!ctx.partial || prefix.startsWith(ctx.partial.toLowerCase())) {
          out.push({ label: prefix, insert: prefix, kind: 'entity', detail: `${e} keys` });
        }
      }
      if (ctx.partial) {
        for (const e of ['metric', 'param', 'tag'] as const) {
          for (const key of rank(entityKeys(k, e), ctx.partial, 8)) {
            out.push({ label: `${ENTITY_PREFIX[e]}${key}`, insert: `${ENTITY_PREFIX[e]}${quoteKey(key)} `, kind: e });
          }
        }
      }
      return out.slice(0, 40);
    }
    case 'operator': {
      const numeric = ctx.entity === 'metric' || (ctx.entity === 'attribute' && NUMERIC_ATTRIBUTES.has(ctx.key));
      const ops = numeric
        ? ['>', '>=', '<', '<=', '=', '!=']
        : ctx.entity === 'attribute' && ctx.key === 'run_id'
          ? ['=', '!=', 'IN', 'NOT IN', 'LIKE', 'ILIKE']
          : ['=', '!=', 'LIKE', 'ILIKE'];
      return ops
        .filter((op) => op.toLowerCase().startsWith(ctx.partial.toLowerCase()))
        .map((op) => ({ label: op, insert: `${op} `, kind: 'operator' }));
    }
    case 'value': {
      if (ctx.entity === 'metric') return [];
      const q = ctx.quote ?? "'";
      return values
        .filter((v) => v.toLowerCase().startsWith(ctx.partial.toLowerCase()))
        .slice(0, 40)
        .map((v) => ({ label: v, insert: `${q}${v.replace(new RegExp(q, 'g'), `\\${q}`)}${q} `, kind: 'value' }));
    }
    case 'keyword':
      return 'and'.startsWith(ctx.partial.toLowerCase()) ? [{ label: 'and', insert: 'and ', kind: 'keyword' }] : [];
    case 'none':
      return [];
  }
}
