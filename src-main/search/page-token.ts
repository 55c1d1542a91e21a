import { invalidParam } from '../core/errors';
import { b64decodeLoose, Base64Error, pyBytesRepr, pyRepr, type PyValue } from './python-compat';

/**
 * MLflow's search page tokens: base64 of the JSON `{"offset": N}` (`SearchUtils.create_page_token`),
 * byte for byte, so tokens from either server work on the other. Parsing reproduces
 * `parse_start_offset_from_page_token`, messages included.
 */

export function createPageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/** The start offset a page token encodes; 0 for no token. */
export function parseStartOffset(pageToken: string | null | undefined): number {
  if (!pageToken) return 0;
  let decoded: Uint8Array;
  try {
    decoded = b64decodeLoose(pageToken);
  } catch (e) {
    if (e instanceof Base64Error) throw invalidParam('Invalid page token, could not base64-decode');
    throw e;
  }
  let parsed: PyValue;
  try {
    parsed = parsePyJson(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(decoded));
  } catch {
    throw invalidParam(`Invalid page token, decoded value=${pyBytesRepr(decoded)}`);
  }
  const offsetValue = parsed instanceof Map ? parsed.get('offset') : undefined;
  if (!(parsed instanceof Map) || pyFalsy(offsetValue)) {
    throw invalidParam(`Invalid page token, parsed value=${pyRepr(parsed)}`);
  }
  const offset = pyInt(offsetValue!);
  if (offset === null) {
    const shown = typeof offsetValue === 'string' ? offsetValue : pyRepr(offsetValue!);
    throw invalidParam(`Invalid page token, not stringable ${shown}`);
  }
  return offset;
}

function pyFalsy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === 0n || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  return false;
}

/** Python `int(x)` for a JSON value, or null where Python raises. */
function pyInt(v: PyValue): number | null {
  if (v === true) return 1;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v === 'string') {
    const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/u.exec(v);
    return m ? Number((m[1] === '-' ? '-' : '') + m[2]!.replace(/_/g, '')) : null;
  }
  return null;
}

/** JSON to Python values: integers stay integers (bigint), objects keep key order (Map), like `json.loads`. */
export function parsePyJson(text: string): PyValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError('invalid JSON');
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, PyValue>();
      ws();
      if (text[i] === '}') {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i++] !== ':') fail();
        m.set(k, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return m;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      const a: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return a;
        } else fail();
      }
    }
    if (c === '"') return str();
    for (const [lit, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    const num = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!num) return fail();
    i += num[0].length;
    return num[1] === undefined && num[2] === undefined ? BigInt(num[0]) : Number(num[0]);
  };
  const str = (): string => {
    const m = /^"(?:[^"\\]|\\.)*"/su.exec(text.slice(i));
    if (!m) return fail();
    i += m[0].length;
    // JSON.parse applies JSON's own rules (no raw control characters, valid escapes).
    return JSON.parse(m[0]) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}
