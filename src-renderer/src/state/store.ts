import { create } from 'zustand';
import type {
  ConnectionState,
  ExperimentKeys,
  ExperimentSummary,
  RunRowData,
  ServerInfo,
  SortSpec,
} from '@contract/ui-api';
import { ApiError, getApi } from '../api/client';

/**
 * App state (zustand). The runs table never holds all runs: it keeps one window of rows around
 * the visible range and asks the main process for another window as the user scrolls, sorts or
 * when the live stream says the selected experiment changed.
 */

/** Windows start on multiples of PAGE and reach MARGIN rows beyond the visible range. */
const PAGE = 100;
const MARGIN = 100;
/** Until the column chooser exists (issue 4), show at most this many metric/param columns. */
export const MAX_KEYS_PER_KIND = 200;
const SELECTED_KEY = 'runlens.selectedExperiment';

export interface RunsState {
  experimentId: string | null;
  keys: ExperimentKeys | null;
  /** Columns requested from the server (a capped subset of `keys`). */
  columns: { metrics: string[]; params: string[] };
  total: number;
  offset: number;
  rows: RunRowData[];
  sort: SortSpec[];
  /** MLflow filter expression applied in the main process ('' = all runs). */
  filter: string;
  /** The server's message when `filter` does not parse. */
  filterError: string | null;
  /** 'loading' until the first window of the selected experiment arrives. */
  status: 'idle' | 'loading' | 'ready';
  /** Runs that arrived through the live stream in the latest refresh (briefly highlighted). */
  fresh: ReadonlySet<string>;
}

export interface AppState {
  info: ServerInfo | null;
  experiments: ExperimentSummary[];
  experimentsLoaded: boolean;
  selectedId: string | null;
  runs: RunsState;
  connection: ConnectionState;
  error: string | null;
  /** Connects to the server: loads info and experiments, subscribes to live changes. */
  start(): () => void;
  selectExperiment(id: string): void;
  setSort(sort: SortSpec[]): void;
  setFilter(filter: string): void;
  /** The table reports which row indexes are on screen; missing rows are fetched. */
  showRange(first: number, last: number): void;
}

const emptyRuns = (experimentId: string | null): RunsState => ({
  experimentId,
  keys: null,
  columns: { metrics: [], params: [] },
  total: 0,
  offset: 0,
  rows: [],
  sort: [],
  filter: '',
  filterError: null,
  status: experimentId ? 'loading' : 'idle',
  fresh: new Set(),
});

function describe(err: unknown): string {
  if (err instanceof ApiError && err.status === 403) {
    return 'This page is from an earlier Runlens session. Reload to reconnect.';
  }
  if (err instanceof TypeError) return 'Cannot reach the Runlens server. Is it still running?';
  return err instanceof Error ? err.message : String(err);
}

