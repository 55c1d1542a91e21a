import { openDatabase, type Db } from '../store/db';
import {
  countScope,
  groupAggregates,
  hasNestedRuns,
  windowDirect,
  orderedRuns,
  parentLinks,
  uiQueryStatements,
  type UiColumn,
  type UiQueryStatements,
  type UiRunRow,
  type UiSortTerm,
  type ViewScope,
} from '../store/ui-queries';
import { notFound } from '../core/errors';
import type {
  ColumnSet,
  ExperimentKeys,
  ExperimentSummary,
  ExportRequest,
  FilterCheck,
  GroupItem,
  KeyValuesRequest,
  LifecycleFilter,
  MetricAggregates,
  MetricValue,
  RowItem,
  RunDetail,
  RunRowData,
  RunStatus,
  RunlensQueries,
  RunsQuery,
  RunsWindow,
  RunsWindowRequest,
} from '../contract/ui-api';
import { UI_LIMITS } from '../contract/ui-api';
import {
  parseColumnRefs,
  parseColumnSet,
  parseExperimentIds,
  parseExportFormat,
  parseKeyValuesRequest,
  parseLifecycle,
  parseOptionalString,
  parseRunId,
  parseRunsQuery,
  parseRunsWindowRequest,
  isRecord,
  type ValidQuery,
  type ValidWindowRequest,
} from './validate';
import { checkFilter } from './filter-check';
import { ViewOrder } from './view-order';
import { formatExport } from './export-format';
import { invalidParam } from '../core/errors';

/**
 * A computed view: every entry of the laid-out view in order. Entries ≥ 0 are run keys; an entry
 * < 0 is the group header `groups[-entry - 1]`. Kept while the database does not change
 * (`PRAGMA data_version`), so scrolling only slices it.
 */
interface Layout {
  version: number;
  entries: Int32Array;
  runCount: number;
  depth: Map<number, number>;
  childCount: Map<number, number>;
  expanded: Set<number>;
  pinned: Set<number>;
  groups: Omit<GroupItem, 'type'>[];
}

export interface QueryServiceOptions {
  /** Views with fewer runs are sorted by SQLite alone (see `ViewOrder`); tests set 0 to use the merge path. */
  smallView?: number;
}

const LAYOUT_CACHE = 6;
/** Windows ending before this item can be answered without laying out the whole view. */
const QUICK_WINDOW = 3000;

const layoutKey = (q: ValidQuery, full: boolean): string =>
  JSON.stringify([full, { ...q, offset: undefined, limit: undefined, columns: undefined }]);
const FETCH_CHUNK = 1000;

function scopeOf(q: ValidQuery): ViewScope {
  return {
    experimentIds: q.experimentIds,
    lifecycle: q.lifecycle,
    filter: q.filter,
    search: q.search.trim(),
    statuses: q.statuses,
    startedAfter: q.startedAfter,
    startedBefore: q.startedBefore,
    hidden: q.hidden,
    runIds: q.runIds,
  };
}

const sortTerms = (q: ValidQuery): UiSortTerm[] => q.sort.map((s) => ({ ...s.column, desc: s.desc }) as UiSortTerm);

function finishAggregates(
  stats: [number, number | null, number | null, number | null, number | null],
): MetricAggregates {
  const [count, sum, sumSq, min, max] = stats;
  if (!count || sum === null || sumSq === null) return { count: 0, mean: null, min: null, max: null, std: null };
  const mean = sum / count;
  const std = count > 1 ? Math.sqrt(Math.max(0, (sumSq - (sum * sum) / count) / (count - 1))) : null;
  return { count, mean, min, max, std };
}

/**
 * The UI's read side. Runs on its own read-only connection (WAL lets it read while the single
 * writer commits) — in the shells inside a worker thread (see `query-worker.ts`), so long UI
 * queries never hold the ingestion port's event loop. Inputs are validated here, so any
 * transport can call it.
 */
export class QueryService implements RunlensQueries {
  private readonly q: UiQueryStatements;
  private readonly layouts = new Map<string, Layout>();
  /** Group order and aggregates, which collapsing or expanding groups does not change. */
  private readonly groupParts = new Map<string, { version: number; value: unknown }>();
  private readonly order: ViewOrder;

