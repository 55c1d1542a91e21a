/**
 * get-history-bulk-interval against a plain transcription of MLflow 3.5.1's algorithm
 * (abstract_store.get_metric_history_bulk_interval + sqlalchemy_store
 * .get_metric_history_bulk_interval_from_steps), on random series written through both write paths:
 * log-batch (TrackingStore.logBatch, in random batches, in order or shuffled) and the importer
 * (an mlruns folder written here, imported, then sometimes appended to and imported again).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportInProcess } from '../src-main/importers/import-job';
import type { Metric } from '../src-main/core/entities';
import { freshStore, type TestStore } from './import-helpers';
import { startTestApp, type TestApp } from './helpers';
import { gapsBetween, mergeSteps, unionIntervals, type StepInterval } from '../src-main/store/step-sampling';

interface Point {
  step: number;
  timestamp: number;
  value: number;
}

// ---------------------------------------------------------------- MLflow, transcribed

const MAX_RESULTS_GET_METRIC_HISTORY = 25000;

function bisectLeft(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bisectRight(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `histories[i]` is run i's stored points (request order, repeats included, [] for a run without the
 * metric or unknown). MLflow's SQL store stores NaN as value 0 + is_nan and orders by value, so a
 * NaN sorts as 0; where a NaN and a 0 share step and timestamp MLflow's order is unspecified and
 * Runlens puts the 0 first (is_nan ascending).
 */
function mlflowBulkInterval(
  histories: { runId: string; points: Point[] }[],
  maxResults: number,
  startStep: number | null,
  endStep: number | null,
): Metric[] {
  const allRuns = histories.map((h) => h.points.map((m) => m.step));
  let allMinsAndMaxes = new Set<number>();
  for (const run of allRuns) {
    if (!run.length) continue;
    allMinsAndMaxes.add(run.reduce((a, b) => Math.min(a, b)));
    allMinsAndMaxes.add(run.reduce((a, b) => Math.max(a, b)));
  }
  const allSteps = [...new Set(allRuns.flat())].sort((a, b) => a - b);
  let start = startStep;
  let end = endStep;
  if (start === null && end === null) {
    start = 0;
    end = allSteps.length ? allSteps[allSteps.length - 1]! : 0;
  }
  const s0 = start!;
  const e0 = end!;
  allMinsAndMaxes = new Set([...allMinsAndMaxes].filter((s) => s0 <= s && s <= e0));
  const startIdx = bisectLeft(allSteps, s0);
  const endIdx = bisectRight(allSteps, e0);
  let sampled: Set<number>;
  if (endIdx - startIdx <= maxResults) {
    sampled = new Set(allSteps.slice(startIdx, endIdx));
  } else {
    const numSteps = endIdx - startIdx;
    const interval = numSteps / maxResults;
    sampled = new Set();
    for (let i = 0; i < maxResults; i++) {
      const idx = startIdx + Math.trunc(i * interval);
      if (idx < endIdx) sampled.add(allSteps[idx]!);
    }
    sampled.add(allSteps[endIdx - 1]!);
  }
  const steps = new Set([...sampled, ...allMinsAndMaxes]);
  const out: Metric[] = [];
  for (const h of histories) {
    const sqlValue = (p: Point): number => (Number.isNaN(p.value) ? 0 : p.value);
    const isNan = (p: Point): number => (Number.isNaN(p.value) ? 1 : 0);
    const rows = h.points
      .filter((m) => steps.has(m.step))
      .sort(
        (a, b) => a.step - b.step || a.timestamp - b.timestamp || cmp(sqlValue(a), sqlValue(b)) || isNan(a) - isNan(b),
      )
      .slice(0, MAX_RESULTS_GET_METRIC_HISTORY);
    for (const m of rows) out.push({ key: 'm', value: m.value, timestamp: m.timestamp, step: m.step, run_id: h.runId });
  }
  return out;
}

const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** The rows a store keeps of what was logged: identical points (NaN equal to NaN) once. */
function stored(points: Point[]): Point[] {
  const seen = new Map<string, Point>();
  for (const p of points) seen.set(`${p.step} ${p.timestamp} ${Number.isNaN(p.value) ? 'nan' : p.value}`, p);
  return [...seen.values()];
}