function storedSelection(): string | null {
  try {
    return localStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

/** The experiment to open first: the remembered one, else the one with the latest run. */
function defaultSelection(list: ExperimentSummary[]): string | null {
  const stored = storedSelection();
  if (stored && list.some((e) => e.experimentId === stored)) return stored;
  const withRuns = list.filter((e) => e.runCount > 0);
  withRuns.sort((a, b) => (b.lastRunStartTime ?? 0) - (a.lastRunStartTime ?? 0));
  return withRuns[0]?.experimentId ?? list[0]?.experimentId ?? null;
}

/** Runs `task` now, or once more after the running one finishes (coalescing bursts of calls). */
function serialized(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

export const useApp = create<AppState>()((set, get) => {
  const api = getApi();
  let visible = { first: 0, last: 40 };
  let windowSeq = 0;
  let keysSeq = 0;
  /** Run ids already shown for the selected experiment (to tell live arrivals apart). */
  let seen = new Set<string>();

  const fail = (err: unknown): void => set({ error: describe(err) });

  async function loadWindow(force: boolean, live = false): Promise<void> {
    const runs = get().runs;
    const id = runs.experimentId;
    if (!id || !runs.keys) return;
    const last = Math.min(visible.last, Math.max(runs.total - 1, visible.first));
    const covered = runs.status === 'ready' && runs.offset <= visible.first && runs.offset + runs.rows.length > last;
    if (covered && !force) return;
    const offset = Math.max(0, Math.floor((visible.first - MARGIN) / PAGE) * PAGE);
    const end = Math.ceil((visible.last + 1 + MARGIN) / PAGE) * PAGE;
    const seq = ++windowSeq;
    let result;
    try {
      result = await api.runsWindow({
        experimentIds: [id],
        offset,
        limit: end - offset,
        columns: { metrics: runs.columns.metrics, params: runs.columns.params, tags: [] },
        sort: runs.sort,
        filter: runs.filter,
      });
    } catch (err) {
      const now = get().runs;
      if (seq !== windowSeq || now.experimentId !== id) return;
      // A filter that does not parse is the user's to fix, shown beside the filter box.
      if (err instanceof ApiError && err.status === 400 && now.filter) {
        set({ runs: { ...now, filterError: err.message, status: 'ready' } });
        return;
      }
      throw err;
    }
    const now = get().runs;
    if (seq !== windowSeq || now.experimentId !== id) return; // superseded
    const fresh = new Set<string>();
    for (const r of result.rows) {
      if (live && now.status === 'ready' && !seen.has(r.runId)) fresh.add(r.runId);
      seen.add(r.runId);
    }
    set({
      runs: {
        ...now,
        total: result.total,
        offset: result.offset,
        rows: result.rows,
        status: 'ready',
        fresh,
        filterError: null,
      },
      error: null,
    });
  }

  async function loadKeys(): Promise<void> {
    const id = get().runs.experimentId;
    if (!id) return;
    const seq = ++keysSeq;
    const keys = await api.experimentKeys([id]);
    const now = get().runs;
    if (seq !== keysSeq || now.experimentId !== id) return;
    const same =
      now.keys &&
      now.keys.metrics.join('\0') === keys.metrics.join('\0') &&
      now.keys.params.join('\0') === keys.params.join('\0');
    if (same) return;
    set({
      runs: {
        ...now,
        keys,
        columns: { metrics: keys.metrics.slice(0, MAX_KEYS_PER_KIND), params: keys.params.slice(0, MAX_KEYS_PER_KIND) },
      },
    });
  }

  const refreshRuns = serialized(async () => {
    try {
      await loadKeys();
      await loadWindow(true, true);
    } catch (err) {
      fail(err);
    }
  });

  const refreshExperiments = serialized(async () => {
    try {
      const experiments = await api.listExperiments();
      set({ experiments, experimentsLoaded: true, error: null });
      const selected = get().selectedId;
      if (!selected || !experiments.some((e) => e.experimentId === selected)) {
        const next = defaultSelection(experiments);
        if (next) get().selectExperiment(next);
      }
    } catch (err) {
      fail(err);
    }
  });

  return {
    info: null,
    experiments: [],
    experimentsLoaded: false,
    selectedId: null,
    runs: emptyRuns(null),
    connection: 'connecting',
    error: null,

    start() {
      api.serverInfo().then((info) => set({ info }), fail);
      void refreshExperiments();
      return api.subscribe({
        onHello: () => {
          void refreshExperiments();
          void refreshRuns();
        },
        onChange: (event) => {
          void refreshExperiments();
          const id = get().runs.experimentId;
          if (id && (event.experimentIds.includes(id) || event.experimentsChanged)) void refreshRuns();
        },
        onState: (connection) => set({ connection }),
      });
    },

    selectExperiment(id) {
      if (get().selectedId === id) return;
      try {
        localStorage.setItem(SELECTED_KEY, id);
      } catch {
        // storage may be unavailable (private mode); selection just isn't remembered
      }
      visible = { first: 0, last: 40 };
      seen = new Set();
      set({ selectedId: id, runs: emptyRuns(id) });
      void refreshRuns();
    },

    setSort(sort) {
      set({ runs: { ...get().runs, sort } });
      loadWindow(true).catch(fail);
    },

    setFilter(filter) {
      if (filter === get().runs.filter) return;
      set({ runs: { ...get().runs, filter } });
      loadWindow(true).catch(fail);
    },

    showRange(first, last) {
      visible = { first, last };
      loadWindow(false).catch(fail);
    },
  };
});
