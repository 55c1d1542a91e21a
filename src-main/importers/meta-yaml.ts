import { parse } from 'yaml';
import { readText, type IssueFn } from './safe-fs';

/**
 * Reads MLflow's `meta.yaml` files. MLflow writes them with PyYAML's safe_dump: almost always flat
 * `key: value` lines, which a small line reader handles far faster than a full YAML parser (this
 * matters for 100k runs). Anything it does not recognise (indentation, folded or double-quoted
 * strings, nested maps) goes to the `yaml` package. Integers beyond 2^53 stay strings.
 *
 * Scalars resolve as PyYAML does (YAML 1.1), not as YAML 1.2: a float needs a '.', so a hex run id
 * such as `000000000000000000000000000000e1` stays a string (1.2 would read it as the number 0).
 */

export type MetaValue = string | number | boolean | null | MetaValue[] | { [k: string]: MetaValue };
export type Meta = Record<string, MetaValue>;

/** YAML 1.1 decimal int (octal/hex/sexagesimal forms go to the full parser). */
const INT = /^[-+]?(0|[1-9][0-9_]*)$/;
/** YAML 1.1 float: a '.' is required, the exponent has a sign. */
const FLOAT = /^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$/;
/** Plain scalars YAML 1.1 resolves to something other than a string or a decimal number. */
const SPECIAL_11 =
  /^([-+]?0[0-7_]+|[-+]?0[xX][0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=)$/;

function scalar(text: string): MetaValue | undefined {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  const c = text[0]!;
  if (c === "'") {
    if (text.length < 2 || !text.endsWith("'")) return undefined;
    const inner = text.slice(1, -1);
    // A lone quote inside would end the string early; '' is an escaped quote.
    if (inner.replace(/''/g, '').includes("'")) return undefined;
    return inner.replace(/''/g, "'");
  }
  if (text === '[]') return [];
  if (text === '{}') return {};
  if ('"[{&*!|>%@`#?,-'.includes(c) && !(c === '-' && /^-\d/.test(text))) return undefined;
  if (text.includes(': ') || text.includes(' #') || text.endsWith(':')) return undefined;
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  if (SPECIAL_11.test(text)) return undefined;
  if (INT.test(text)) {
    const n = Number(text.replace(/_/g, ''));
    return Number.isSafeInteger(n) ? n : text;
  }
  if (FLOAT.test(text) && /[0-9]/.test(text)) return Number(text.replace(/_/g, ''));
  const lower = text.toLowerCase();
  if (lower === '.nan') return NaN;
  if (lower === '.inf' || lower === '+.inf') return Infinity;
  if (lower === '-.inf') return -Infinity;
  return text;
}

function fastParse(text: string): Meta | undefined {
  const out: Meta = {};
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line === '---' || line === '...') continue;
    const c = line.charCodeAt(0);
    if (c === 32 || c === 9 || c === 35 /* # */) return undefined;
    const colon = line.indexOf(': ');
    let key: string;
    let rest: string;
    if (colon < 0) {
      if (!line.endsWith(':')) return undefined;
      key = line.slice(0, -1);
      rest = '';
    } else {
      key = line.slice(0, colon);
      rest = line.slice(colon + 2).trim();
    }
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) return undefined;
    // `key:` followed by indented lines is a nested block: let the full parser do it.
    if (rest === '' && colon < 0) return undefined;
    const v = scalar(rest);
    if (v === undefined) return undefined;
    out[key] = v;
  }
  return out;
}

function normalize(v: unknown): MetaValue {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) {
    const o: Record<string, MetaValue> = {};
    for (const [k, val] of v) o[String(k)] = normalize(val);
    return o;
  }
  if (v && typeof v === 'object') {
    const o: Record<string, MetaValue> = {};
    for (const [k, val] of Object.entries(v)) o[k] = normalize(val);
    return o;
  }
  if (v === undefined) return null;
  return v as MetaValue;
}

/** Parses a meta.yaml text; throws (with the parser's message) when it is not a YAML mapping. */
export function parseMeta(text: string): Meta {
  const fast = fastParse(text);
  if (fast) return fast;
  const doc = parse(text, { version: '1.1', intAsBigInt: true, uniqueKeys: false }) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a YAML mapping');
  return normalize(doc) as Meta;
}

// ---------------------------------------------------------------- typed accessors

export const str = (v: MetaValue | undefined): string | null =>
  v === undefined || v === null ? null : typeof v === 'object' ? null : String(v);

export const int = (v: MetaValue | undefined): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
};

/** A `{key: value}` map or `[{key, value}]` list of tags, as strings. */
export function tagList(v: MetaValue | undefined): { key: string; value: string }[] {
  if (!v || typeof v !== 'object') return [];
  if (Array.isArray(v)) {
    const out: { key: string; value: string }[] = [];
    for (const item of v) {
      if (item && typeof item === 'object' && !Array.isArray(item) && item.key !== undefined) {
        out.push({ key: String(item.key), value: str(item.value) ?? '' });
      }
    }
    return out;
  }
  return Object.entries(v).map(([key, value]) => ({ key, value: str(value) ?? '' }));
}

/** Reads and parses a meta.yaml; null (and an issue) when it is missing, unreadable or invalid. */
export function readMetaFile(path: string, issue: IssueFn): Meta | null {
  const text = readText(path, issue);
  if (text === null) return null;
  try {
    return parseMeta(text);
  } catch (err) {
    issue(path, `invalid meta.yaml: ${String((err as Error).message ?? err).split('\n')[0]}`);
    return null;
  }
}
