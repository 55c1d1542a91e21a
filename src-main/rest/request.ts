import { invalidParam } from '../core/errors';
import { parsePyJson, pythonJsonDumps, pyTypeName } from '../core/python-json';

/**
 * Reads one request's parameters the way MLflow's `_get_request_message` does: JSON body for
 * POST/PATCH/DELETE, query string for GET (repeated keys become arrays). Each accessor validates
 * and produces MLflow's own messages ("Missing value for required parameter 'x'. See the API docs...").
 */
const SEE_DOCS = ' See the API docs for more information about request parameters.';

export function formatValue(value: unknown): string {
  // json.dumps(value, sort_keys=True, separators=(",", ":")): ensure_ascii, Python's float repr
  return pythonJsonDumps(value, { sortKeys: true, compact: true });
}

export const invalidValue = (path: string, value: unknown, message?: string): string =>
  message
    ? `Invalid value ${formatValue(value)} for parameter '${path}' supplied: ${message}`
    : `Invalid value ${formatValue(value)} for parameter '${path}' supplied.`;

export const missingValue = (path: string): string => `Missing value for required parameter '${path}'.`;

function typeError(name: string, value: unknown): never {
  throw invalidParam(invalidValue(name, value, ` Hint: Value was of type '${pyTypeName(value)}'.`) + SEE_DOCS);
}

export class RequestParams {
  readonly raw: Record<string, unknown>;
  readonly isQuery: boolean;
  /** The JSON body as sent, re-read only to word an error as Python would (`9.0` stays a float). */
  private readonly bodyText: string | undefined;
  private typed: Record<string, unknown> | undefined;

  constructor(raw: Record<string, unknown>, isQuery: boolean, bodyText?: string) {
    this.raw = raw;
    this.isQuery = isQuery;
    this.bodyText = bodyText;
  }

  /** The body field `name` with Python's types (floats written `9.0`, ints beyond 2^53), else `fallback`. */
  pythonValue(name: string, fallback: unknown): unknown {
    if (this.isQuery || this.bodyText === undefined) return fallback;
    if (this.typed === undefined) {
      try {
        const v = parsePyJson(this.bodyText, true);
        this.typed = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
      } catch {
        this.typed = {};
      }
    }
    return Object.prototype.hasOwnProperty.call(this.typed, name) ? this.typed[name] : fallback;
  }

  private typeError(name: string, value: unknown): never {
    return typeError(name, this.pythonValue(name, value));
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  private value(name: string): unknown {
    const v = this.raw[name];
    // A query string may repeat a singular field; MLflow (Flask's `args.get`) keeps the first.
    if (this.isQuery && Array.isArray(v)) return v[0];
    return v;
  }

  /** Required string: absent, null or "" is MLflow's "Missing value" error. */
  requiredString(name: string): string {
    const v = this.value(name);
    if (v === undefined || v === null || v === '') throw invalidParam(missingValue(name) + SEE_DOCS);
    if (typeof v !== 'string') this.typeError(name, v);
    return v;
  }

  optionalString(name: string): string | null {
    const v = this.value(name);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') this.typeError(name, v);
    return v;
  }

  /** int64 fields: JSON numbers or numeric strings (protobuf accepts both); GET args are strings. */
  optionalInt(name: string): number | null {
    const v = this.value(name);
    if (v === undefined || v === null || v === '') return null;
    const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
    // Beyond 2^53 a JS number is no longer the integer sent (and SQLite would refuse it as a LIMIT).
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) this.typeError(name, v);
    return n;
  }

  requiredInt(name: string): number {
    const n = this.optionalInt(name);
    if (n === null) throw invalidParam(missingValue(name) + SEE_DOCS);
    return n;
  }

  optionalBool(name: string): boolean | null {
    const v = this.value(name);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'True') return true;
    if (v === 'false' || v === 'False') return false;
    return this.typeError(name, v);
  }

  /** Repeated field: GET args give a string or a list of strings; JSON gives an array. */
  array<T = unknown>(name: string): T[] {
    const v = this.raw[name];
    if (v === undefined || v === null) return [];
    if (this.isQuery) return (Array.isArray(v) ? v : [v]) as T[];
    if (!Array.isArray(v)) this.typeError(name, v);
    return v as T[];
  }

  stringArray(name: string): string[] {
    const arr = this.array(name);
    for (const item of arr) if (typeof item !== 'string') this.typeError(name, arr);
    return arr as string[];
  }

  /** Parses a protobuf enum given by name (or number, as protobuf JSON also allows). */
  optionalEnum<T extends string>(name: string, values: readonly T[]): T | null {
    const v = this.value(name);
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'number' && values[v] !== undefined) return values[v]!;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    if (typeof v === 'string' && /^\d+$/.test(v) && values[Number(v)] !== undefined) return values[Number(v)]!;
    return this.typeError(name, v);
  }
}
