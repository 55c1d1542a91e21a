import { invalidParam } from '../core/errors';

/**
 * Reads one request's parameters the way MLflow's `_get_request_message` does: JSON body for
 * POST/PATCH/DELETE, query string for GET (repeated keys become arrays). Each accessor validates
 * and produces MLflow's own messages ("Missing value for required parameter 'x'. See the API docs...").
 */
const SEE_DOCS = ' See the API docs for more information about request parameters.';

export function formatValue(value: unknown): string {
  // json.dumps(value, sort_keys=True, separators=(",", ":"))
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const pyType = (v: unknown): string => {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
};

export const invalidValue = (path: string, value: unknown, message?: string): string =>
  message
    ? `Invalid value ${formatValue(value)} for parameter '${path}' supplied: ${message}`
    : `Invalid value ${formatValue(value)} for parameter '${path}' supplied.`;

export const missingValue = (path: string): string => `Missing value for required parameter '${path}'.`;

function typeError(name: string, value: unknown): never {
  throw invalidParam(invalidValue(name, value, ` Hint: Value was of type '${pyType(value)}'.`) + SEE_DOCS);
}

export class RequestParams {
  readonly raw: Record<string, unknown>;
  readonly isQuery: boolean;

  constructor(raw: Record<string, unknown>, isQuery: boolean) {
    this.raw = raw;
    this.isQuery = isQuery;
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
    if (typeof v !== 'string') typeError(name, v);
    return v;
  }

  optionalString(name: string): string | null {
    const v = this.value(name);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') typeError(name, v);
    return v;
  }

  /** int64 fields: JSON numbers or numeric strings (protobuf accepts both); GET args are strings. */
  optionalInt(name: string): number | null {
    const v = this.value(name);
    if (v === undefined || v === null || v === '') return null;
    const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) typeError(name, v);
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
    return typeError(name, v);
  }

  /** Repeated field: GET args give a string or a list of strings; JSON gives an array. */
  array<T = unknown>(name: string): T[] {
    const v = this.raw[name];
    if (v === undefined || v === null) return [];
    if (this.isQuery) return (Array.isArray(v) ? v : [v]) as T[];
    if (!Array.isArray(v)) typeError(name, v);
    return v as T[];
  }

  stringArray(name: string): string[] {
    const arr = this.array(name);
    for (const item of arr) if (typeof item !== 'string') typeError(name, arr);
    return arr as string[];
  }

  /** Parses a protobuf enum given by name (or number, as protobuf JSON also allows). */
  optionalEnum<T extends string>(name: string, values: readonly T[]): T | null {
    const v = this.value(name);
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'number' && values[v] !== undefined) return values[v]!;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    if (typeof v === 'string' && /^\d+$/.test(v) && values[Number(v)] !== undefined) return values[Number(v)]!;
    return typeError(name, v);
  }
}
