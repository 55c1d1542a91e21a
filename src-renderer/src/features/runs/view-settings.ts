import type { ColumnRef, LifecycleFilter, RunStatus, RunsQuery, SortSpec } from '@contract/ui-api';
import type { ColumnId } from './columns-model';

/**
 * Everything a user sets up in a runs view, persisted per experiment (or per set of experiments)
 * in the data dir (`ui_state` table) so it survives restarts: filter, columns, sort, grouping,
 * widths, pinned/hidden runs.
 */
export type TimePreset = 'all' | '1h' | '24h' | '7d' | '30d' | 'custom';

export interface ViewSettings {
  v: 1;
  filter: string;
  search: string;
  statuses: RunStatus[];
  time: TimePreset;
  /** Start-time range when `time` is 'custom' (epoch ms, inclusive; 0 = open). */
  timeFrom: number;
  timeTo: number;
  lifecycle: LifecycleFilter;
  /** Chosen columns in order; null = automatic (every metric and param as keys appear). */
  columns: ColumnId[] | null;
  widths: Record<ColumnId, number>;
  pinnedColumns: ColumnId[];
  sort: SortSpec[];
  groupBy: ColumnRef[];
  groupsCollapsed: boolean;
  toggledGroups: string[];
  /** Which aggregate group rows show in metric columns. */
  groupStat: 'mean' | 'min' | 'max' | 'std' | 'count';
  tree: boolean;
  expanded: string[];
  pinnedRuns: string[];
  hiddenRuns: string[];
  showHidden: boolean;
  onlyDiffering: boolean;
}

export const defaultSettings = (): ViewSettings => ({
  v: 1,
  filter: '',
  search: '',
  statuses: [],
  time: 'all',
  timeFrom: 0,
  timeTo: 0,
  lifecycle: 'active',
  columns: null,
  widths: {},
  pinnedColumns: ['a:name'],
  sort: [],
  groupBy: [],
  groupsCollapsed: false,
  toggledGroups: [],
  groupStat: 'mean',
  tree: true,
  expanded: [],
  pinnedRuns: [],
  hiddenRuns: [],
  showHidden: false,
  onlyDiffering: false,
});

/** Stored settings merged over the defaults (older or partial records stay usable). */
export function restoreSettings(stored: unknown): ViewSettings {
  const base = defaultSettings();
  if (!stored || typeof stored !== 'object') return base;
  const s = stored as Partial<ViewSettings>;
  const out = { ...base } as Record<string, unknown>;
  for (const k of Object.keys(base) as (keyof ViewSettings)[]) {
    const v = s[k];
    if (v === undefined || v === null) {
      if (k === 'columns' && v === null) out.columns = null;
      continue;
    }
    if (typeof v === typeof base[k] || (k === 'columns' && Array.isArray(v))) out[k] = v;
  }
  return out as unknown as ViewSettings;
}

export const TIME_PRESETS: { id: TimePreset; label: string; ms: number }[] = [
  { id: 'all', label: 'Any time', ms: 0 },
  { id: '1h', label: 'Last hour', ms: 3600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
];

/** The server query for a view. `since` is the start of the time window, fixed when the view opens. */
export function queryOf(
  experimentIds: string[],
  s: ViewSettings,
  since: number | null,
  aggregates: string[],
): RunsQuery {
  return {
    experimentIds,
    lifecycle: s.lifecycle,
    filter: s.filter,
    search: s.search,
    statuses: s.statuses,
    startedAfter: since,
    startedBefore: s.time === 'custom' && s.timeTo ? s.timeTo : null,
    sort: s.sort,
    pinned: s.pinnedRuns,
    hidden: s.showHidden ? [] : s.hiddenRuns,
    tree: s.tree,
    expanded: s.expanded,
    groupBy: s.groupBy,
    aggregates: s.groupBy.length ? aggregates : [],
    groupsCollapsed: s.groupsCollapsed,
    toggledGroups: s.toggledGroups,
  };
}

export const scopeKey = (ids: readonly string[]): string => [...ids].sort((a, b) => Number(a) - Number(b)).join(',');
