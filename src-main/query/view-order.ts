import type { Db } from '../store/db';
import {
  maxRunPk,
  metricInOrder,
  orderedRuns,
  scopeOrder,
  textInOrder,
  type UiSortTerm,
  type ViewScope,
} from '../store/ui-queries';

/**
 * The runs of a view in sort order, fast for the common case of one sort key on a big view.
 *
 * SQLite's plan for `ORDER BY <metric>` over 100,000 runs probes latest_metrics once per run and
 * sorts everything (~0.5 s on a busy 2-core machine). Instead: the scope's runs are read once in
 * the default order (an index range), the sort key's values are read in order from their index
 * (latest_metrics_by_key / params_by_key: a range scan, no sort), and the two are merged —
 * runs outside the scope dropped, ties broken by the default order, runs without a value last.
 * Same result as `orderedRuns` (the general SQL, used for small views and multi-key sorts).
 */

/** Below this many runs, the general SQL sorts them faster than reading a key's whole index. */
const SMALL_VIEW = 5000;

/** Position of each run key in `base`, -1 when absent (a typed array indexed by run_pk). */
function ranks(base: readonly number[], maxPk: number): Int32Array {
  const rank = new Int32Array(maxPk + 1).fill(-1);
  for (let i = 0; i < base.length; i++) rank[base[i]!] = i;
  return rank;
}

function byRank(rank: Int32Array): (a: number, b: number) => number {
  return (a, b) => rank[a]! - rank[b]!;
}

/** Appends the runs of `base` not marked in `seen` (missing values go last, in default order). */
function appendMissing(out: number[], base: readonly number[], seen: Uint8Array): void {
  for (const pk of base) if (!seen[pk]) out.push(pk);
}

function mergeMetric(
  base: readonly number[],
  rank: Int32Array,
  sorted: { values: [number, number][]; nans: number[] },
): number[] {
  const out: number[] = [];
  const seen = new Uint8Array(rank.length);
  const cmp = byRank(rank);
  const { values } = sorted;
  for (let i = 0; i < values.length;) {
    let j = i + 1;
    while (j < values.length && values[j]![1] === values[i]![1]) j++;
    const tie: number[] = [];
    for (let k = i; k < j; k++) {
      const pk = values[k]![0];
      if (pk < rank.length && rank[pk]! >= 0) tie.push(pk);
    }
    if (tie.length > 1) tie.sort(cmp);
    for (const pk of tie) {
      out.push(pk);
      seen[pk] = 1;
    }
    i = j;
  }
  const nans = sorted.nans.filter((pk) => pk < rank.length && rank[pk]! >= 0).sort(cmp);
  for (const pk of nans) {
    out.push(pk);
    seen[pk] = 1;
  }
  appendMissing(out, base, seen);
  return out;
}

/** The number a param/tag text spells (as `runlens_num` in SQL), or null. */
function numberOf(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function mergeText(base: readonly number[], rank: Int32Array, rows: [number, string][], desc: boolean): number[] {
  const numeric: { pk: number; n: number; text: string }[] = [];
  const text: [number, string][] = [];
  for (const [pk, value] of rows) {
    if (pk >= rank.length || rank[pk]! < 0) continue;
    const n = numberOf(value);
    if (n === null) text.push([pk, value]);
    else numeric.push({ pk, n, text: value });
  }
  const dir = desc ? -1 : 1;
  numeric.sort(
    (a, b) => (a.n - b.n) * dir || (a.text < b.text ? -dir : a.text > b.text ? dir : 0) || rank[a.pk]! - rank[b.pk]!,
  );
  // Text values arrive in index (binary) order; descending reverses it, ties stay in default order.
  if (desc) text.reverse();
  const out: number[] = [];
  const seen = new Uint8Array(rank.length);
  for (const r of numeric) {
    out.push(r.pk);
    seen[r.pk] = 1;
  }
  const cmp = byRank(rank);
  for (let i = 0; i < text.length;) {
    let j = i + 1;
    while (j < text.length && text[j]![1] === text[i]![1]) j++;
    const tie = text.slice(i, j).map((t) => t[0]);
    if (tie.length > 1) tie.sort(cmp);
    for (const pk of tie) {
      out.push(pk);
      seen[pk] = 1;
    }
    i = j;
  }
  appendMissing(out, base, seen);
  return out;
}

/** Remembers the last scope's default order while the data is unchanged (re-sorting reuses it). */
export class ViewOrder {
  private base: { key: string; version: number; pks: number[] } | null = null;

  constructor(
    private readonly db: Db,
    private readonly smallView = SMALL_VIEW,
  ) {}

  scopeOrder(scope: ViewScope, version: number): number[] {
    const key = JSON.stringify(scope);
    if (this.base && this.base.key === key && this.base.version === version) return this.base.pks;
    const pks = scopeOrder(this.db, scope);
    this.base = { key, version, pks };
    return pks;
  }

  order(scope: ViewScope, sort: readonly UiSortTerm[], version: number): number[] {
    const first = sort[0];
    if (!first || (sort.length === 1 && first.kind === 'attribute' && first.key === 'start_time' && first.desc)) {
      return this.scopeOrder(scope, version);
    }
    const single = sort.length === 1;
    const metric = single && first.kind === 'metric' && (first.agg ?? 'latest') === 'latest';
    const text = single && (first.kind === 'param' || first.kind === 'tag');
    if (!metric && !text) return orderedRuns(this.db, scope, sort, []).pks;
    const base = this.scopeOrder(scope, version);
    if (base.length < this.smallView) return orderedRuns(this.db, scope, sort, []).pks;
    const rank = ranks(base, maxRunPk(this.db));
    if (metric) return mergeMetric(base, rank, metricInOrder(this.db, first.key, first.desc));
    return mergeText(base, rank, textInOrder(this.db, first.kind as 'param' | 'tag', first.key), first.desc);
  }
}
