/**
 * MLflow's step sampling for get-history-bulk-interval over the union of several series' steps,
 * held as ordered segments instead of one list: a dense series (one point per step) is one integer
 * interval however long it is, so dense runs cost O(runs + samples), not O(points); the steps of
 * other series enter only between those intervals, listed or read by position from the store.
 */

/** Inclusive integer range [lo, hi], lo <= hi. */
export type StepInterval = readonly [lo: number, hi: number];

/** Union of interval sets (each sorted or not) as sorted, disjoint intervals (touching ones merged). */
export function unionIntervals(sets: readonly (readonly StepInterval[])[]): StepInterval[] {
  const all = sets.flat();
  if (all.length <= 1) return all.slice();
  all.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

/** The parts of [start, end] outside sorted disjoint intervals. */
export function gapsBetween(intervals: readonly StepInterval[], start: number, end: number): StepInterval[] {
  const out: StepInterval[] = [];
  let cursor = start;
  for (const [lo, hi] of intervals) {
    if (hi < cursor) continue;
    if (lo > end) break;
    if (lo > cursor) out.push([cursor, Math.min(lo - 1, end)]);
    cursor = hi + 1;
  }
  if (cursor <= end) out.push([cursor, end]);
  return out;
}

/** Merges ascending step lists into one ascending list without repeats (linear, pairwise). */
export function mergeSteps(lists: readonly (readonly number[])[]): number[] {
  let acc: number[] = [];
  for (const list of lists) {
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < acc.length || j < list.length) {
      const x = j >= list.length || (i < acc.length && acc[i]! <= list[j]!) ? acc[i++]! : list[j++]!;
      if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
    }
    acc = out;
  }
  return acc;
}

/**
 * A stretch of the ascending union of steps: `count` steps, read by position. `at` is asked for
 * increasing offsets only (so a segment may walk an index forward), `all` lists every step.
 */
export interface StepSegment {
  readonly count: number;
  at(offset: number): number;
  all(): number[];
}

export const intervalSegment = ([lo, hi]: StepInterval): StepSegment => ({
  count: hi - lo + 1,
  at: (o) => lo + o,
  all: () => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i),
});

export const listSegment = (steps: readonly number[]): StepSegment => ({
  count: steps.length,
  at: (o) => steps[o]!,
  all: () => steps.slice(),
});

/**
 * MLflow's choice over the sorted distinct steps S of the range (abstract_store.py
 * get_metric_history_bulk_interval): all of S when |S| <= maxResults, else
 * S[floor(i * (|S| / maxResults))] for i in [0, maxResults) plus the last of S — the same float
 * arithmetic as Python's, so the same indices. S is given as consecutive segments in ascending
 * order. Returns ascending steps without repeats.
 */
export function sampleSegments(segments: readonly StepSegment[], maxResults: number): number[] {
  let total = 0;
  for (const g of segments) total += g.count;
  if (total <= maxResults) return segments.flatMap((g) => g.all());
  const interval = total / maxResults;
  const out: number[] = [];
  let k = 0;
  let base = 0; // position of segments[k]'s first step in S
  const at = (idx: number): number => {
    while (idx >= base + segments[k]!.count) base += segments[k++]!.count;
    return segments[k]!.at(idx - base);
  };
  let last = -1;
  for (let i = 0; i < maxResults; i++) {
    const idx = Math.floor(i * interval);
    if (idx >= total) break;
    if (idx === last) continue;
    out.push(at(idx));
    last = idx;
  }
  if (last !== total - 1) out.push(at(total - 1));
  return out;
}
