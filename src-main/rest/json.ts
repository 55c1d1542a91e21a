/**
 * Protobuf's JSON mapping writes non-finite doubles as the strings "NaN", "Infinity" and
 * "-Infinity"; plain JSON.stringify would turn them into null and lose them.
 */
export function toProtoJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    }
    return v;
  });
}

/** Parses a protobuf-JSON double: a number or one of the strings protobuf allows. */
export function parseProtoDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  }
  return undefined;
}
