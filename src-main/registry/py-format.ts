/**
 * Python's `repr()` for the values MLflow interpolates into registry error messages
 * (`{name!r}`, `{order_by_list}`, `{parsed_token}`, `b'...'`), so our messages read the same.
 */
import { pyFloatRepr } from '../search/python-compat';

function escapeChar(c: string, quote: string): string {
  if (c === '\\') return '\\\\';
  if (c === quote) return `\\${quote}`;
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}

/** `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const c of s) out += escapeChar(c, quote);
  return quote + out + quote;
}

/** `repr(bytes)` of UTF-8 bytes, as in "Invalid page token, decoded value=b'...'". */
export function pyBytes(buf: Uint8Array): string {
  const text = Array.from(buf, (b) => String.fromCharCode(b)).join('');
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const b of buf) {
    const c = String.fromCharCode(b);
    if (b >= 0x80) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += escapeChar(c, quote);
  }
  return `b${quote}${out}${quote}`;
}

/** `repr()` of a JSON-decoded value (dict, list, str, int, float, bool, None). */
export function pyRepr(v: unknown, floatHint = false): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'number') return floatHint || !Number.isInteger(v) ? pyFloatRepr(v) : String(v);
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x)).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(v);
}

/** `repr(tuple)`: a one-element tuple keeps its trailing comma. */
export function pyTuple(items: readonly unknown[]): string {
  if (items.length === 1) return `(${pyRepr(items[0])},)`;
  return `(${items.map((x) => pyRepr(x)).join(', ')})`;
}

/** `str.islower()`: at least one cased character and no uppercase ones. */
export function pyIsLower(s: string): boolean {
  let cased = false;
  for (const c of s) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower === upper) continue;
    if (c !== lower) return false;
    cased = true;
  }
  return cased;
}

/**
 * `shlex.split` (POSIX mode) as MLflow uses it on order_by clauses; returns null where Python
 * raises ("No closing quotation", "No escaped character").
 */
export function shlexSplit(s: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return null;
      cur += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const d = s[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < s.length && (s[i + 1] === '"' || s[i + 1] === '\\')) {
          cur += s[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      if (!closed) return null;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= s.length) return null;
      cur += s[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
