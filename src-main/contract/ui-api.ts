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
  runsWindow: { method: 'POST', path: '/runs-window' },
  events: { method: 'GET', path: '/events' },
} as const;

/** Limits the server enforces (the client stays under them). */
export const UI_LIMITS = {
  maxWindowRows: 5000,
  maxColumnsPerKind: 5000,
  maxExperimentIds: 500,
  maxSortTerms: 10,
  maxFilterLength: 20_000,
} as const;

// ------------------------------------------------------------------------------------ values

/** Metric values as JSON can carry them: IEEE specials travel as strings. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
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
}

/** Column keys present in the runs of the given experiments (sorted by key). */
export interface ExperimentKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

// ------------------------------------------------------------------------------------ windows

export const ATTRIBUTE_COLUMNS = ['name', 'status', 'start_time', 'end_time', 'duration', 'user_id'] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];

export type ColumnRef =
  | { kind: 'attribute'; key: AttributeColumn }
  | { kind: 'metric'; key: string }
  | { kind: 'param'; key: string }
  | { kind: 'tag'; key: string };

/**
 * One sort term. Rows missing the value sort last in both directions; params and tags holding
 * numbers sort as numbers (before non-numeric strings). Ties fall back to start time (newest
 * first) and run id, so windows are stable.
 */
export interface SortSpec {
  column: ColumnRef;
  desc: boolean;
}

export interface RunsWindowRequest {
  experimentIds: string[];
  /** Row offset into the sorted result. */
  offset: number;
  limit: number;
  /** Only these columns are fetched (attributes always come). */
  columns: { metrics: string[]; params: string[]; tags: string[] };
  /** Empty means newest first by start time. */
  sort: SortSpec[];
  /** Default 'active'. */
  lifecycle?: LifecycleFilter;
  /**
   * MLflow search filter (`metrics.acc > 0.9 and params.model = 'rf'`), parsed by the same code as
   * `runs/search`; a bad filter is a 400 INVALID_PARAMETER_VALUE with MLflow's message.
   */
  filter?: string;
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
  /** Latest value of each requested metric that the run has. */
  metrics: Record<string, MetricValue>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface RunsWindow {
  /** Number of runs matching the request (all windows). */
  total: number;
  offset: number;
  rows: RunRowData[];
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

/** Request/response part: implemented by the server's query layer and by the renderer's client. */
export interface RunlensQueries {
  listExperiments(): Promise<ExperimentSummary[]>;
  experimentKeys(experimentIds: string[], lifecycle?: LifecycleFilter): Promise<ExperimentKeys>;
  runsWindow(request: RunsWindowRequest): Promise<RunsWindow>;
}

/** The renderer's whole API surface (the client module implements it). */
export interface RunlensApi extends RunlensQueries {
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