  constructor(
    private readonly db: Db,
    options: QueryServiceOptions = {},
  ) {
    this.q = uiQueryStatements(db);
    this.order = new ViewOrder(db, options.smallView);
  }

  /** Opens a read-only connection on the tracking database file (the writer must have created it). */
  static open(dbFile: string, options: QueryServiceOptions = {}): QueryService {
    return new QueryService(openDatabase(dbFile, { readonly: true }), options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  async listExperiments(): Promise<ExperimentSummary[]> {
    return this.q.experiments.all().map((e) => ({
      experimentId: String(e.experiment_id),
      name: e.name,
      lifecycleStage: e.lifecycle_stage,
      creationTime: e.creation_time,
      lastUpdateTime: e.last_update_time,
      runCount: e.run_count,
      lastRunStartTime: e.last_run_start,
      description: e.description ?? '',
    }));
  }

  async experimentKeys(experimentIds: string[], lifecycle?: LifecycleFilter): Promise<ExperimentKeys> {
    const bound = {
      experiment_ids: JSON.stringify(parseExperimentIds(experimentIds)),
      lifecycle: parseLifecycle(lifecycle),
    };
    return this.q.snapshot(() => ({
      metrics: this.q.metricKeys.all(bound).map((r) => r.key),
      params: this.q.paramKeys.all(bound).map((r) => r.key),
      tags: this.q.tagKeys.all(bound).map((r) => r.key),
    }));
  }

  async keyValues(request: KeyValuesRequest): Promise<string[]> {
    const r = parseKeyValuesRequest(request);
    const args = { experiment_ids: JSON.stringify(r.ids), prefix: r.prefix, limit: r.limit };
    if (r.kind === 'param') return this.q.paramValues.all({ ...args, key: r.key }).map((v) => v.value);
    if (r.kind === 'tag') return this.q.tagValues.all({ ...args, key: r.key }).map((v) => v.value);
    if (r.key === 'status')
      return ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].filter((s) => s.startsWith(r.prefix));
    if (r.key === 'user_id') return this.q.userValues.all(args).map((v) => v.value);
    return [];
  }

  async checkFilter(filter: string): Promise<FilterCheck> {
    return checkFilter(parseOptionalString(filter, 'filter'));
  }

  async runsWindow(request: RunsWindowRequest): Promise<RunsWindow> {
    const req = parseRunsWindowRequest(request);
    return this.q.snapshot(() => {
      const quick = this.cachedLayout(req, false) ? null : this.quickWindow(req);
      if (quick) return quick;
      const layout = this.layout(req, false);
      const end = Math.min(layout.entries.length, req.offset + req.limit);
      const slice = req.offset < end ? layout.entries.subarray(req.offset, end) : new Int32Array(0);
      const rows = this.fetchRows(
        Array.from(slice).filter((e) => e >= 0),
        req.columns,
      );
      const items: RowItem[] = [];
      for (const e of slice) {
        if (e < 0) {
          items.push({ type: 'group', ...layout.groups[-e - 1]! });
          continue;
        }
        const run = rows.get(e);
        if (!run) continue;
        items.push({
          type: 'run',
          run,
          depth: layout.depth.get(e) ?? 0,
          childCount: layout.childCount.get(e) ?? 0,
          expanded: layout.expanded.has(e),
          pinned: layout.pinned.has(e),
        });
      }
      return { total: layout.entries.length, runCount: layout.runCount, offset: req.offset, items };
    });
  }

  async runIds(query: RunsQuery): Promise<string[]> {
    const q = parseRunsQuery(query);
    return this.q.snapshot(() => this.uuids(this.runPksOf(this.layout(q, true))));
  }

  async differingColumns(query: RunsQuery, columns: ColumnSet): Promise<ColumnSet> {
    const q = parseRunsQuery(query, 'query');
    const cols = parseColumnSet(columns);
    return this.q.snapshot(() => {
      const pks = this.runPksOf(this.layout(q, true)).slice(0, UI_LIMITS.maxDiffRuns);
      const n = pks.length;
      const runPks = JSON.stringify(pks);
      const differs = (
        spread: { key: string; n: number; lo: unknown; hi: unknown; nans?: number }[],
        keys: string[],
      ) => {
        const byKey = new Map(spread.map((s) => [s.key, s]));
        return keys.filter((k) => {
          const s = byKey.get(k);
          if (!s) return false; // no run has it: nothing differs
          if (s.n < n) return true;
          if (s.nans && s.nans < s.n) return true;
          return s.lo !== s.hi;
        });
      };
      const metricSpread = (keys: string[], agg: string) =>
        keys.length
          ? differs(this.q.metricSpread.all({ run_pks: runPks, keys: JSON.stringify(keys), agg }) as never, keys)
          : [];
      return {
        metrics: metricSpread(cols.metrics, 'latest'),
        metricMin: metricSpread(cols.metricMin, 'min'),
        metricMax: metricSpread(cols.metricMax, 'max'),
        params: cols.params.length
          ? differs(this.q.paramSpread.all({ run_pks: runPks, keys: JSON.stringify(cols.params) }), cols.params)
          : [],
        tags: cols.tags.length
          ? differs(this.q.tagSpread.all({ run_pks: runPks, keys: JSON.stringify(cols.tags) }), cols.tags)
          : [],
      };
    });
  }

  async exportRuns(request: ExportRequest): Promise<string> {
    if (!isRecord(request)) throw invalidParam('Request body must be a JSON object');
    const q = parseRunsQuery(request.query, 'query');
    const columns = parseColumnRefs(request.columns, 'columns');
    const format = parseExportFormat(request.format);
    const set: Required<ColumnSet> = { metrics: [], metricMin: [], metricMax: [], params: [], tags: [] };
    for (const c of columns) {
      if (c.kind === 'metric')
        (c.agg === 'min' ? set.metricMin : c.agg === 'max' ? set.metricMax : set.metrics).push(c.key);
      else if (c.kind === 'param') set.params.push(c.key);
      else if (c.kind === 'tag') set.tags.push(c.key);
    }
    return this.q.snapshot(() => {
      const pks = this.runPksOf(this.layout(q, true));
      const rows: RunRowData[] = [];
      for (let i = 0; i < pks.length; i += FETCH_CHUNK) {
        const chunk = pks.slice(i, i + FETCH_CHUNK);
        const fetched = this.fetchRows(chunk, set);
        for (const pk of chunk) {
          const r = fetched.get(pk);
          if (r) rows.push(r);
        }
      }
      return formatExport(rows, columns, format);
    });
  }

  async runDetail(runId: string): Promise<RunDetail> {
    const id = parseRunId(runId);
    return this.q.snapshot(() => {
      const row = this.q.runByUuid.get(id);
      if (!row) throw notFound(`Run with id=${id} not found`);
      const metrics = this.q.allMetrics.all(row.run_pk).map((m) => ({
        key: m.key,
        value: encodeMetric(m.value, m.is_nan),
        step: m.step,
        timestamp: m.timestamp,
        min: m.min_value === null ? null : encodeMetric(m.min_value, 0),
        max: m.max_value === null ? null : encodeMetric(m.max_value, 0),
        count: m.point_count,
      }));
      return {
        run: toRowData(row),
        experimentName: this.q.experimentName.get(row.experiment_id)?.name ?? '',
        artifactUri: row.artifact_uri,
        params: this.q.allParams.all(row.run_pk),
        tags: this.q.allTags.all(row.run_pk),
        metrics,
        children: this.q.childrenOf
          .all(id)
          .map((c) => ({ runId: c.run_uuid, name: c.name, status: c.status as RunStatus })),
      };
    });
  }

  // ---------------------------------------------------------------------------- layout

  /**
   * The first windows of a plain view (no groups, no nesting; default order or one metric) read
   * straight from an index with LIMIT, instead of laying out the whole view first. The full
   * layout is computed right after answering, for the windows further down.
   */
  private quickWindow(req: ValidWindowRequest): RunsWindow | null {
    if (req.groupBy.length || req.offset + req.limit > QUICK_WINDOW || !req.experimentIds.length) return null;
    const first = req.sort[0];
    const plain =
      !first ||
      (req.sort.length === 1 && first.column.kind === 'attribute' && first.column.key === 'start_time' && first.desc);
    const metric =
      req.sort.length === 1 && first?.column.kind === 'metric' && (first.column.agg ?? 'latest') === 'latest';
    if (!plain && !metric) return null;
    if (req.tree && hasNestedRuns(this.db, req.experimentIds)) return null;
    const scope = scopeOf(req);
    const pinnedByUuid = req.pinned.length
      ? this.q.runPksByIds.all({
          run_ids: JSON.stringify(req.pinned.filter((id) => !req.hidden.includes(id))),
          experiment_ids: JSON.stringify(req.experimentIds),
          lifecycle: req.lifecycle,
        })
      : [];
    const pinnedPk = new Map(pinnedByUuid.map((r) => [r.run_uuid, r.run_pk]));
    const pinned = req.pinned.flatMap((id) => (pinnedPk.has(id) ? [pinnedPk.get(id)!] : []));
    const extra = pinned.length
      ? [{ sql: 'r.run_pk NOT IN (SELECT value FROM json_each(?))', params: [JSON.stringify(pinned)] }]
      : [];
    const total = pinned.length + countScope(this.db, scope, extra);
    const fromPinned = pinned.slice(req.offset, req.offset + req.limit);
    const restOffset = Math.max(0, req.offset - pinned.length);
    const restLimit = req.limit - fromPinned.length;
    const sort = metric ? { key: first!.column.key, desc: first!.desc } : null;
    const rest =
      restLimit > 0 ? windowDirect(this.db, scope, sort, restOffset, restLimit, extra, total - pinned.length) : [];
    const pks = [...fromPinned, ...rest];
    const rows = this.fetchRows(pks, req.columns);
    const pinnedSet = new Set(pinned);
    const items: RowItem[] = pks.flatMap((pk) => {
      const run = rows.get(pk);
      return run
        ? [{ type: 'run' as const, run, depth: 0, childCount: 0, expanded: false, pinned: pinnedSet.has(pk) }]
        : [];
    });
    // Lay out the whole view once this answer is on its way (the worker serves one request at a time).
    const timer = setTimeout(() => {
      try {
        if (this.db.open) this.q.snapshot(() => this.layout(req, false));
      } catch {
        // computed again on demand
      }
    }, 0);
    timer.unref?.();
    return { total, runCount: total, offset: req.offset, items };
  }

  private cachedLayout(q: ValidQuery, full: boolean): Layout | null {
    const hit = this.layouts.get(layoutKey(q, full));
    return hit && hit.version === this.q.dataVersion() ? hit : null;
  }

  private runPksOf(layout: Layout): number[] {
    const out: number[] = [];
    for (const e of layout.entries) if (e >= 0) out.push(e);
    return out;
  }

  private uuids(pks: number[]): string[] {
    const byPk = new Map<number, string>();
    for (let i = 0; i < pks.length; i += 20_000) {
      const rows = this.q.runPksForUuid(JSON.stringify(pks.slice(i, i + 20_000)));
      for (const r of rows) byPk.set(r.run_pk, r.run_uuid);
    }
    return pks.map((pk) => byPk.get(pk)!).filter(Boolean);
  }

  /**
   * The laid-out view for a query (cached per query shape while the data is unchanged). `full`
   * expands every group and nested run (exports, "select all").
   */
  private layout(q: ValidQuery, full: boolean): Layout {
    const version = this.q.dataVersion();
    const cacheKey = layoutKey(q, full);
    const hit = this.layouts.get(cacheKey);
    if (hit && hit.version === version) {
      this.layouts.delete(cacheKey);
      this.layouts.set(cacheKey, hit);
      return hit;
    }
    const layout = this.computeLayout(q, full, version);
    this.layouts.set(cacheKey, layout);
    if (this.layouts.size > LAYOUT_CACHE) this.layouts.delete(this.layouts.keys().next().value!);
    return layout;
  }

  /**
   * A grouped view's run order or aggregates, kept while the data is unchanged: toggling one
   * group relays out the view from them instead of sorting and aggregating every run again.
   */
  private groupPart<T>(version: number, key: unknown[], compute: () => T): T {
    const k = JSON.stringify(key);
    const hit = this.groupParts.get(k);
    if (hit && hit.version === version) return hit.value as T;
    const value = compute();
    this.groupParts.delete(k);
    this.groupParts.set(k, { version, value });
    if (this.groupParts.size > LAYOUT_CACHE) this.groupParts.delete(this.groupParts.keys().next().value!);
    return value;
  }

  private computeLayout(q: ValidQuery, full: boolean, version: number): Layout {
    const layout: Layout = {
      version,
      entries: new Int32Array(0),
      runCount: 0,
      depth: new Map(),
      childCount: new Map(),
      expanded: new Set(),
      pinned: new Set(),
      groups: [],
    };
    if (q.experimentIds.length === 0) return layout;
    const scope = scopeOf(q);
    const groupBy = q.groupBy as UiColumn[];
    const ordered = groupBy.length
      ? this.groupPart(version, ['order', scope, q.sort, groupBy], () =>
          orderedRuns(this.db, scope, sortTerms(q), groupBy),
        )
      : { pks: this.order.order(scope, sortTerms(q), version), groupValues: null };
    const lookup = (ids: string[]): Map<string, number> =>
      new Map(
        ids.length
          ? this.q.runPksByIds
              .all({
                run_ids: JSON.stringify(ids),
                experiment_ids: JSON.stringify(q.experimentIds),
                lifecycle: q.lifecycle,
              })
              .map((r) => [r.run_uuid, r.run_pk])
          : [],
      );

    // Pinned runs come first, in the order they were pinned, and leave the rest of the view.
    const pinnedByUuid = lookup(q.pinned.filter((id) => !q.hidden.includes(id)));
    const pinned = q.pinned.flatMap((id) => (pinnedByUuid.has(id) ? [pinnedByUuid.get(id)!] : []));
    layout.pinned = new Set(pinned);
    const entries: number[] = [...pinned];
    const keep = (i: number): boolean => !layout.pinned.has(ordered.pks[i]!);

    if (ordered.groupValues && groupBy.length) {
      const toggled = new Set(q.toggledGroups);
      const aggregates = new Map<string, Record<string, MetricAggregates>>();
      if (q.aggregates.length) {
        const pinnedIds = [...pinnedByUuid.keys()];
        const rows = this.groupPart(version, ['aggregates', scope, groupBy, q.aggregates, pinnedIds], () =>
          groupAggregates(this.db, scope, groupBy, q.aggregates, pinnedIds),
        );
        for (const row of rows) {
          const stats: Record<string, MetricAggregates> = {};
          q.aggregates.forEach((m, i) => (stats[m] = finishAggregates(row.stats[i]!)));
          aggregates.set(JSON.stringify(row.values), stats);
        }
      }
      let current: { header: number; key: string; members: number[] } | null = null;
      const flush = (): void => {
        if (!current) return;
        const g = layout.groups[current.header]!;
        g.count = current.members.length;
        entries.push(-(current.header + 1));
        if (!g.collapsed) entries.push(...current.members);
        layout.runCount += current.members.length;
      };
      for (let i = 0; i < ordered.pks.length; i++) {
        if (!keep(i)) continue;
        const values = ordered.groupValues[i]!;
        const key = JSON.stringify(values);
        if (!current || current.key !== key) {
          flush();
          const collapsed = !full && q.groupsCollapsed !== toggled.has(key);
          layout.groups.push({ key, values, count: 0, collapsed, aggregates: aggregates.get(key) ?? {} });
          current = { header: layout.groups.length - 1, key, members: [] };
        }
        current.members.push(ordered.pks[i]!);
      }
      flush();
      layout.runCount += pinned.length;
      layout.entries = Int32Array.from(entries);
      return layout;
    }

    const links = q.tree ? parentLinks(this.db, q.experimentIds) : [];
    if (links.length === 0) {
      for (let i = 0; i < ordered.pks.length; i++) if (keep(i)) entries.push(ordered.pks[i]!);
      layout.runCount = entries.length;
      layout.entries = Int32Array.from(entries);
      return layout;
    }

    // Tree: a run whose parent is in the view goes under it (in the view's order); others are roots.
    const inView = new Set<number>();
    for (let i = 0; i < ordered.pks.length; i++) if (keep(i)) inView.add(ordered.pks[i]!);
    const parentOf = new Map<number, number>();
    for (const [child, parent] of links) if (inView.has(child) && inView.has(parent)) parentOf.set(child, parent);
    const children = new Map<number, number[]>();
    const roots: number[] = [];
    for (const pk of ordered.pks) {
      if (!inView.has(pk)) continue;
      const parent = parentOf.get(pk);
      if (parent === undefined) roots.push(pk);
      else {
        let list = children.get(parent);
        if (!list) children.set(parent, (list = []));
        list.push(pk);
      }
    }
    const expanded = new Set(lookup(q.expanded).values());
    const visited = new Set<number>();
    const visit = (pk: number, depth: number): void => {
      if (visited.has(pk)) return; // a parentRunId cycle must not loop
      visited.add(pk);
      entries.push(pk);
      if (depth) layout.depth.set(pk, depth);
      const kids = children.get(pk);
      if (!kids) return;
      layout.childCount.set(pk, kids.length);
      if (full || expanded.has(pk)) {
        layout.expanded.add(pk);
        for (const k of kids) visit(k, depth + 1);
      }
    };
    for (const r of roots) visit(r, 0);
    layout.runCount = inView.size + pinned.length;
    layout.entries = Int32Array.from(entries);
    return layout;
  }

  // ---------------------------------------------------------------------------- rows

  private fetchRows(pks: number[], columns: Required<ColumnSet> | ColumnSet): Map<number, RunRowData> {
    const out = new Map<number, RunRowData>();
    if (!pks.length) return out;
    const runPks = JSON.stringify(pks);
    for (const r of this.q.runsByPks.all(runPks)) out.set(r.run_pk, toRowData(r));
    const min = new Set(columns.metricMin ?? []);
    const max = new Set(columns.metricMax ?? []);
    const metricKeys = [...new Set([...columns.metrics, ...min, ...max])];
    const latest = new Set(columns.metrics);
    if (metricKeys.length) {
      for (const [pk, key, value, isNan, lo, hi] of this.q.latestMetrics.all({
        run_pks: runPks,
        keys: JSON.stringify(metricKeys),
      })) {
        const row = out.get(pk);
        if (!row) continue;
        if (latest.has(key)) row.metrics[key] = encodeMetric(value, isNan);
        if (min.has(key) && lo !== null) (row.metricMin ??= {})[key] = encodeMetric(lo, 0);
        if (max.has(key) && hi !== null) (row.metricMax ??= {})[key] = encodeMetric(hi, 0);
      }
    }
    if (columns.params.length) {
      for (const [pk, key, value] of this.q.params.all({ run_pks: runPks, keys: JSON.stringify(columns.params) })) {
        const row = out.get(pk);
        if (row) row.params[key] = value;
      }
    }
    if (columns.tags.length) {
      for (const [pk, key, value] of this.q.tags.all({ run_pks: runPks, keys: JSON.stringify(columns.tags) })) {
        const row = out.get(pk);
        if (row) row.tags[key] = value;
      }
    }
    return out;
  }
}

function toRowData(r: UiRunRow): RunRowData {
  return {
    runId: r.run_uuid,
    experimentId: String(r.experiment_id),
    name: r.name,
    status: r.status as RunStatus,
    startTime: r.start_time,
    endTime: r.end_time,
    userId: r.user_id,
    lifecycleStage: r.lifecycle_stage,
    source: r.source,
    gitCommit: r.git_commit,
    parentRunId: r.parent_run_id,
    metrics: {},
    params: {},
    tags: {},
  };
}

/** JSON has no NaN/Infinity: they travel as strings (as in MLflow's own JSON). */
export function encodeMetric(value: number, isNan: number): MetricValue {
  if (isNan) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}
