import { parse as parseYaml } from 'yaml';

/**
 * Reading an `MLmodel` file (YAML) for the version page: flavors and the signature. MLflow
 * stores `signature.inputs`/`outputs`/`params` as JSON strings inside the YAML; each entry is a
 * column spec (`{"type": "double", "name": "x", "required": true}`), a tensor spec
 * (`{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}`) or, for params,
 * `{"name", "type", "default", "shape"}`.
 */

export interface SignatureField {
  name: string | null;
  type: string;
  required: boolean;
  /** Params only: the default value as JSON text. */
  defaultValue?: string;
  shape?: string;
}

export interface ModelSignature {
  inputs: SignatureField[] | null;
  outputs: SignatureField[] | null;
  params: SignatureField[] | null;
}

export interface MlmodelSummary {
  flavors: string[];
  mlflowVersion: string | null;
  modelUuid: string | null;
  createdAt: string | null;
  signature: ModelSignature | null;
  /** A problem reading the signature (shown instead of the table). */
  signatureError: string | null;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A readable type: double, Array(string), {a: long, b?: string}, Map(str → double), Tensor(float32, [-1, 4]). */
export function describeType(spec: Json | undefined): string {
  if (typeof spec === 'string') return spec;
  if (!isObject(spec)) return 'unknown';
  const type = spec.type;
  if (type === 'tensor' && isObject(spec['tensor-spec'])) {
    const ts = spec['tensor-spec'];
    return `Tensor(${String(ts.dtype ?? '?')}, ${JSON.stringify(ts.shape ?? null)})`;
  }
  if (type === 'array') return `Array(${describeType(spec.items)})`;
  if (type === 'map') return `Map(str → ${describeType(spec.values)})`;
  if (type === 'object' && isObject(spec.properties)) {
    const props = Object.entries(spec.properties).map(([k, v]) => {
      const optional = isObject(v) && v.required === false;
      return `${k}${optional ? '?' : ''}: ${describeType(v)}`;
    });
    return `{${props.join(', ')}}`;
  }
  return typeof type === 'string' ? type : 'unknown';
}

function fields(raw: unknown, isParams = false): SignatureField[] | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (!Array.isArray(parsed)) throw new Error('expected a list of column or tensor specs');
  return parsed.map((entry: unknown) => {
    const spec = isObject(entry) ? entry : {};
    const field: SignatureField = {
      name: typeof spec.name === 'string' ? spec.name : null,
      type: describeType(spec),
      required: spec.required !== false,
    };
    if (isParams) {
      field.required = false;
      field.defaultValue = JSON.stringify(spec.default ?? null);
      if (spec.shape !== undefined && spec.shape !== null) field.shape = JSON.stringify(spec.shape);
    }
    return field;
  });
}

export function summarizeMlmodel(text: string): MlmodelSummary {
  const doc: unknown = parseYaml(text);
  const root = isObject(doc) ? doc : {};
  const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
  const summary: MlmodelSummary = {
    flavors: isObject(root.flavors) ? Object.keys(root.flavors) : [],
    mlflowVersion: str(root.mlflow_version),
    modelUuid: str(root.model_uuid),
    createdAt: str(root.utc_time_created),
    signature: null,
    signatureError: null,
  };
  const sig = root.signature;
  if (isObject(sig)) {
    try {
      summary.signature = {
        inputs: fields(sig.inputs),
        outputs: fields(sig.outputs),
        params: fields(sig.params, true),
      };
    } catch (e) {
      summary.signatureError = `The signature in MLmodel could not be read: ${(e as Error).message}`;
    }
  }
  return summary;
}
