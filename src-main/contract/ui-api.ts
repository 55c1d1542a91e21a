/**
 * The one typed contract between the renderer and the main process's UI query layer.
 *
 * Both shells serve the same HTTP API from the local server, so the renderer has ONE client
 * (`src-renderer/src/api/client.ts`) that implements `RunlensApi` over fetch + EventSource; the
 * server (`src-main/query/`) implements `RunlensQueries` and the routes in `UI_ENDPOINTS`.
 *
 * Transport:
 * - Every endpoint lives under `UI_API_PREFIX` (`/runlens-api/v1`), outside MLflow's `/api/2.0`
 *   namespace, so MLflow clients never see it and it can evolve with the UI.
 * - Every request must carry the per-launch secret: header `x-runlens-token` (fetch), or the
 *   `token` query parameter for the event stream (EventSource cannot set headers). A request
 *   without it gets 403. The served index.html carries the token in
 *   `<meta name="runlens-token">`; in Electron the preload also exposes it (`RunlensBridge`).
 * - POST bodies are JSON (`Content-Type: application/json`); responses are JSON. Errors use
 *   MLflow's JSON error shape `{ error_code, message }` with a 4xx status for client mistakes.
 * - Live updates: `GET /runlens-api/v1/events` is a Server-Sent Events stream. Event `hello` on
 *   connect (and on every reconnect: the client refetches what it shows), event `change` with a
 *   `ChangeEvent` at most every ~200 ms while writes arrive, and comment pings to keep it open.
 *
 * This file is imported by the renderer (browser) and the main process (Node): no imports of
 * Node or DOM APIs here, only types and constants.
 */

export const UI_API_PREFIX = '/runlens-api/v1';
export const UI_TOKEN_HEADER = 'x-runlens-token';
export const UI_TOKEN_QUERY = 'token';
export const UI_TOKEN_META = 'runlens-token';
/** Electron passes the token to the preload as `--runlens-token=<token>` in `process.argv`. */
export const UI_TOKEN_ARG_PREFIX = '--runlens-token=';

/** Route table shared by server and client (paths relative to `UI_API_PREFIX`). */
export const UI_ENDPOINTS = {
  serverInfo: { method: 'GET', path: '/server-info' },
  listExperiments: { method: 'GET', path: '/experiments' },
  experimentKeys: { method: 'POST', path: '/experiment-keys' },
  keyValues: { method: 'POST', path: '/key-values' },
  checkFilter: { method: 'POST', path: '/check-filter' },
  runsWindow: { method: 'POST', path: '/runs-window' },
  runIds: { method: 'POST', path: '/run-ids' },
  differingColumns: { method: 'POST', path: '/differing-columns' },
  exportRuns: { method: 'POST', path: '/export' },
  runDetail: { method: 'POST', path: '/run-detail' },
  updateExperiment: { method: 'POST', path: '/experiments/update' },
  setExperimentDeleted: { method: 'POST', path: '/experiments/lifecycle' },
  setRunsDeleted: { method: 'POST', path: '/runs/lifecycle' },
  editRunTags: { method: 'POST', path: '/runs/tags' },
  getUiState: { method: 'POST', path: '/ui-state/get' },
  putUiState: { method: 'POST', path: '/ui-state/put' },
  events: { method: 'GET', path: '/events' },
} as const;

/** Limits the server enforces (the client stays under them). */
export const UI_LIMITS = {
  maxWindowRows: 5000,
  maxColumnsPerKind: 5000,
  maxExperimentIds: 500,
  maxSortTerms: 10,
  maxGroupBy: 5,
  maxFilterLength: 20_000,
  /** Run-id lists (pinned, hidden, expanded, selection for bulk actions). */
  maxRunIds: 200_000,
  maxUiStateBytes: 2_000_000,
  /** "Only columns that differ" looks at up to this many runs of the view (its first ones). */
  maxDiffRuns: 20_000,
} as const;

/** The tag MLflow's UI keeps an experiment's or a run's markdown description in. */
export const NOTE_TAG = 'mlflow.note.content';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';
export const SOURCE_NAME_TAG = 'mlflow.source.name';
export const GIT_COMMIT_TAG = 'mlflow.source.git.commit';

// ------------------------------------------------------------------------------------ values

/** Metric values as JSON can carry them: IEEE specials travel as strings. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
export type LifecycleStage = 'active' | 'deleted';
export type LifecycleFilter = LifecycleStage | 'all';

export interface ServerInfo {
  version: string;
  /** What a script sets as MLFLOW_TRACKING_URI to log here, e.g. http://127.0.0.1:5000. */
  trackingUri: string;
  dataDir: string;
  shell: 'serve' | 'electron';
}

