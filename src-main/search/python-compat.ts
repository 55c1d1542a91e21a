/**
 * The bits of Python MLflow's search messages and parsing lean on: `repr()` of the values it
 * formats into error messages, `ast.literal_eval` of an `IN (...)` list, `shlex.split` of an
 * order_by clause, and `base64.b64decode` of a page token. Each reproduces the Python behaviour
 * for the inputs a filter, order_by or page token can carry.
 */

import { pyFloatRepr as jsonFloatRepr } from '../core/python-json';

/** A Python value as MLflow sees it after parsing JSON or a literal. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyValue[]
  | { tuple: PyValue[] }
  | { bytes: Uint8Array }
  | Map<string, PyValue>;

const NON_ASCII = /[\u0080-\u{10ffff}]/u;
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCodePoint(cp: number): string {
  if (cp === 0x09) return '\\t';
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp < 0x100) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** `repr(str)`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) out += escapeCodePoint(cp);
    else out += ch;
  }
  return out + quote;
}

/** `repr(bytes)`. */
export function pyBytesRepr(b: Uint8Array): string {
  const hasSingle = b.includes(0x27);
  const quote = hasSingle && !b.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === quote.charCodeAt(0)) out += '\\' + quote;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += String.fromCharCode(c);
  }
  return out + quote;
}

/** `repr(float)`: as `json.dumps` writes it, but `nan` / `inf` / `-inf` for the non-finite. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return jsonFloatRepr(x);
}

/** `repr()` of a parsed value. Numbers that are integers in JSON/literal syntax are kept as bigint. */
export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyFloatRepr(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (v instanceof Map) return '{' + [...v].map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
  if ('bytes' in v) return pyBytesRepr(v.bytes);
  return v.tuple.length === 1 ? `(${pyRepr(v.tuple[0]!)},)` : '(' + v.tuple.map(pyRepr).join(', ') + ')';
}

/** `repr(set_of_str)`; Python's order depends on string hashing, so any fixed order is one it can print. */
export const pySetRepr = (items: Iterable<string>): string => '{' + [...items].map(pyStrRepr).join(', ') + '}';
export const pyListRepr = (items: Iterable<string>): string => '[' + [...items].map(pyStrRepr).join(', ') + ']';

// ------------------------------------------------------------------ ast.literal_eval (subset)

export class PySyntaxError extends Error {}
/** literal_eval's ValueError ("malformed node or string"): a name, call or operator it refuses. */
export class PyMalformedError extends Error {}

/**
 * `ast.literal_eval` of the text of a parenthesised list: strings (any prefix, implicit
 * concatenation), numbers, True/False/None, tuples and lists. Anything else that is valid Python
 * raises PyMalformedError; invalid syntax PySyntaxError.
 */
export function literalEval(text: string): PyValue {
  const p = new LiteralParser(text.replace(/^[ \t]+/, ''));
  const v = p.expression();
  p.skipSpace();
  if (!p.atEnd()) throw new PySyntaxError('invalid syntax');
  return v;
}

const DIGITS = '\\d(?:_?\\d)*';
const NUMBER = new RegExp(
  `^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?)[jJ]?`,
);

class LiteralParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === ' ' || c === '\t' || c === '\f' || (this.depth > 0 && (c === '\n' || c === '\r'))) this.pos++;
      else if (c === '\\' && (this.s[this.pos + 1] === '\n' || this.s[this.pos + 1] === '\r')) this.pos += 2;
      else if (c === '#') while (this.pos < this.s.length && this.s[this.pos] !== '\n') this.pos++;
      else return;
    }
  }

  expression(): PyValue {
    this.skipSpace();
    const first = this.atom();
    this.skipSpace();
    // A bare comma at top level makes a tuple: `'a', 'b'`.
    if (this.s[this.pos] === ',' && this.depth === 0) {
      const items = [first];
      while (this.s[this.pos] === ',') {
        this.pos++;
        this.skipSpace();
        if (this.atEnd()) break;
        items.push(this.atom());
        this.skipSpace();
      }
      return { tuple: items };
    }
    this.rejectOperator();
    return first;
  }

  private rejectOperator(): void {
    const c = this.s[this.pos];
    if (c !== undefined && '+-*/%@&|^<>=!.~['.includes(c)) throw new PyMalformedError('malformed node or string');
  }

  private sequence(close: string): { items: PyValue[]; sawComma: boolean } {
    this.depth++;
    const items: PyValue[] = [];
    let sawComma = false;
    this.skipSpace();
    while (this.s[this.pos] !== close) {
      if (this.atEnd()) throw new PySyntaxError(`'${close === ')' ? '(' : '['}' was never closed`);
      items.push(this.atom());
      this.skipSpace();
      this.rejectOperator();
      if (this.s[this.pos] === ',') {
        this.pos++;
        sawComma = true;
        this.skipSpace();
      } else if (this.s[this.pos] !== close) {
        throw new PySyntaxError('invalid syntax');
      }
    }
    this.pos++;
    this.depth--;
    return { items, sawComma };
  }

  atom(): PyValue {
    this.skipSpace();
    const c = this.s[this.pos];
    if (c === undefined) throw new PySyntaxError('unexpected EOF');
    if (c === '(') {
      this.pos++;
      const { items, sawComma } = this.sequence(')');
      return items.length === 1 && !sawComma ? items[0]! : { tuple: items };
    }
    if (c === '[') {
      this.pos++;
      return this.sequence(']').items;
    }
    if (c === '-' || c === '+') {
      this.pos++;
      const v = this.atom();
      if (typeof v === 'number' || typeof v === 'bigint') return c === '-' ? -v : v;
      throw new PyMalformedError('malformed node or string');
    }
    const rest = this.s.slice(this.pos);
    const num = NUMBER.exec(rest);
    if (num) {
      const t = num[0];
      this.pos += t.length;
      if (/[jJ]$/.test(t)) throw new PyMalformedError('complex');
      const clean = t.replace(/_/g, '');
      return /^(0[xob]|\d+$)/i.test(clean) ? BigInt(clean) : Number(clean);
    }
    if (/^[rRuUbBfF]{0,2}['"]/.test(rest)) return this.strings();
    const word = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(rest);
    if (word) {
      this.pos += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      throw new PyMalformedError('malformed node or string');
    }
    throw new PySyntaxError('invalid syntax');
  }

  /** One or more adjacent string literals, concatenated (str + bytes mixing is a SyntaxError). */
  private strings(): PyValue {
    let text = '';
    let bytes: number[] | null = null;
    let kind: 'str' | 'bytes' | null = null;
    for (;;) {
      this.skipSpace();
      const m = /^([rRuUbBfF]{0,2})(['"]{3}|['"])/.exec(this.s.slice(this.pos));
      if (!m) break;
      const prefix = m[1]!.toLowerCase();
      if (!/^(|r|u|b|br|rb|f|fr|rf)$/.test(prefix)) throw new PySyntaxError('invalid syntax');
      if (prefix.includes('f')) throw new PyMalformedError('f-string');
      const isBytes = prefix.includes('b');
      const raw = prefix.includes('r');
      const thisKind = isBytes ? 'bytes' : 'str';
      if (kind !== null && kind !== thisKind) throw new PySyntaxError('cannot mix bytes and nonbytes literals');
      kind = thisKind;
      const quote = m[2]!;
      this.pos += m[0].length;
      let body = '';
      for (;;) {
        if (this.atEnd()) throw new PySyntaxError('unterminated string literal');
        if (this.s.startsWith(quote, this.pos)) {
          this.pos += quote.length;
          break;
        }
        const ch = this.s[this.pos]!;
        if (quote.length === 1 && (ch === '\n' || ch === '\r')) throw new PySyntaxError('unterminated string literal');
        if (ch === '\\') {
          body += ch + (this.s[this.pos + 1] ?? '');
          this.pos += 2;
          continue;
        }
        body += ch;
        this.pos++;
      }
      const value = raw ? body : unescapePython(body, isBytes);
      if (isBytes) {
        if (NON_ASCII.test(body)) throw new PySyntaxError('bytes can only contain ASCII literal characters');
        bytes = [...(bytes ?? []), ...[...value].map((c) => c.charCodeAt(0))];
      } else text += value;
    }
    return kind === 'bytes' ? { bytes: Uint8Array.from(bytes ?? []) } : text;
  }
}

function unescapePython(body: string, isBytes: boolean): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const n = body[++i];
    if (n === undefined) {
      out += '\\';
      break;
    }
    const simple: Record<string, string> = {
      '\n': '',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
    };
    if (n in simple) {
      out += simple[n];
    } else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(oct, 8));
      i += oct.length - 1;
    } else if (n === 'x') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new PySyntaxError('truncated \\xXX escape');
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2;
    } else if (!isBytes && (n === 'u' || n === 'U')) {
      const len = n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PySyntaxError('truncated escape');
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new PySyntaxError('illegal Unicode character');
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += '\\' + n;
    }
  }
  return out;
}

