import {
  BRIDGE_GLOBAL,
  UI_API_PREFIX,
  UI_ENDPOINTS,
  UI_TOKEN_HEADER,
  UI_TOKEN_META,
  UI_TOKEN_QUERY,
  type ChangeEvent,
  type ColumnSet,
  type ConnectionState,
  type ExperimentKeys,
  type ExperimentSummary,
  type ExportRequest,
  type FilterCheck,
  type KeyValuesRequest,
  type LifecycleFilter,
  type RunDetail,
  type RunlensApi,
  type RunsQuery,
  type RunsWindow,
  type RunsWindowRequest,
  type ServerInfo,
  type TagEdit,
} from '@contract/ui-api';

/**
 * The renderer's only way to the data: `RunlensApi` over HTTP (fetch + EventSource) against the
 * local server that served this page. Identical in the Electron window and in a browser tab.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The launch token: from the Electron preload when present, else the `<meta>` tag of index.html. */
export function readLaunchToken(): string {
  const bridged = (window as unknown as Record<string, { token?: unknown } | undefined>)[BRIDGE_GLOBAL]?.token;
  if (typeof bridged === 'string' && bridged) return bridged;
  return document.querySelector<HTMLMetaElement>(`meta[name="${UI_TOKEN_META}"]`)?.content ?? '';
}

export interface HttpApiOptions {
  token: string;
  /** Origin of the server; defaults to the page's own (relative URLs). */
  baseUrl?: string;
}

export function createHttpApi({ token, baseUrl = '' }: HttpApiOptions): RunlensApi {
  const url = (path: string): string => `${baseUrl}${UI_API_PREFIX}${path}`;

  async function call<T>(endpoint: { method: string; path: string }, body?: unknown, raw = false): Promise<T> {
    const init: RequestInit = { method: endpoint.method, headers: { [UI_TOKEN_HEADER]: token }, cache: 'no-store' };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const res = await fetch(url(endpoint.path), init);
    const text = await res.text();
    if (raw && res.ok) return text as T;
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text };
    }
    if (!res.ok) {
      const err = parsed as { message?: string; error_code?: string };
      throw new ApiError(err.message ?? `HTTP ${res.status}`, res.status, err.error_code ?? 'UNKNOWN');
    }
    return parsed as T;
  }

  return {
    serverInfo: () => call<ServerInfo>(UI_ENDPOINTS.serverInfo),
    listExperiments: async () =>
      (await call<{ experiments: ExperimentSummary[] }>(UI_ENDPOINTS.listExperiments)).experiments,
    experimentKeys: (experimentIds: string[], lifecycle?: LifecycleFilter) =>
      call<ExperimentKeys>(UI_ENDPOINTS.experimentKeys, { experimentIds, lifecycle }),
    keyValues: async (request: KeyValuesRequest) =>
      (await call<{ values: string[] }>(UI_ENDPOINTS.keyValues, request)).values,
    checkFilter: (filter: string) => call<FilterCheck>(UI_ENDPOINTS.checkFilter, { filter }),
    runsWindow: (request: RunsWindowRequest) => call<RunsWindow>(UI_ENDPOINTS.runsWindow, request),
    runIds: async (query: RunsQuery) => (await call<{ runIds: string[] }>(UI_ENDPOINTS.runIds, query)).runIds,
    differingColumns: (query: RunsQuery, columns: ColumnSet) =>
      call<ColumnSet>(UI_ENDPOINTS.differingColumns, { query, columns }),
    exportRuns: (request: ExportRequest) => call<string>(UI_ENDPOINTS.exportRuns, request, true),
    runDetail: (runId: string) => call<RunDetail>(UI_ENDPOINTS.runDetail, { runId }),
    updateExperiment: async (request: { experimentId: string; name?: string; description?: string }) => {
      await call(UI_ENDPOINTS.updateExperiment, request);
    },
    setExperimentDeleted: async (request: { experimentId: string; deleted: boolean }) => {
      await call(UI_ENDPOINTS.setExperimentDeleted, request);
    },
    setRunsDeleted: (request: { runIds: string[]; deleted: boolean }) =>
      call<{ changed: number }>(UI_ENDPOINTS.setRunsDeleted, request),
    editRunTags: (request: TagEdit) => call<{ changed: number }>(UI_ENDPOINTS.editRunTags, request),
    getUiState: async <T>(key: string) => (await call<{ value: T | null }>(UI_ENDPOINTS.getUiState, { key })).value,
    putUiState: async (key: string, value: unknown) => {
      await call(UI_ENDPOINTS.putUiState, { key, value });
    },
    subscribe({ onChange, onHello, onState }) {
      const source = new EventSource(`${url(UI_ENDPOINTS.events.path)}?${UI_TOKEN_QUERY}=${encodeURIComponent(token)}`);
      const state = (s: ConnectionState): void => onState?.(s);
      state('connecting');
      source.addEventListener('open', () => state('open'));
      source.addEventListener('error', () =>
        state(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'),
      );
      source.addEventListener('hello', () => onHello?.());
      source.addEventListener('change', (e) => {
        try {
          onChange(JSON.parse((e as MessageEvent<string>).data) as ChangeEvent);
        } catch {
          // A malformed event is dropped; the next one (or a reconnect) resynchronizes.
        }
      });
      return () => {
        source.close();
        state('closed');
      };
    },
  };
}

let singleton: RunlensApi | null = null;

/** The app-wide client (created on first use with the page's launch token). */
export function getApi(): RunlensApi {
  singleton ??= createHttpApi({ token: readLaunchToken() });
  return singleton;
}