// ---------------------------------------------------------------- random series

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Shape = 'dense' | 'dense-repeat-gap' | 'gaps' | 'repeats' | 'random' | 'negative' | 'empty';
const SHAPES: Shape[] = ['dense', 'dense', 'dense-repeat-gap', 'gaps', 'repeats', 'random', 'negative', 'empty'];

/** A series in logging order; `increasing` when its steps were logged strictly increasing. */
function randomSeries(r: () => number, shape: Shape): Point[] {
  const int = (n: number): number => Math.floor(r() * n);
  const value = (): number => {
    const x = r();
    if (x < 0.05) return NaN;
    if (x < 0.07) return x < 0.06 ? Infinity : -Infinity;
    if (x < 0.12) return 0;
    return (int(80) - 40) / 4;
  };
  const first = int(4) === 0 ? int(50) : 0;
  const len = 1 + int(int(3) === 0 ? 300 : 60);
  const steps: number[] = [];
  switch (shape) {
    case 'empty':
      return [];
    case 'dense':
      for (let i = 0; i < len; i++) steps.push(first + i);
      break;
    case 'dense-repeat-gap': {
      // As many points as the step span, yet a repeated step and a gap: 0,0,2,3,...
      for (let i = 0; i < len + 1; i++) steps.push(first + i);
      const gap = 1 + int(len);
      steps.splice(gap, 1);
      steps.splice(int(gap), 0, steps[int(gap)]!);
      break;
    }
    case 'gaps':
      for (let s = first, i = 0; i < len; i++, s += 1 + (int(4) === 0 ? int(20) : 0)) steps.push(s);
      break;
    case 'repeats':
      for (let s = first, i = 0; i < len; i++, s += int(3) === 0 ? 0 : 1) steps.push(s);
      break;
    case 'random':
      for (let i = 0; i < len; i++) steps.push(first + int(len * 2));
      break;
    case 'negative':
      for (let i = 0; i < len; i++) steps.push(-int(40) + i * (1 + int(2)));
      break;
  }
  const t0 = 1_700_000_000_000 + int(1000);
  return steps.map((step, i) => ({ step, timestamp: t0 + (int(5) === 0 ? int(3) : i), value: value() }));
}