export interface ExperimentSummary {
  experimentId: string;
  name: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  /** Active (not deleted) runs. */
  runCount: number;
  /** Latest start_time among its runs, null when it has none. */
  lastRunStartTime: number | null;
  /** Markdown from the `mlflow.note.content` experiment tag ('' when none). */
  description: string;
}

/** Column keys present in the runs of the given experiments (sorted by key). */
export interface ExperimentKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

// ------------------------------------------------------------------------------------ columns

export const ATTRIBUTE_COLUMNS = [
  'name',
  'run_id',
  'experiment_id',
  'status',
  'user_id',
  'start_time',
  'end_time',
  'duration',
  'source',
  'git_commit',
] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];

/** Which value of a metric series a column shows. */
export type MetricAggregate = 'latest' | 'min' | 'max';

export type ColumnRef =
  | { kind: 'attribute'; key: AttributeColumn }
  | { kind: 'metric'; key: string; agg?: MetricAggregate }
  | { kind: 'param'; key: string }
  | { kind: 'tag'; key: string };

/** Columns fetched for each row (attributes always come). */
export interface ColumnSet {
  metrics: string[];
  /** Metrics whose min / max over the series are wanted too. */
  metricMin?: string[];
  metricMax?: string[];
  params: string[];
  tags: string[];
}

/**
 * One sort term. Rows missing the value sort last in both directions; params and tags holding
 * numbers sort as numbers (before non-numeric strings). Ties fall back to start time (newest
 * first) and run id, so windows are stable.
 */
export interface SortSpec {
  column: ColumnRef;
  desc: boolean;
}

// ------------------------------------------------------------------------------------ queries

/** Which runs a view shows and how they are laid out (everything but the window and columns). */
export interface RunsQuery {
  experimentIds: string[];
  /** Default 'active'. */
  lifecycle?: LifecycleFilter;
  /**
   * MLflow search filter (`metrics.acc > 0.9 and params.model = 'rf'`), parsed by the same code as
   * `runs/search`; a bad filter is a 400 INVALID_PARAMETER_VALUE with MLflow's message.
   */
  filter?: string;
  /** Case-insensitive substring of the run name ('' = any). */
  search?: string;
  /** Only runs in one of these statuses (empty/absent = any). */
  statuses?: RunStatus[];
  /** Start time range, epoch ms, inclusive (null/absent = open). */
  startedAfter?: number | null;
  startedBefore?: number | null;
  /** Empty means newest first by start time. */
  sort: SortSpec[];
  /** Runs shown first, in this order, whatever the sort and filter (those in the experiments). */
  pinned?: string[];
  /** Runs left out of the view. */
  hidden?: string[];
  /** Only these runs (e.g. the compare view); absent = no restriction. */
  runIds?: string[];
  /** Nested runs (tag `mlflow.parentRunId`) listed under their parent, collapsed unless expanded. */
  tree?: boolean;
  /** Parent runs whose children are shown (tree mode). */
  expanded?: string[];
  /** Group runs by these params/tags/attributes (status, user_id, source, git_commit); several = composite key. */
  groupBy?: ColumnRef[];
  /** Metric keys aggregated per group (count, mean, min, max, std of the latest values). */
  aggregates?: string[];
  /** Groups start collapsed (true) or expanded (false, default); `toggledGroups` flips single groups. */
  groupsCollapsed?: boolean;
  toggledGroups?: string[];
}

export interface RunsWindowRequest extends RunsQuery {
  /** Item offset into the laid-out view (group headers count as items). */
  offset: number;
  limit: number;
  /** Only these columns are fetched (attributes always come). */
  columns: ColumnSet;
}

