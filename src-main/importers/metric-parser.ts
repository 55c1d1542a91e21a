/**
 * Fast parsing of FileStore metric files. One line per point:
 *   run metrics:          `<timestamp> <value> <step>` (MLflow ≥ 1.0), `<timestamp> <value>` (0.x, step 0),
 *                         `<timestamp> <value> <step> <dataset_name> <dataset_digest>` (3.x)
 *   logged-model metrics: `<timestamp> <value> <step> <run_id> [<dataset_name> <dataset_digest>]`
 * Values are Python floats as `str()` prints them, including `nan`, `inf` and `-inf`.
 *
 * Hot path for the bench (10M lines): the text is scanned by char codes with no per-line regex or
 * split; integers are accumulated by hand and only the value goes through `Number()` (exact, and
 * V8's string-to-double is fast). Bad lines are counted, never thrown.
 */

/** Points of one series, column-wise, ready to bind; NaN stays NaN here (the writer encodes it). */
export interface PointColumns {
  n: number;
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface LineErrors {
  count: number;
  /** The last line had no newline and was cut short. */
  truncatedLast: boolean;
  firstLine: number;
  firstText: string;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const MINUS = 45;
const PLUS = 43;

const SPECIAL_VALUES: Record<string, number> = {
  nan: NaN,
  '-nan': NaN,
  '+nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

/** Python's float(): decimal or special value; `undefined` when not a number. */
export function parsePyFloat(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === MINUS || c === PLUS || c === 46) {
    const v = +text;
    if (!Number.isNaN(v)) {
      // JS also reads `0x10`, `0b1`, `0o7` (unsigned only); Python's float() does not.
      const c1 = text.charCodeAt(1) | 32;
      if (c === 48 && (c1 === 120 || c1 === 98 || c1 === 111)) return undefined;
      return v;
    }
  }
  const special = SPECIAL_VALUES[text.toLowerCase()];
  return special;
}

/** Parses an integer field [a, b) of `s` by hand; NaN when it is not an integer. */
function parseIntField(s: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  const first = s.charCodeAt(i);
  if (first === MINUS || first === PLUS) {
    neg = first === MINUS;
    i++;
  }
  if (i >= b) return NaN;
  let n = 0;
  for (; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  if (n > Number.MAX_SAFE_INTEGER) return NaN;
  return neg ? -n : n;
}

/**
 * Incremental parser: feed text chunks (latin1-decoded bytes; numbers are ASCII), get columns.
 * Lines may span chunks; `end()` flushes a last line without newline.
 */
export class MetricLineParser {
  private readonly modelLines: boolean;
  private carry = '';
  private lineNo = 0;
  private lastFields = 0;
  private finalLine = false;
  readonly errors: LineErrors = { count: 0, truncatedLast: false, firstLine: 0, firstText: '' };
  /** For logged-model lines: run id / dataset of each point (same index as the columns). */
  readonly extra: { runId: string; datasetName: string; datasetDigest: string }[] = [];
  private cols: PointColumns = EMPTY;
  private capacity: number;

  constructor(options: { modelLines?: boolean; initialCapacity?: number } = {}) {
    this.modelLines = options.modelLines ?? false;
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
  }

  get count(): number {
    return this.cols.n;
  }

  /** Hands out the points parsed so far and starts a new batch (allocated on the next point). */
  take(): PointColumns {
    const out = this.cols;
    this.cols = EMPTY;
    return out;
  }

  feed(chunk: string): void {
    const text = this.carry ? this.carry + chunk : chunk;
    const lastNl = text.lastIndexOf('\n');
    if (lastNl < 0) {
      this.carry = text;
      return;
    }
    this.carry = text.slice(lastNl + 1);
    this.parseLines(text, lastNl + 1);
  }

  /**
   * Flushes a last line that has no newline. A file cut short mid-line (a copy interrupted, a
   * process killed while appending) can leave `<ts> <val` that still parses as a 2-field line;
   * a last line with fewer fields than the line before it is therefore taken as truncated.
   */
  end(): void {
    if (this.carry) {
      const text = this.carry;
      this.carry = '';
      this.finalLine = true;
      this.parseLines(text + '\n', text.length + 1);
      this.finalLine = false;
    }
  }

  private bad(s: string, a: number, b: number): void {
    const e = this.errors;
    if (e.count++ === 0) {
      e.firstLine = this.lineNo;
      e.firstText = s.slice(a, Math.min(b, a + 80));
    }
  }

  private push(step: number, ts: number, value: number): void {
    let c = this.cols;
    if (c === EMPTY) this.cols = c = newColumns(this.capacity);
    else if (c.n === c.steps.length) {
      this.capacity = c.n * 2;
      const grown = newColumns(this.capacity);
      grown.steps.set(c.steps);
      grown.timestamps.set(c.timestamps);
      grown.values.set(c.values);
      grown.n = c.n;
      this.cols = c = grown;
    }
    const i = c.n++;
    c.steps[i] = step;
    c.timestamps[i] = ts;
    c.values[i] = value;
  }

  /** Parses complete lines in s[0, end). */
  private parseLines(s: string, end: number): void {
    let i = 0;
    const starts = [0, 0, 0, 0, 0, 0, 0];
    const ends = [0, 0, 0, 0, 0, 0, 0];
    while (i < end) {
      this.lineNo++;
      const lineStart = i;
      // Split the line on runs of blanks, remembering up to 7 fields (more is an error anyway).
      let nf = 0;
      let c = s.charCodeAt(i);
      for (;;) {
        while (c === SPACE || c === TAB || c === CR) c = s.charCodeAt(++i);
        if (c === LF || i >= end) break;
        const a = i;
        while (c !== SPACE && c !== TAB && c !== CR && c !== LF && i < end) c = s.charCodeAt(++i);
        if (nf < 7) {
          starts[nf] = a;
          ends[nf] = i;
        }
        nf++;
      }
      const lineEnd = i;
      i++; // past LF
      if (nf === 0) continue; // blank line (e.g. trailing newline twice): ignored like MLflow's strip()
      const okCount = this.modelLines ? nf === 4 || nf === 6 : nf === 2 || nf === 3 || nf === 5;
      if (!okCount || (this.finalLine && nf < this.lastFields)) {
        if (this.finalLine) this.errors.truncatedLast = true;
        this.bad(s, lineStart, lineEnd);
        continue;
      }
      const ts = parseIntField(s, starts[0]!, ends[0]!);
      const step = nf >= 3 ? parseIntField(s, starts[2]!, ends[2]!) : 0;
      const value = parsePyFloat(s.slice(starts[1]!, ends[1]!));
      if (Number.isNaN(ts) || Number.isNaN(step) || value === undefined) {
        if (this.finalLine) this.errors.truncatedLast = true;
        this.bad(s, lineStart, lineEnd);
        continue;
      }
      this.push(step, ts, value);
      this.lastFields = nf;
      if (this.modelLines) {
        this.extra.push({
          runId: s.slice(starts[3]!, ends[3]!),
          datasetName: nf === 6 ? s.slice(starts[4]!, ends[4]!) : '',
          datasetDigest: nf === 6 ? s.slice(starts[5]!, ends[5]!) : '',
        });
      }
    }
  }
}

/** Three columns in one buffer: one allocation (and one transfer) per chunk. */
export function newColumns(capacity: number): PointColumns {
  const buf = new ArrayBuffer(capacity * 24);
  return {
    n: 0,
    steps: new Float64Array(buf, 0, capacity),
    timestamps: new Float64Array(buf, capacity * 8, capacity),
    values: new Float64Array(buf, capacity * 16, capacity),
  };
}

const EMPTY: PointColumns = {
  n: 0,
  steps: new Float64Array(0),
  timestamps: new Float64Array(0),
  values: new Float64Array(0),
};

/** MLflow's order of points: (step, timestamp, value); NaN sorts as the stored 0 does. */
const sortValue = (v: number): number => (Number.isNaN(v) ? 0 : v);

export function isSorted(p: PointColumns): boolean {
  for (let i = 1; i < p.n; i++) {
    const ds = p.steps[i]! - p.steps[i - 1]!;
    if (ds > 0) continue;
    if (ds < 0) return false;
    const dt = p.timestamps[i]! - p.timestamps[i - 1]!;
    if (dt > 0) continue;
    if (dt < 0) return false;
    if (sortValue(p.values[i]!) < sortValue(p.values[i - 1]!)) return false;
  }
  return true;
}

/**
 * Sorts the points by the metrics primary key order (step, timestamp, value) so inserts append
 * at the right edge of the WITHOUT ROWID b-tree. Already-sorted input (the usual case) is free.
 */
export function sortPoints(p: PointColumns): PointColumns {
  if (isSorted(p)) return p;
  const idx = new Uint32Array(p.n);
  for (let i = 0; i < p.n; i++) idx[i] = i;
  idx.sort(
    (a, b) =>
      p.steps[a]! - p.steps[b]! ||
      p.timestamps[a]! - p.timestamps[b]! ||
      sortValue(p.values[a]!) - sortValue(p.values[b]!),
  );
  const out = newColumns(p.n);
  out.n = p.n;
  for (let i = 0; i < p.n; i++) {
    const j = idx[i]!;
    out.steps[i] = p.steps[j]!;
    out.timestamps[i] = p.timestamps[j]!;
    out.values[i] = p.values[j]!;
  }
  return out;
}

/**
 * Running latest/min/max of a series. "Latest" is MLflow's: the greatest (step, timestamp, value),
 * compared on stored values (NaN as 0, as the store's upsert does); min/max skip NaN.
 */
export class SeriesSummary {
  count = 0;
  step = 0;
  timestamp = 0;
  value = 0;
  min: number | null = null;
  max: number | null = null;

  add(p: PointColumns): void {
    for (let i = 0; i < p.n; i++) this.addPoint(p.steps[i]!, p.timestamps[i]!, p.values[i]!);
  }

  addPoint(step: number, ts: number, value: number): void {
    if (this.count++ === 0) {
      this.step = step;
      this.timestamp = ts;
      this.value = value;
    } else if (
      step > this.step ||
      (step === this.step &&
        (ts > this.timestamp || (ts === this.timestamp && sortValue(value) > sortValue(this.value))))
    ) {
      this.step = step;
      this.timestamp = ts;
      this.value = value;
    }
    if (!Number.isNaN(value)) {
      if (this.min === null || value < this.min) this.min = value;
      if (this.max === null || value > this.max) this.max = value;
    }
  }
}