function shuffle<T>(r: () => number, a: T[]): T[] {
  const out = a.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Several runs' series: overlapping or disjoint step ranges (each run shifted at random). */
function randomCase(r: () => number): Point[][] {
  const runs = 1 + Math.floor(r() * 4);
  return Array.from({ length: runs }, () => {
    const shift = r() < 0.5 ? 0 : Math.floor(r() * 200);
    return randomSeries(r, SHAPES[Math.floor(r() * SHAPES.length)]!).map((p) => ({ ...p, step: p.step + shift }));
  });
}

/** Random query: max_results from 1 to beyond the step count, with or without a step range. */
function randomQuery(
  r: () => number,
  series: Point[][],
): { maxResults: number; start: number | null; end: number | null } {
  const steps = series.flat().map((p) => p.step);
  const lo = steps.length ? Math.min(...steps) : 0;
  const hi = steps.length ? Math.max(...steps) : 10;
  const maxResults = r() < 0.2 ? 2500 : 1 + Math.floor(r() * (r() < 0.5 ? 10 : 400));
  if (r() < 0.5) return { maxResults, start: null, end: null };
  const a = lo - 5 + Math.floor(r() * (hi - lo + 10));
  const b = a + Math.floor(r() * (hi - lo + 10));
  return { maxResults, start: a, end: b };
}

// ---------------------------------------------------------------- write paths

let storeN = 0;

/** Logs each series to its own new run through logBatch, in random batches, in order or shuffled. */
function logThroughBatches(t: TestStore, r: () => number, series: Point[][]): string[] {
  const exp = t.tracking.createExperiment(`e${storeN++}`, null, []);
  return series.map((points) => {
    const run = t.tracking.createRun({ experimentId: exp, userId: 'u', startTime: 0, tags: [], runName: null });
    const id = run.info.run_id;
    const order = r() < 0.7 ? points : shuffle(r, points);
    for (let i = 0; i < order.length;) {
      const n = 1 + Math.floor(r() * (r() < 0.5 ? 5 : 80));
      const batch = order.slice(i, i + n);
      // Sometimes another key rides along (several keys per batch, as MLflow's async logging sends).
      const metrics: Metric[] = batch.map((p) => ({ key: 'm', ...p }));
      if (r() < 0.3) metrics.push({ key: 'other', value: 1, timestamp: 1, step: Math.floor(r() * 5) });
      t.tracking.logBatch(id, { metrics: shuffleKeys(r, metrics), params: [], tags: [] });
      i += n;
    }
    return id;
  });
}

/** Reorders a batch across keys only (each key's points keep their relative order). */
function shuffleKeys(r: () => number, metrics: Metric[]): Metric[] {
  if (r() < 0.5) return metrics;
  const others = metrics.filter((m) => m.key !== 'm');
  const mine = metrics.filter((m) => m.key === 'm');
  return [...others, ...mine];
}

const pyFloat = (v: number): string =>
  Number.isNaN(v)
    ? 'nan'
    : v === Infinity
      ? 'inf'
      : v === -Infinity
        ? '-inf'
        : Number.isInteger(v)
          ? `${v}.0`
          : String(v);

const line = (p: Point): string => `${p.timestamp} ${pyFloat(p.value)} ${p.step}\n`;

/** An mlruns tree holding one run per series (metric file lines in logging order). */
function writeMlruns(root: string, series: Point[][], tag: string): { runIds: string[]; files: string[] } {
  const expId = '1';
  const expDir = join(root, expId);
  mkdirSync(expDir, { recursive: true });
  writeFileSync(
    join(expDir, 'meta.yaml'),
    `artifact_location: file:///x/${expId}\ncreation_time: 1\nexperiment_id: '${expId}'\n` +
      `last_update_time: 1\nlifecycle_stage: active\nname: ${tag}\n`,
  );
  const runIds: string[] = [];
  const files: string[] = [];
  series.forEach((points, i) => {
    const runId = `${tag}${String(i).padStart(4, '0')}`.padStart(32, 'a');
    const runDir = join(expDir, runId);
    mkdirSync(join(runDir, 'metrics'), { recursive: true });
    writeFileSync(
      join(runDir, 'meta.yaml'),
      `artifact_uri: file:///x/${expId}/${runId}/artifacts\nend_time: 2\nentry_point_name: ''\n` +
        `experiment_id: '${expId}'\nlifecycle_stage: active\nrun_id: ${runId}\nrun_name: r${i}\n` +
        `source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1\nstatus: 1\ntags: []\nuser_id: u\n`,
    );
    const file = join(runDir, 'metrics', 'm');
    if (points.length) writeFileSync(file, points.map(line).join(''));
    runIds.push(runId);
    files.push(file);
  });
  return { runIds, files };
}

// ---------------------------------------------------------------- the comparison

function check(t: TestStore, runIds: string[], series: Point[][], r: () => number, label: string, queries = 4): void {
  const history = new Map(runIds.map((id, i) => [id, stored(series[i]!)]));
  for (let q = 0; q < queries; q++) {
    // Request: the runs in random order, sometimes a run twice or an unknown run.
    let ids = shuffle(r, runIds);
    if (r() < 0.2) ids.push(ids[0]!);
    if (r() < 0.1) ids.splice(Math.floor(r() * ids.length), 0, 'f'.repeat(32));
    if (r() < 0.2) ids = ids.slice(0, 1);
    const { maxResults, start, end } = randomQuery(r, series);
    const expected = mlflowBulkInterval(
      ids.map((id) => ({ runId: id, points: history.get(id) ?? [] })),
      maxResults,
      start,
      end,
    );
    const got = t.tracking.getMetricHistoryBulkInterval(ids, 'm', maxResults, start, end);
    const ctx = `${label} max_results=${maxResults} start=${start} end=${end} runs=${ids.length}`;
    expect(got, ctx).toEqual(expected);
  }
}

function isDense(points: Point[]): boolean {
  const steps = points.map((p) => p.step);
  const lo = steps.reduce((a, b) => Math.min(a, b));
  const hi = steps.reduce((a, b) => Math.max(a, b));
  return new Set(steps).size === steps.length && steps.length === hi - lo + 1;
}

const flags = (t: TestStore, runId: string): { steps_distinct: number | null; point_count: number } | undefined =>
  t.db
    .prepare(
      `SELECT l.steps_distinct, l.point_count FROM latest_metrics l JOIN runs r ON r.run_pk = l.run_pk
       JOIN metric_keys k ON k.key_id = l.key_id WHERE r.run_uuid = ? AND k.key = 'm'`,
    )
    .get(runId) as { steps_distinct: number | null; point_count: number } | undefined;

describe('get-history-bulk-interval equals MLflow 3.5.1', () => {
  let t: TestStore;
  beforeAll(() => {
    t = freshStore();
  });
  afterAll(() => t.close());

  it('the dense-looking series with a repeated step and a gap (0,0,2,3,…) samples like MLflow', () => {
    const points: Point[] = [0, 0, 2, 3, 4, 5, 6, 7, 8, 9].map((step, i) => ({ step, timestamp: i, value: i }));
    const [id] = logThroughBatches(t, rng(1), [points]);
    expect(flags(t, id!)).toEqual({ steps_distinct: 0, point_count: 10 });
    for (const maxResults of [1, 2, 3, 4, 5, 7, 9, 10]) {
      expect(t.tracking.getMetricHistoryBulkInterval([id!], 'm', maxResults, null, null)).toEqual(
        mlflowBulkInterval([{ runId: id!, points }], maxResults, null, null),
      );
    }
  });

  it('series logged in increasing step order are marked distinct; a step logged again clears it', () => {
    const points: Point[] = Array.from({ length: 50 }, (_, i) => ({ step: i, timestamp: i, value: i }));
    const [id] = logThroughBatches(t, rng(2), [[]]);
    for (let i = 0; i < 50; i += 7) {
      t.tracking.logBatch(id!, {
        metrics: points.slice(i, i + 7).map((p) => ({ key: 'm', ...p })),
        params: [],
        tags: [],
      });
    }
    expect(flags(t, id!)).toEqual({ steps_distinct: 1, point_count: 50 });
    // The same points again add nothing and keep the mark.
    t.tracking.logBatch(id!, { metrics: points.slice(10, 20).map((p) => ({ key: 'm', ...p })), params: [], tags: [] });
    expect(flags(t, id!)).toEqual({ steps_distinct: 1, point_count: 50 });
    // One batch, out of order but distinct and above the last step: still proven.
    const later = [55, 52, 60, 51].map((step) => ({ key: 'm', step, timestamp: 1, value: 1 }));
    t.tracking.logBatch(id!, { metrics: later, params: [], tags: [] });
    expect(flags(t, id!)).toEqual({ steps_distinct: 1, point_count: 54 });
    // A new point at an existing step.
    t.tracking.logMetric(id!, { key: 'm', step: 3, timestamp: 99, value: 1 });
    expect(flags(t, id!)).toEqual({ steps_distinct: 0, point_count: 55 });
  });

  it('a batch repeating a step within itself is not marked distinct', () => {
    const [id] = logThroughBatches(t, rng(3), [[]]);
    const metrics = [5, 1, 5].map((step, i) => ({ key: 'm', step, timestamp: i, value: 1 }));
    t.tracking.logBatch(id!, { metrics, params: [], tags: [] });
    expect(flags(t, id!)).toEqual({ steps_distinct: 0, point_count: 3 });
  });

  it('random series logged through log-batch', () => {
    const r = rng(20261206);
    const marks = { proven: 0, dense: 0, other: 0 };
    for (let c = 0; c < 500; c++) {
      const series = randomCase(r);
      const ids = logThroughBatches(t, r, series);
      check(t, ids, series, r, `log-batch case ${c}`);
      for (const id of ids) {
        const f = flags(t, id);
        if (!f) continue;
        if (f.steps_distinct !== 1) marks.other++;
        else if (isDense(stored(series[ids.indexOf(id)]!))) marks.dense++;
        else marks.proven++;
      }
    }
    // Both sampling paths were exercised: series taken as one interval, and listed ones.
    expect(marks.dense).toBeGreaterThan(50);
    expect(marks.other).toBeGreaterThan(50);
  });

  it('more than 25,000 points at the sampled steps: each run stops at 25,000', () => {
    const points: Point[] = [];
    for (let i = 0; i < 26000; i++) points.push({ step: i % 3, timestamp: i, value: i % 7 });
    const ids = logThroughBatches(t, rng(4), [points, points.slice(0, 100)]);
    const got = t.tracking.getMetricHistoryBulkInterval(ids, 'm', 2500, null, null);
    expect(got.length).toBe(25100);
    expect(got).toEqual(
      mlflowBulkInterval(
        ids.map((id, i) => ({ runId: id, points: i ? points.slice(0, 100) : points })),
        2500,
        null,
        null,
      ),
    );
  });
});

describe('get-history-bulk-interval equals MLflow 3.5.1 on imported series', () => {
  let t: TestStore;
  let root: string;
  beforeAll(() => {
    t = freshStore();
    root = mkdtempSync(join(tmpdir(), 'runlens-bulk-mlruns-'));
  });
  afterAll(() => {
    t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('random series imported from mlruns, re-imported with more points, then logged to live', () => {
    const r = rng(777);
    const cases = Array.from({ length: 120 }, () => randomCase(r));
    const trees = cases.map((series, c) => {
      const dir = join(root, `c${c}`);
      return { dir, series, ...writeMlruns(dir, series, `c${c}x`) };
    });
    const report = runImportInProcess(t.db, { paths: trees.map((x) => x.dir) });
    expect(report.status).toBe('completed');
    for (const [c, x] of trees.entries()) {
      check(t, x.runIds, x.series, r, `import case ${c}`);
      x.series.forEach((points, i) => {
        // A series read with strictly increasing steps is proven distinct.
        const increasing = points.every((p, j) => j === 0 || p.step > points[j - 1]!.step);
        if (points.length && increasing) expect(flags(t, x.runIds[i]!)?.steps_distinct).toBe(1);
      });
    }
    // Second round: append points to some files (continuing or overlapping) and import again;
    // then log more points to some runs live.
    for (const x of trees) {
      x.series.forEach((points, i) => {
        if (r() < 0.5) return;
        const last = points.length ? Math.max(...points.map((p) => p.step)) : 0;
        const from = r() < 0.5 ? last + 1 + Math.floor(r() * 3) : Math.floor(r() * (last + 1));
        const more = Array.from({ length: 1 + Math.floor(r() * 40) }, (_, j) => ({
          step: from + j,
          timestamp: 1_800_000_000_000 + j,
          value: j % 5,
        }));
        appendFileSync(x.files[i]!, more.map(line).join(''));
        points.push(...more);
      });
    }
    const again = runImportInProcess(t.db, { paths: trees.map((x) => x.dir) });
    expect(again.status).toBe('completed');
    for (const [c, x] of trees.entries()) check(t, x.runIds, x.series, r, `re-import case ${c}`);
    for (const x of trees) {
      x.series.forEach((points, i) => {
        if (r() < 0.5) return;
        const last = points.length ? Math.max(...points.map((p) => p.step)) : 0;
        const from = r() < 0.7 ? last + 1 : Math.floor(r() * (last + 1));
        const more = Array.from({ length: 1 + Math.floor(r() * 20) }, (_, j) => ({
          step: from + j,
          timestamp: 1_900_000_000_000 + j,
          value: j,
        }));
        t.tracking.logBatch(x.runIds[i]!, { metrics: more.map((p) => ({ key: 'm', ...p })), params: [], tags: [] });
        points.push(...more);
      });
    }
    for (const [c, x] of trees.entries()) check(t, x.runIds, x.series, r, `import + live case ${c}`);
  });

  it('a re-import whose new points repeat steps logged live in between is no longer proven', () => {
    const dir = join(root, 'relive');
    const points: Point[] = Array.from({ length: 10 }, (_, i) => ({ step: i, timestamp: i, value: i }));
    const { runIds, files } = writeMlruns(dir, [points], 'relive');
    const id = runIds[0]!;
    expect(runImportInProcess(t.db, { paths: [dir] }).status).toBe('completed');
    expect(flags(t, id)).toEqual({ steps_distinct: 1, point_count: 10 });
    // Live: steps 11..15 (a gap at 10), still one point per step.
    const live = [11, 12, 13, 14, 15].map((step) => ({ step, timestamp: 100 + step, value: 1 }));
    t.tracking.logBatch(id, { metrics: live.map((p) => ({ key: 'm', ...p })), params: [], tags: [] });
    expect(flags(t, id)).toEqual({ steps_distinct: 1, point_count: 15 });
    // The file gains another point at step 11: its own steps stay distinct, the series' do not,
    // and 16 points over 16 steps would pass for dense.
    const extra = { step: 11, timestamp: 999, value: 2 };
    appendFileSync(files[0]!, line(extra));
    expect(runImportInProcess(t.db, { paths: [dir] }).status).toBe('completed');
    expect(flags(t, id)).toEqual({ steps_distinct: 0, point_count: 16 });
    const all = [...points, ...live, extra];
    for (let maxResults = 1; maxResults <= 16; maxResults++) {
      expect(t.tracking.getMetricHistoryBulkInterval([id], 'm', maxResults, null, null)).toEqual(
        mlflowBulkInterval([{ runId: id, points: all }], maxResults, null, null),
      );
    }
  });

  it("an import cancelled between a series' points and its series-end leaves it unproven", () => {
    const dir = join(root, 'cancel');
    const points: Point[] = Array.from({ length: 100 }, (_, i) => ({ step: i, timestamp: i, value: i }));
    const { runIds, files } = writeMlruns(dir, [points], 'cancel');
    const id = runIds[0]!;
    expect(runImportInProcess(t.db, { paths: [dir] }).status).toBe('completed');
    expect(flags(t, id)).toEqual({ steps_distinct: 1, point_count: 100 });
    // 50 more points, committed, then cancelled before series-end: the latest_metrics row still
    // counts 100 points, so only an unproven mark keeps sampling exact.
    const more: Point[] = Array.from({ length: 50 }, (_, i) => ({ step: 100 + i, timestamp: 500 + i, value: 1 }));
    appendFileSync(files[0]!, more.map(line).join(''));
    const pk = t.db.prepare('SELECT run_pk FROM runs WHERE run_uuid = ?').pluck().get(id) as number;
    const stored = (): number =>
      t.db.prepare('SELECT COUNT(*) FROM metrics WHERE run_pk = ?').pluck().get(pk) as number;
    const report = runImportInProcess(t.db, { paths: [dir], batchPoints: 1, isCancelled: () => stored() > 100 });
    expect(report.status).toBe('cancelled');
    expect(stored()).toBe(150);
    expect(flags(t, id)).toEqual({ steps_distinct: 2, point_count: 100 });
    const all = [...points, ...more];
    for (const maxResults of [1, 7, 49, 99, 100, 149, 150]) {
      expect(t.tracking.getMetricHistoryBulkInterval([id], 'm', maxResults, null, null)).toEqual(
        mlflowBulkInterval([{ runId: id, points: all }], maxResults, null, null),
      );
    }
    // The next import finds nothing new for it: the series stays unproven (its count is stale).
    expect(runImportInProcess(t.db, { paths: [dir] }).status).toBe('completed');
    expect(flags(t, id)?.steps_distinct).not.toBe(1);
  });

  it('a dense series longer than one import chunk is proven distinct and samples like MLflow', () => {
    const points: Point[] = Array.from({ length: 140_000 }, (_, i) => ({ step: i, timestamp: i, value: i % 11 }));
    const other: Point[] = Array.from({ length: 1000 }, (_, i) => ({ step: 139_500 + i, timestamp: i, value: 1 }));
    const dir = join(root, 'long');
    const { runIds } = writeMlruns(dir, [points, other], 'long');
    expect(runImportInProcess(t.db, { paths: [dir] }).status).toBe('completed');
    expect(flags(t, runIds[0]!)).toEqual({ steps_distinct: 1, point_count: 140_000 });
    // The file grows (training went on) and is imported again in small transactions: the whole
    // series was read, so it stays proven.
    const grown: Point[] = Array.from({ length: 500 }, (_, i) => ({ step: 140_000 + i, timestamp: i, value: 2 }));
    appendFileSync(join(dir, '1', runIds[0]!, 'metrics', 'm'), grown.map(line).join(''));
    points.push(...grown);
    expect(runImportInProcess(t.db, { paths: [dir], batchPoints: 20_000 }).status).toBe('completed');
    expect(flags(t, runIds[0]!)).toEqual({ steps_distinct: 1, point_count: 140_500 });
    for (const [maxResults, start, end] of [
      [1000, null, null],
      [2500, null, null],
      [7, 5, 139_990],
      [999, 139_000, 141_000],
    ] as const) {
      expect(t.tracking.getMetricHistoryBulkInterval(runIds, 'm', maxResults, start, end)).toEqual(
        mlflowBulkInterval(
          runIds.map((id, i) => ({ runId: id, points: i ? other : points })),
          maxResults,
          start,
          end,
        ),
      );
    }
  });
});

describe('step segments', () => {
  it('gapsBetween and mergeSteps agree with sets', () => {
    const r = rng(5);
    for (let c = 0; c < 2000; c++) {
      const raw: StepInterval[] = Array.from({ length: Math.floor(r() * 5) }, () => {
        const lo = Math.floor(r() * 60) - 10;
        return [lo, lo + Math.floor(r() * 12)] as const;
      });
      const merged = unionIntervals([raw]);
      const covered = new Set(raw.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)));
      expect(merged.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i))).toEqual(
        [...covered].sort((a, b) => a - b),
      );
      const start = Math.floor(r() * 70) - 15;
      const end = start + Math.floor(r() * 70);
      const outside: number[] = [];
      for (let st = start; st <= end; st++) if (!covered.has(st)) outside.push(st);
      expect(
        gapsBetween(merged, start, end).flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)),
      ).toEqual(outside);
      const lists = Array.from({ length: Math.floor(r() * 4) }, () =>
        [...new Set(Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 40)))].sort((a, b) => a - b),
      );
      expect(mergeSteps(lists)).toEqual([...new Set(lists.flat())].sort((a, b) => a - b));
    }
  });
});

