/**
 * protobuf's `json_format.ParseDict(js, message, ignore_unknown_fields=True)`, which MLflow's
 * `_get_request_message` runs on every JSON body before its handler reads the message. Fields are
 * converted in the JSON's key order, and the first value of the wrong type (`{"key": 5}` for a
 * string field, `"abc"` for a double) raises a ParseError that MLflow swallows: that field and
 * everything after it in the body stay unset, what came before stays set, and the handler goes on
 * with the partly filled message. MLflow's own type checks (`_assert_string`...) run separately, on
 * the raw JSON and only for the top-level fields each handler lists (RequestParams does those).
 */
export type ProtoScalar = 'string' | 'int64' | 'double' | 'bool';
export type ProtoField = ProtoScalar | ProtoMessage | readonly [ProtoScalar | ProtoMessage];
export interface ProtoMessage {
  readonly [field: string]: ProtoField;
}

class ParseError extends Error {}

const INT = /^[+-]?\d+$/;
const FLOAT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function scalar(value: unknown, type: ProtoScalar): unknown {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new ParseError();
      return value;
    case 'int64': {
      // Python's int(): a whole number, or a string of digits (no spaces); never a bool.
      const n = typeof value === 'number' ? value : typeof value === 'string' && INT.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n) || Math.abs(n) > 2 ** 63) throw new ParseError();
      return n;
    }
    case 'double':
      // Python's float(): numbers, numeric strings, booleans, and protobuf's "NaN" / "Infinity" spellings.
      if (typeof value === 'number') return value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string') {
        if (FLOAT.test(value)) return Number(value);
        const special = /^\s*([+-]?)(inf|infinity|nan)\s*$/i.exec(value);
        // float() reads any case of inf / nan; protobuf refuses exactly "nan" ("use NaN instead").
        if (special && value !== 'nan')
          return /n/i.test(special[2]![0]!) ? NaN : special[1] === '-' ? -Infinity : Infinity;
      }
      throw new ParseError();
    case 'bool':
      if (typeof value !== 'boolean') throw new ParseError();
      return value;
  }
}

function fill(js: Record<string, unknown>, message: ProtoMessage, out: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(js)) {
    const type = message[name];
    if (type === undefined || value === null || value === undefined) continue;
    if (Array.isArray(type)) {
      if (!Array.isArray(value)) throw new ParseError();
      const item = type[0] as ProtoScalar | ProtoMessage;
      const list: unknown[] = [];
      out[name] = list;
      for (const v of value) {
        if (typeof item === 'string') {
          list.push(scalar(v, item));
        } else {
          // The element is added before its fields are read, so a failure leaves it partly filled.
          const sub: Record<string, unknown> = {};
          list.push(sub);
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ParseError();
          fill(v as Record<string, unknown>, item, sub);
        }
      }
    } else if (typeof type === 'string') {
      out[name] = scalar(value, type);
    } else {
      if (typeof value !== 'object' || Array.isArray(value)) throw new ParseError();
      const sub: Record<string, unknown> = {};
      out[name] = sub;
      fill(value as Record<string, unknown>, type as ProtoMessage, sub);
    }
  }
}

/** The message MLflow's handler reads: set fields only (unset ones absent), typed as protobuf types them. */
export function protoParse(js: Record<string, unknown>, message: ProtoMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  try {
    fill(js, message, out);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
  return out;
}

const KEY_VALUE: ProtoMessage = { key: 'string', value: 'string' };
const METRIC: ProtoMessage = {
  key: 'string',
  value: 'double',
  timestamp: 'int64',
  step: 'int64',
  model_id: 'string',
  dataset_name: 'string',
  dataset_digest: 'string',
  run_id: 'string',
};

/** service.proto's request messages whose lists of tags, params and metrics the handlers read. */
export const PROTO = {
  createExperiment: { name: 'string', artifact_location: 'string', tags: [KEY_VALUE] },
  createRun: {
    experiment_id: 'string',
    user_id: 'string',
    start_time: 'int64',
    tags: [KEY_VALUE],
    run_name: 'string',
  },
  logBatch: { run_id: 'string', metrics: [METRIC], params: [KEY_VALUE], tags: [KEY_VALUE] },
} as const satisfies Record<string, ProtoMessage>;