export interface RunRowData {
  runId: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  userId: string;
  lifecycleStage: LifecycleStage;
  /** Tag `mlflow.source.name`, `mlflow.source.git.commit`, `mlflow.parentRunId` (null when absent). */
  source: string | null;
  gitCommit: string | null;
  parentRunId: string | null;
  /** Latest value of each requested metric that the run has. */
  metrics: Record<string, MetricValue>;
  metricMin?: Record<string, MetricValue>;
  metricMax?: Record<string, MetricValue>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface RunItem {
  type: 'run';
  run: RunRowData;
  /** Nesting depth in tree mode (0 = top level). */
  depth: number;
  /** Child runs in the view (tree mode); 0 when none. */
  childCount: number;
  expanded: boolean;
  pinned: boolean;
}

export interface MetricAggregates {
  /** Runs of the group having a (non-NaN) value. */
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  std: number | null;
}

export interface GroupItem {
  type: 'group';
  /** Stable identity of the group (JSON of its values), for collapsing. */
  key: string;
  /** One value per `groupBy` column (null = runs without it). */
  values: (string | null)[];
  count: number;
  collapsed: boolean;
  aggregates: Record<string, MetricAggregates>;
}

export type RowItem = RunItem | GroupItem;

export interface RunsWindow {
  /** Items in the whole view (all windows). */
  total: number;
  /** Runs matching (without group headers). */
  runCount: number;
  offset: number;
  items: RowItem[];
}

export interface KeyValuesRequest {
  experimentIds: string[];
  kind: 'param' | 'tag' | 'attribute';
  key: string;
  /** Values starting with this ('' = any). */
  prefix?: string;
  limit?: number;
}

export type FilterCheck =
  | { ok: true }
  | {
      ok: false;
      message: string;
      /** Character range of the offending part of the filter text (end exclusive). */
      start: number;
      end: number;
    };

export type ExportFormat = 'csv' | 'tsv' | 'json';

export interface ExportRequest {
  query: RunsQuery;
  /** The view's columns, in display order. */
  columns: ColumnRef[];
  format: ExportFormat;
}

export interface RunDetail {
  run: RunRowData;
  experimentName: string;
  artifactUri: string;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  metrics: {
    key: string;
    value: MetricValue;
    step: number;
    timestamp: number;
    min: MetricValue | null;
    max: MetricValue | null;
    count: number;
  }[];
  /** Direct children (nested runs). */
  children: { runId: string; name: string; status: RunStatus }[];
}

export interface TagEdit {
  runIds: string[];
  set?: { key: string; value: string }[];
  remove?: string[];
}

// ------------------------------------------------------------------------------------ live

/** What changed since the previous event (coalesced over ~200 ms). */
export interface ChangeEvent {
  /** Experiments whose runs (or the experiment itself) changed. */
  experimentIds: string[];
  /** Runs that changed; empty with `manyRuns` set when too many to list. */
  runIds: string[];
  manyRuns: boolean;
  /** An experiment was created, renamed, deleted or restored: the list should be refetched. */
  experimentsChanged: boolean;
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

// ------------------------------------------------------------------------------------ APIs

/** The read side: implemented by the server's query layer (in a worker) and by the renderer's client. */
export interface RunlensQueries {
  listExperiments(): Promise<ExperimentSummary[]>;
  experimentKeys(experimentIds: string[], lifecycle?: LifecycleFilter): Promise<ExperimentKeys>;
  keyValues(request: KeyValuesRequest): Promise<string[]>;
  checkFilter(filter: string): Promise<FilterCheck>;
  runsWindow(request: RunsWindowRequest): Promise<RunsWindow>;
  /** Every run id of the view, in view order (for "select all" and bulk actions). */
  runIds(query: RunsQuery): Promise<string[]>;
  /** The given columns whose values differ across the view's runs (or that some lack). */
  differingColumns(query: RunsQuery, columns: ColumnSet): Promise<ColumnSet>;
  exportRuns(request: ExportRequest): Promise<string>;
  runDetail(runId: string): Promise<RunDetail>;
}

/** Writes the UI makes (through the main process's single writer). */
export interface RunlensWrites {
  updateExperiment(request: { experimentId: string; name?: string; description?: string }): Promise<void>;
  setExperimentDeleted(request: { experimentId: string; deleted: boolean }): Promise<void>;
  setRunsDeleted(request: { runIds: string[]; deleted: boolean }): Promise<{ changed: number }>;
  editRunTags(request: TagEdit): Promise<{ changed: number }>;
  /** Persistent UI state (view settings per experiment, run colors), kept in the data dir. */
  getUiState<T = unknown>(key: string): Promise<T | null>;
  putUiState(key: string, value: unknown): Promise<void>;
}

/** The renderer's whole API surface (the client module implements it). */
export interface RunlensApi extends RunlensQueries, RunlensWrites {
  serverInfo(): Promise<ServerInfo>;
  /**
   * Live changes. `onHello` fires on every (re)connection: state may have changed while
   * disconnected, so the UI refetches what it shows.
   */
  subscribe(handlers: {
    onChange: (event: ChangeEvent) => void;
    onHello?: () => void;
    onState?: (state: ConnectionState) => void;
  }): () => void;
}

// ------------------------------------------------------------------------------------ Electron

/** Key on `window` under which the Electron preload exposes `RunlensBridge`. */
export const BRIDGE_GLOBAL = 'runlens';
export const IPC_OPEN_EXTERNAL = 'runlens:open-external';

/**
 * What the sandboxed preload exposes (via contextBridge) in the Electron shell. In serve mode
 * it is absent; the renderer reads the token from the `<meta>` tag instead.
 */
export interface RunlensBridge {
  readonly shell: 'electron';
  readonly token: string;
  /** Opens an allow-listed https URL in the system browser; resolves false when refused. */
  openExternal(url: string): Promise<boolean>;
}