describe('get-history-bulk-interval over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('answers as MLflow for random runs', async () => {
    const r = rng(99);
    const exp = (await app.api('POST', '/mlflow/experiments/create', { name: 'bulk' })).body.experiment_id as string;
    for (let c = 0; c < 15; c++) {
      // JSON has no NaN or Infinity literals; the store-level tests cover them.
      const series = randomCase(r).map((points) =>
        points.map((p) => ({ ...p, value: Number.isFinite(p.value) ? p.value : 0.5 })),
      );
      const ids: string[] = [];
      for (const points of series) {
        const run = (await app.api('POST', '/mlflow/runs/create', { experiment_id: exp })).body.run.info.run_id;
        for (let i = 0; i < points.length; i += 50) {
          const metrics = points.slice(i, i + 50).map((p) => ({ key: 'm', ...p }));
          const res = await app.api('POST', '/mlflow/runs/log-batch', { run_id: run, metrics });
          expect(res.status).toBe(200);
        }
        ids.push(run);
      }
      const { maxResults, start, end } = randomQuery(r, series);
      const query: Record<string, unknown> = { run_ids: ids, metric_key: 'm', max_results: maxResults };
      if (start !== null) Object.assign(query, { start_step: start, end_step: end });
      const res = await app.api('GET', '/mlflow/metrics/get-history-bulk-interval', query);
      expect(res.status).toBe(200);
      const expected = mlflowBulkInterval(
        ids.map((id, i) => ({ runId: id, points: stored(series[i]!) })),
        maxResults,
        start,
        end,
      );
      expect(res.body.metrics ?? []).toEqual(expected);
    }
  });
});
