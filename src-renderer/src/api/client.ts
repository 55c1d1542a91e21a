import {
  BRIDGE_GLOBAL,
  UI_API_PREFIX,
  UI_ENDPOINTS,
  UI_TOKEN_HEADER,
  UI_TOKEN_META,
  UI_TOKEN_QUERY,
  type ChangeEvent,
  type ConnectionState,
  type ExperimentKeys,
  type ExperimentSummary,
  type LifecycleFilter,
  type RunlensApi,
  type RunsWindow,
  type RunsWindowRequest,
  type ServerInfo,
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

  async function call<T>(endpoint: { method: string; path: string }, body?: unknown): Promise<T> {
    const init: RequestInit = { method: endpoint.method, headers: { [UI_TOKEN_HEADER]: token }, cache: 'no-store' };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const res = await fetch(url(endpoint.path), init);
    const text = await res.text();
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
    runsWindow: (request: RunsWindowRequest) => call<RunsWindow>(UI_ENDPOINTS.runsWindow, request),
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
