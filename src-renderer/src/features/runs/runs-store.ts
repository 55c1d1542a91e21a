import { create } from 'zustand';
import type { ColumnSet, ExperimentKeys, RowItem, RunItem, RunsQuery } from '@contract/ui-api';
import { ApiError, getApi } from '../../api/client';
import { describeError, onLive, serialized, useApp } from '../../state/app-store';
import { autoColumns, columnRef, columnSet, type ColumnId } from './columns-model';
import { TIME_PRESETS, defaultSettings, queryOf, restoreSettings, scopeKey, type ViewSettings } from './view-settings';

/**
 * The runs view of one experiment (or several): its settings, the windows of rows loaded around
 * the viewport, selection and cursor. The table never holds all runs: rows live in pages of
 * PAGE items fetched from the main process as they scroll into view; a live change refetches
 * the pages on screen in place (scroll position, selection and open editors stay as they are).
 */

export const PAGE = 100;
/** Pages kept beyond the visible range, in each direction. */
const MARGIN_ROWS = 60;
/** Data columns fetched before the grid says which are in view (and at most when it cannot tell). */
const FIRST_COLUMNS = 40;
const MAX_AGGREGATES = 30;
/** Live refreshes cheaper than this follow each other at once (the change feed already coalesces). */
const LIVE_PACING_MIN_MS = 150;

export interface FilterError {
  message: string;
  start: number;
  end: number;
}

export interface RunsState {
  experimentIds: string[];
  key: string;
  /** Settings come from the data dir; nothing is fetched before they are known. */
  settingsLoaded: boolean;
  settings: ViewSettings;
  /** Start of the time window (fixed when chosen, so live runs keep arriving). */
  since: number | null;
  keys: ExperimentKeys | null;
  total: number;
  runCount: number;
  pages: ReadonlyMap<number, RowItem[]>;
  /**
   * The data columns (metrics, params, tags) each page was fetched with: only the columns in and
   * near the viewport travel, so a page may lack one that scrolled in (drawn as a placeholder
   * until it is fetched). Attributes always come.
   */
  pageColumns: ReadonlyMap<number, ReadonlySet<ColumnId>>;
  status: 'idle' | 'loading' | 'ready';
  loadError: string | null;
  filterError: FilterError | null;
  /** Columns whose values differ across the view (when "only columns that differ" is on). */
  differing: Required<ColumnSet> | null;
  selection: ReadonlySet<string>;
  anchor: number | null;
  cursor: number;
  /** Runs that appeared through the live stream in the latest refresh (briefly highlighted). */
  fresh: ReadonlySet<string>;
  /** Bumped when the view changes so the table scrolls back to the top. */
  scrollReset: number;
  /** Rows that arrived above the viewport in the latest live refresh: the table scrolls by them. */
  scrollShift: { seq: number; rows: number };
  /** A column just added: the table scrolls sideways to show it. */
  revealColumn: ColumnId | null;
  reveal(id: ColumnId | null): void;

  open(experimentIds: string[]): void;
  close(): void;
  update(patch: Partial<ViewSettings>, options?: { keepScroll?: boolean; columnsOnly?: boolean }): void;
  setFilter(filter: string): Promise<void>;
  showRange(first: number, last: number): void;
  /** The columns in and around the viewport (pinned ones included), in display order. */
  showColumns(ids: ColumnId[]): void;
  itemAt(index: number): RowItem | undefined;
  query(): RunsQuery;
  columns(): ColumnId[];
  displayedColumns(): ColumnId[];
  refresh(): void;

  setCursor(index: number): void;
  selectOnly(index: number): void;
  toggleSelect(index: number): void;
  selectRange(index: number, additive?: boolean): Promise<void>;
  selectAll(): Promise<void>;
  clearSelection(): void;
  setSelection(ids: Iterable<string>): void;
  toggleGroup(key: string): void;
  toggleExpanded(runId: string): void;
}

const EMPTY_PAGES: ReadonlyMap<number, RowItem[]> = new Map();
const NO_PAGE_COLUMNS: ReadonlyMap<number, ReadonlySet<ColumnId>> = new Map();

/** Metric, param and tag columns: fetched per window (attributes always come). */
export const isDataColumn = (id: ColumnId): boolean => /^(m|mmin|mmax|p|t):/.test(id);
const covers = (have: ReadonlySet<ColumnId> | undefined, want: readonly ColumnId[]): boolean =>
  have !== undefined && want.every((id) => have.has(id));

