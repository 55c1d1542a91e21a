/**
 * Python's `json` module, as far as MLflow's server shows it to clients — one implementation for
 * every place that must match it byte for byte:
 * - `parsePyJson` is `json.loads` (JSON plus the NaN / Infinity / -Infinity literals Python accepts);
 *   with `keepTypes`, a number written as a float (`9.0`, `1e3`) becomes a `PyFloat` and an integer
 *   beyond 2^53 a `PyInt`, so error messages can print them as Python would (`9.0`, not `9`).
 * - `pythonJsonDumps` is `json.dumps` (ensure_ascii, float repr): by default with Python's default
 *   separators (", " and ": ") and key order, as MLflow stores JSON text (the
 *   `mlflow.log-model.history` tag, error bodies); with `{ sortKeys: true, compact: true }` the
 *   `json.dumps(value, sort_keys=True, separators=(",", ":"))` that MLflow's `invalid_value` puts
 *   in its messages.
 */

export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyInt {
  constructor(readonly digits: string) {}
}

const MAX_DEPTH = 1000; // Python's default recursion limit; deeper input is rejected, never a crash

/** Parses `text` like Python's `json.loads`; throws SyntaxError on anything Python would reject. */
export function parsePyJson(text: string, keepTypes = false): unknown {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at ${i}`);
  };
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const literal = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail();
  };
  const string = (): string => {
    // eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
    const m = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    m.lastIndex = i;
    const hit = m.exec(text);
    if (!hit) return fail();
    i += hit[0].length;
    return JSON.parse(hit[0]) as string;
  };
  const number = (): unknown => {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    m.lastIndex = i;
    const hit = m.exec(text);
    if (!hit) return fail();
    i += hit[0].length;
    const n = Number(hit[0]);
    if (!keepTypes) return n;
    if (hit[1] !== undefined || hit[2] !== undefined) return new PyFloat(n);
    return Number.isSafeInteger(n) ? n : new PyInt(BigInt(hit[0]).toString());
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = string();
        ws();
        if (text[i++] !== ':') fail();
        Object.defineProperty(obj, key, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        const sep = text[i++];
        if (sep === '}') return obj;
        if (sep !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        const sep = text[i++];
        if (sep === ']') return arr;
        if (sep !== ',') fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === 'N') return literal('NaN', keepTypes ? new PyFloat(NaN) : NaN);
    if (c === 'I') return literal('Infinity', keepTypes ? new PyFloat(Infinity) : Infinity);
    if (c === '-' && text.startsWith('-Infinity', i)) {
      return literal('-Infinity', keepTypes ? new PyFloat(-Infinity) : -Infinity);
    }
    return number();
  };
  const result = value(0);
  ws();
  if (i !== text.length) fail();
  return result;
}

/** Python's `repr(float)` (what `json.dumps` writes for a float). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  const point = exp + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function pyString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[k];
  }
  return out + '"';
}

export interface DumpsOptions {
  /** `sort_keys=True`. */
  sortKeys?: boolean;
  /** `separators=(",", ":")` instead of Python's default `(", ", ": ")`. */
  compact?: boolean;
}

/**
 * `json.dumps(value)` with the given options. Nesting deeper than Python could dump (it fails with
 * RecursionError, a 500 in MLflow) is cut short as `[...]` so an error stays a 400.
 */
export function pythonJsonDumps(value: unknown, options: DumpsOptions = {}): string {
  const item = options.compact ? ',' : ', ';
  const pair = options.compact ? ':' : ': ';
  const dump = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (depth > MAX_DEPTH && typeof v === 'object' && !(v instanceof PyFloat || v instanceof PyInt)) {
      return Array.isArray(v) ? '[...]' : '{...}';
    }
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (v instanceof PyInt) return v.digits;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return pyFloatRepr(v);
      return Math.abs(v) < 1e21 ? String(v) : BigInt(v).toString();
    }
    if (typeof v === 'string') return pyString(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (Array.isArray(v)) return '[' + v.map((x) => dump(x, depth + 1)).join(item) + ']';
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (options.sortKeys) keys.sort();
    return '{' + keys.map((k) => `${pyString(k)}${pair}${dump(obj[k], depth + 1)}`).join(item) + '}';
  };
  return dump(value, 0);
}

/** Python's type name for a JSON value (`type(value).__name__`). */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof PyFloat) return 'float';
  if (v instanceof PyInt) return 'int';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}