// ------------------------------------------------------------------ shlex.split (posix)

export class ShlexError extends Error {}

/** `shlex.split(s)`: POSIX shell-like splitting with quotes and backslash escapes, no comments. */
export function shlexSplit(s: string): string[] {
  const WS = ' \t\r\n';
  const QUOTES = '\'"';
  const out: string[] = [];
  let i = 0;
  let state: string | null = ' ';
  let token = '';
  let quoted = false;
  let escapedState = ' ';
  const flush = (): void => {
    if (token !== '' || quoted) out.push(token);
    token = '';
    quoted = false;
  };
  for (;;) {
    const ch = i < s.length ? s[i++]! : '';
    if (state === ' ') {
      if (!ch) break;
      if (WS.includes(ch)) {
        if (token || quoted) flush();
        continue;
      }
      if (ch === '\\') {
        escapedState = 'a';
        state = ch;
      } else if (QUOTES.includes(ch)) state = ch;
      else {
        token = ch;
        state = 'a';
      }
    } else if (state === "'" || state === '"') {
      quoted = true;
      if (!ch) throw new ShlexError('No closing quotation');
      if (ch === state) state = 'a';
      else if (ch === '\\' && state === '"') {
        escapedState = state;
        state = ch;
      } else token += ch;
    } else if (state === '\\') {
      if (!ch) throw new ShlexError('No escaped character');
      if (QUOTES.includes(escapedState) && ch !== state && ch !== escapedState) token += state;
      token += ch;
      state = escapedState;
    } else {
      // state 'a': inside a word
      if (!ch) break;
      if (WS.includes(ch)) {
        state = ' ';
        if (token || quoted) flush();
        continue;
      }
      if (QUOTES.includes(ch)) state = ch;
      else if (ch === '\\') {
        escapedState = 'a';
        state = ch;
      } else token += ch;
    }
  }
  if (token !== '' || quoted) out.push(token);
  return out;
}

// ------------------------------------------------------------------ base64.b64decode (non-strict)

export class Base64Error extends Error {}

const B64 = new Map<number, number>(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c.charCodeAt(0), i]),
);

/**
 * `base64.b64decode(s)` without validation: characters outside the alphabet are skipped, a pad
 * sequence ends the input, leftover bits are "Incorrect padding" (binascii's non-strict decoder).
 */
export function b64decodeLoose(s: string): Uint8Array {
  if (NON_ASCII.test(s)) throw new Base64Error('string argument should contain only ASCII characters');
  const out: number[] = [];
  let quadPos = 0;
  let left = 0;
  let pads = 0;
  let dataChars = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d) {
      if (quadPos >= 2 && quadPos + ++pads >= 4) return Uint8Array.from(out);
      continue;
    }
    const v = B64.get(c);
    if (v === undefined) continue;
    dataChars++;
    pads = 0;
    switch (quadPos) {
      case 0:
        quadPos = 1;
        left = v;
        break;
      case 1:
        quadPos = 2;
        out.push(((left << 2) | (v >> 4)) & 0xff);
        left = v & 0x0f;
        break;
      case 2:
        quadPos = 3;
        out.push(((left << 4) | (v >> 2)) & 0xff);
        left = v & 0x03;
        break;
      default:
        quadPos = 0;
        out.push(((left << 6) | v) & 0xff);
        left = 0;
    }
  }
  if (quadPos === 1) {
    throw new Base64Error(
      `Invalid base64-encoded string: number of data characters (${dataChars}) cannot be 1 more than a multiple of 4`,
    );
  }
  if (quadPos !== 0) throw new Base64Error('Incorrect padding');
  return Uint8Array.from(out);
}