export const useRuns = create<RunsState>()((set, get) => {
  const api = getApi();
  let visible = { first: 0, last: 40 };
  /** Data columns the grid shows or is about to (null until it says: the first ones). */
  let wantedColumns: ColumnId[] | null = null;
  /** Bumped on every change of what the view shows; responses for an older one are dropped. */
  let gen = 0;
  let seen = new Set<string>();
  /**
   * Whether `seen` holds the current view's rows: after the view changes (another filter,
   * lifecycle…) its first load, live or not, only records them — they are not "new arrivals".
   */
  let primed = false;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  let diffTimer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribeLive: (() => void) | null = null;

  const fail = (err: unknown): void => set({ loadError: describeError(err) });

  function aggregates(): string[] {
    return get()
      .columns()
      .flatMap((id) => {
        const ref = columnRef(id);
        return ref?.kind === 'metric' && !ref.agg ? [ref.key] : [];
      })
      .slice(0, MAX_AGGREGATES);
  }

  /** The data columns to fetch: those near the viewport, never ones the view does not show. */
  function fetchColumns(): ColumnId[] {
    const shown = get().displayedColumns().filter(isDataColumn);
    if (!wantedColumns) {
      const pinned = new Set(get().settings.pinnedColumns);
      return [
        ...shown.filter((id) => pinned.has(id)),
        ...shown.filter((id) => !pinned.has(id)).slice(0, FIRST_COLUMNS),
      ];
    }
    const inView = new Set(shown);
    return wantedColumns.filter((id) => inView.has(id));
  }

  function neededPages(total: number | null): [number, number] {
    const first = Math.max(0, visible.first - MARGIN_ROWS);
    let last = visible.last + MARGIN_ROWS;
    if (total !== null) last = Math.min(last, Math.max(0, total - 1));
    return [Math.floor(first / PAGE), Math.floor(last / PAGE)];
  }

  /**
   * Fetches the pages around the viewport that are missing (or all of them when `force`):
   * one request for the contiguous range. Responses for a superseded view are dropped.
   */
  async function loadPages(force: boolean, live = false): Promise<void> {
    const s = get();
    if (!s.settingsLoaded || !s.experimentIds.length) return;
    const myGen = gen;
    const known = s.status === 'ready' && !force ? s.total : null;
    const [p0, p1] = neededPages(known);
    const ids = fetchColumns();
    const missing: number[] = [];
    for (let p = p0; p <= p1; p++) {
      if (force || !s.pages.has(p) || !covers(s.pageColumns.get(p), ids)) missing.push(p);
    }
    if (!missing.length) return;
    const from = missing[0]!;
    const to = Math.min(missing[missing.length - 1]!, from + 49);
    let result;
    try {
      result = await api.runsWindow({
        ...s.query(),
        offset: from * PAGE,
        limit: (to - from + 1) * PAGE,
        columns: columnSet(ids),
      });
    } catch (err) {
      if (myGen !== gen) return;
      if (err instanceof ApiError && err.status === 400 && s.settings.filter) {
        // A filter that does not parse: shown under the filter box (the check says where).
        const check = await api.checkFilter(s.settings.filter).catch(() => null);
        if (myGen !== gen) return;
        set({
          filterError:
            check && !check.ok
              ? { message: check.message, start: check.start, end: check.end }
              : { message: err.message, start: 0, end: s.settings.filter.length },
          status: 'ready',
          total: 0,
          runCount: 0,
          pages: EMPTY_PAGES,
          pageColumns: NO_PAGE_COLUMNS,
        });
        return;
      }
      throw err;
    }
    if (myGen !== gen) return;
    const now = get();
    // A forced load (new view, live change) replaces every page: others are refetched on scroll.
    const pages = new Map(force ? [] : now.pages);
    const pageColumns = new Map(force ? [] : now.pageColumns);
    const fetched: ReadonlySet<ColumnId> = new Set(ids);
    for (let p = from; p <= to; p++) {
      const items = result.items.slice((p - from) * PAGE, (p - from + 1) * PAGE);
      if (items.length || p * PAGE < result.total) {
        pages.set(p, items);
        pageColumns.set(p, fetched);
      }
    }
    const fresh = new Set<string>();
    for (const item of result.items) {
      if (item.type !== 'run') continue;
      if (live && primed && now.status === 'ready' && !seen.has(item.run.runId)) fresh.add(item.run.runId);
      seen.add(item.run.runId);
    }
    // New runs landing above a scrolled viewport push its rows down: scroll by as many rows so
    // the runs on screen stay where they were (at the very top, arrivals simply show). Only
    // arrivals count: a run moving because its live metric re-sorted it is not followed.
    let shift = 0;
    // At most 8 rows are rendered above the viewport (none but one during a fling): a row on screen.
    const anchorAt = visible.first + 8;
    const anchorItem = now.pages.get(Math.floor(anchorAt / PAGE))?.[anchorAt % PAGE];
    const added = result.total - now.total;
    if (live && added > 0 && visible.first > 0 && anchorItem?.type === 'run') {
      const id = anchorItem.run.runId;
      const i = result.items.findIndex((it) => it.type === 'run' && it.run.runId === id);
      const moved = i >= 0 ? from * PAGE + i - anchorAt : 0;
      if (moved > 0 && moved <= added) shift = moved;
    }
    primed = true;
    set({
      pages,
      pageColumns,
      total: result.total,
      runCount: result.runCount,
      status: 'ready',
      loadError: null,
      filterError: null,
      fresh: live ? fresh : now.fresh,
      ...(shift
        ? {
            scrollShift: { seq: now.scrollShift.seq + 1, rows: shift },
            cursor: now.cursor + shift,
            anchor: now.anchor === null ? null : now.anchor + shift,
          }
        : {}),
    });
    // The viewport may have moved (down or sideways) while this was in flight.
    const [q0, q1] = neededPages(result.total);
    const want = fetchColumns();
    for (let p = q0; p <= q1; p++) if (!pages.has(p) || !covers(pageColumns.get(p), want)) return void loadMissing();
  }

  const loadMissing = serialized(async () => {
    try {
      await loadPages(false);
    } catch (err) {
      fail(err);
    }
  });

  const reload = serialized(async () => {
    try {
      await loadPages(true);
    } catch (err) {
      fail(err);
    }
  });

  async function loadKeys(): Promise<void> {
    const { experimentIds, key } = get();
    if (!experimentIds.length) return;
    const keys = await api.experimentKeys(experimentIds, get().settings.lifecycle === 'deleted' ? 'all' : 'active');
    if (get().key !== key) return;
    const prev = get().keys;
    const same =
      prev &&
      prev.metrics.join('\0') === keys.metrics.join('\0') &&
      prev.params.join('\0') === keys.params.join('\0') &&
      prev.tags.join('\0') === keys.tags.join('\0');
    if (same) return;
    const autoBefore = get().settings.columns === null ? get().columns().join('\0') : null;
    set({ keys });
    // New keys can add automatic columns: fetch them for the rows on screen.
    if (autoBefore !== null && get().status === 'ready' && autoBefore !== get().columns().join('\0')) {
      gen++; // responses fetched with the old columns must not land after this one
      await loadPages(true, true);
    }
  }

  const liveRefresh = serialized(async () => {
    const started = performance.now();
    try {
      await loadKeys();
      await loadPages(true, true);
      scheduleDiff(1500);
    } catch (err) {
      fail(err);
    }
    // A live refresh costs what the view costs: a grouped view of 100,000 runs re-aggregates every
    // run. Waiting as long again before the next one (changes arriving meanwhile coalesce into it)
    // keeps a training loop that streams metrics from holding the query worker busy all the time.
    const spent = performance.now() - started;
    if (spent > LIVE_PACING_MIN_MS) await new Promise((resolve) => setTimeout(resolve, spent));
  });

  function scheduleDiff(delay: number): void {
    if (diffTimer) clearTimeout(diffTimer);
    if (!get().settings.onlyDiffering) {
      if (get().differing) set({ differing: null });
      return;
    }
    diffTimer = setTimeout(() => {
      const s = get();
      const myKey = s.key;
      api.differingColumns(s.query(), columnSet(s.columns())).then(
        (d) => {
          if (get().key === myKey) set({ differing: d as Required<ColumnSet> });
        },
        () => {},
      );
    }, delay);
  }

  function persist(): void {
    if (saveTimer) clearTimeout(saveTimer);
    const { key, settings } = get();
    saveTimer = setTimeout(() => {
      api.putUiState(`view:${key}`, settings).catch(() => {});
    }, 400);
  }

  function sinceOf(s: ViewSettings): number | null {
    if (s.time === 'custom') return s.timeFrom || null;
    const preset = TIME_PRESETS.find((t) => t.id === s.time);
    return preset && preset.ms ? Date.now() - preset.ms : null;
  }

  function runIdsBetween(a: number, b: number): string[] {
    const out: string[] = [];
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
      const item = get().itemAt(i);
      if (item?.type === 'run') out.push(item.run.runId);
    }
    return out;
  }

  return {
    experimentIds: [],
    key: '',
    settingsLoaded: false,
    settings: defaultSettings(),
    since: null,
    keys: null,
    total: 0,
    runCount: 0,
    pages: EMPTY_PAGES,
    pageColumns: NO_PAGE_COLUMNS,
    status: 'idle',
    loadError: null,
    filterError: null,
    differing: null,
    selection: new Set(),
    anchor: null,
    cursor: 0,
    fresh: new Set(),
    scrollReset: 0,
    scrollShift: { seq: 0, rows: 0 },
    revealColumn: null,

    reveal(id) {
      set({ revealColumn: id });
    },

    open(experimentIds) {
      const key = scopeKey(experimentIds);
      if (key === get().key && get().experimentIds.length) return;
      gen++;
      seen = new Set();
      primed = false;
      visible = { first: 0, last: 40 };
      wantedColumns = null;
      set({
        experimentIds: [...experimentIds],
        key,
        settingsLoaded: false,
        settings: defaultSettings(),
        keys: null,
        total: 0,
        runCount: 0,
        pages: EMPTY_PAGES,
        pageColumns: NO_PAGE_COLUMNS,
        status: experimentIds.length ? 'loading' : 'idle',
        loadError: null,
        filterError: null,
        differing: null,
        selection: new Set(),
        anchor: null,
        cursor: 0,
        fresh: new Set(),
        scrollReset: get().scrollReset + 1,
      });
      unsubscribeLive ??= onLive({
        change: (event) => {
          const ids = get().experimentIds;
          if (event.experimentsChanged || event.experimentIds.some((id) => ids.includes(id))) void liveRefresh();
        },
        // A (re)connection may have missed changes; the first load, still in flight, will not.
        hello: () => {
          if (get().status !== 'loading') void liveRefresh();
        },
      });
      if (!experimentIds.length) return;
      const myGen = gen;
      void (async () => {
        const stored = await api.getUiState<ViewSettings>(`view:${key}`).catch(() => null);
        if (myGen !== gen) return;
        const settings = restoreSettings(stored);
        set({ settings, since: sinceOf(settings), settingsLoaded: true });
        try {
          // Keys first: automatic columns depend on them, and the first window fetches those.
          await loadKeys();
          await loadPages(true);
          scheduleDiff(0);
        } catch (err) {
          fail(err);
        }
      })();
    },

    close() {
      gen++;
      set({ experimentIds: [], key: '', status: 'idle', pages: EMPTY_PAGES, pageColumns: NO_PAGE_COLUMNS });
    },

    update(patch, options = {}) {
      const prev = get().settings;
      const settings = { ...prev, ...patch };
      const timeChanged =
        (patch.time !== undefined && patch.time !== prev.time) ||
        (patch.timeFrom !== undefined && patch.timeFrom !== prev.timeFrom);
      set({ settings, since: timeChanged ? sinceOf(settings) : get().since });
      persist();
      if (patch.onlyDiffering !== undefined || patch.columns !== undefined || patch.filter !== undefined)
        scheduleDiff(0);
      if (patch.lifecycle !== undefined && patch.lifecycle !== prev.lifecycle) void loadKeys().catch(fail);
      const layoutKeys: (keyof ViewSettings)[] = [
        'filter',
        'search',
        'statuses',
        'time',
        'timeFrom',
        'timeTo',
        'lifecycle',
        'sort',
        'groupBy',
        'groupsCollapsed',
        'toggledGroups',
        'tree',
        'expanded',
        'pinnedRuns',
        'hiddenRuns',
        'showHidden',
      ];
      const changesLayout = layoutKeys.some((k) => k in patch && patch[k] !== prev[k]);
      const changesColumns = 'columns' in patch && patch.columns !== prev.columns;
      if (!changesLayout && !changesColumns) return;
      gen++;
      if (changesLayout) primed = false;
      if (changesLayout && !options.keepScroll) set({ scrollReset: get().scrollReset + 1, cursor: 0 });
      void reload();
    },

    async setFilter(filter) {
      const text = filter.trim();
      if (text === get().settings.filter && !get().filterError) return;
      if (text) {
        const check = await api.checkFilter(text).catch(() => null);
        if (check && !check.ok) {
          set({ filterError: { message: check.message, start: check.start, end: check.end } });
          return;
        }
      }
      set({ filterError: null });
      get().update({ filter: text });
    },

    showRange(first, last) {
      visible = { first, last };
      void loadMissing();
    },

    showColumns(ids) {
      const next = ids.filter(isDataColumn);
      if (wantedColumns && next.join('\0') === wantedColumns.join('\0')) return;
      wantedColumns = next;
      void loadMissing();
    },

    itemAt(index) {
      const page = get().pages.get(Math.floor(index / PAGE));
      return page?.[index % PAGE];
    },

    query() {
      const s = get();
      return queryOf(s.experimentIds, s.settings, s.since, aggregates());
    },

    columns() {
      const s = get();
      return s.settings.columns ?? autoColumns(s.keys, s.experimentIds.length > 1);
    },

    displayedColumns() {
      const s = get();
      const all = s.columns();
      const d = s.differing;
      if (!s.settings.onlyDiffering || !d) return all;
      const keep = new Set([
        ...d.metrics.map((k) => `m:${k}`),
        ...d.metricMin.map((k) => `mmin:${k}`),
        ...d.metricMax.map((k) => `mmax:${k}`),
        ...d.params.map((k) => `p:${k}`),
        ...d.tags.map((k) => `t:${k}`),
      ]);
      return all.filter((id) => id.startsWith('a:') || keep.has(id));
    },

    refresh() {
      void liveRefresh();
    },

    setCursor(index) {
      set({ cursor: Math.max(0, Math.min(index, get().total - 1)) });
    },

    selectOnly(index) {
      const item = get().itemAt(index);
      set({
        cursor: index,
        anchor: index,
        selection: item?.type === 'run' ? new Set([item.run.runId]) : new Set(),
      });
    },

    toggleSelect(index) {
      const item = get().itemAt(index);
      if (item?.type !== 'run') return;
      const selection = new Set(get().selection);
      if (selection.has(item.run.runId)) selection.delete(item.run.runId);
      else selection.add(item.run.runId);
      set({ selection, anchor: index, cursor: index });
    },

    async selectRange(index, additive = false) {
      const anchor = get().anchor ?? get().cursor;
      const lo = Math.min(anchor, index);
      const hi = Math.max(anchor, index);
      // Rows of the range not loaded yet (a long shift-click): fetch them, ids only.
      let missing = false;
      for (let i = lo; i <= hi && !missing; i += PAGE) if (!get().pages.has(Math.floor(i / PAGE))) missing = true;
      if (!get().pages.has(Math.floor(hi / PAGE))) missing = true;
      let ids: string[];
      if (missing) {
        const res = await api.runsWindow({
          ...get().query(),
          offset: lo,
          limit: Math.min(5000, hi - lo + 1),
          columns: { metrics: [], params: [], tags: [] },
        });
        ids = res.items.flatMap((i) => (i.type === 'run' ? [i.run.runId] : []));
      } else ids = runIdsBetween(lo, hi);
      const selection = new Set(additive ? get().selection : []);
      for (const id of ids) selection.add(id);
      set({ selection, cursor: index });
    },

    async selectAll() {
      try {
        const ids = await api.runIds(get().query());
        set({ selection: new Set(ids) });
      } catch (err) {
        useApp.getState().notify(describeError(err), 'error');
      }
    },

    clearSelection() {
      set({ selection: new Set(), anchor: null });
    },

    setSelection(ids) {
      set({ selection: new Set(ids) });
    },

    toggleGroup(key) {
      const toggled = new Set(get().settings.toggledGroups);
      if (toggled.has(key)) toggled.delete(key);
      else toggled.add(key);
      get().update({ toggledGroups: [...toggled] }, { keepScroll: true });
    },

    toggleExpanded(runId) {
      const expanded = new Set(get().settings.expanded);
      if (expanded.has(runId)) expanded.delete(runId);
      else expanded.add(runId);
      get().update({ expanded: [...expanded] }, { keepScroll: true });
    },
  };
});

export const isRun = (item: RowItem | undefined): item is RunItem => item?.type === 'run';
