import {
  IMPORT_API_PREFIX,
  IMPORT_ENDPOINTS,
  type GetImportResponse,
  type ImportListItem,
  type ImportProgress,
  type ImportReport,
  type InspectResponse,
  type StartImportResponse,
  type StartUploadResponse,
} from '@contract/import-api';

/**
 * The import feature's client for the routes in `src-main/importers/import-routes.ts` (same
 * origin, MLflow's `/ajax-api/2.0` namespace). Errors carry the server's `{error_code, message}`.
 */

export class ImportApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ImportApiError';
  }
}

type Endpoint = { readonly method: string; readonly path: string };

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text().catch(() => '');
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text.slice(0, 500) };
  }
  if (!res.ok) {
    const err = body as { message?: string; error_code?: string };
    throw new ImportApiError(err.message || `HTTP ${res.status}`, res.status, err.error_code ?? 'UNKNOWN');
  }
  return body as T;
}

async function call<T>(endpoint: Endpoint, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  let url = IMPORT_API_PREFIX + endpoint.path;
  const init: RequestInit = { method: endpoint.method, cache: 'no-store', signal };
  if (endpoint.method === 'GET') {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.append(k, String(v));
    const qs = q.toString();
    if (qs) url += `?${qs}`;
  } else {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = JSON.stringify(params);
  }
  return parse<T>(await fetch(url, init));
}

export const importApi = {
  inspect: (paths: string[]) => call<InspectResponse>(IMPORT_ENDPOINTS.inspect, { paths }),
  start: (paths: string[], copyArtifacts: boolean) =>
    call<StartImportResponse>(IMPORT_ENDPOINTS.start, { paths, copy_artifacts: copyArtifacts }),
  get: (importId: string) => call<GetImportResponse>(IMPORT_ENDPOINTS.get, { import_id: importId }),
  cancel: (importId: string) => call<object>(IMPORT_ENDPOINTS.cancel, { import_id: importId }),
  report: async (importId: string) =>
    (await call<{ report: ImportReport }>(IMPORT_ENDPOINTS.report, { import_id: importId })).report,
  list: async () => (await call<{ imports?: ImportListItem[] }>(IMPORT_ENDPOINTS.list)).imports ?? [],

  createUpload: async () => (await call<{ upload_id: string }>(IMPORT_ENDPOINTS.uploadCreate)).upload_id,
  /** Streams one file's bytes (the browser reads it from disk as it sends). */
  async uploadFile(uploadId: string, path: string, file: Blob, signal?: AbortSignal): Promise<number> {
    const q = new URLSearchParams({ upload_id: uploadId, path });
    const res = await fetch(`${IMPORT_API_PREFIX}${IMPORT_ENDPOINTS.uploadFile.path}?${q.toString()}`, {
      method: IMPORT_ENDPOINTS.uploadFile.method,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file,
      cache: 'no-store',
      signal,
    });
    return (await parse<{ size: number }>(res)).size;
  },
  startUpload: (uploadId: string) => call<StartUploadResponse>(IMPORT_ENDPOINTS.uploadStart, { upload_id: uploadId }),
  discardUpload: (uploadId: string) => call<object>(IMPORT_ENDPOINTS.uploadDiscard, { upload_id: uploadId }),

  /**
   * Follows an import: `progress` events, then its report. Server-sent events while the stream
   * lives; if the stream is refused or lost for good, polls `get` until the import has ended.
   * Returns the stop function.
   */
  watch(
    importId: string,
    on: { progress(p: ImportProgress): void; done(r: ImportReport): void; lost(message: string): void },
  ): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const source = new EventSource(
      `${IMPORT_API_PREFIX}${IMPORT_ENDPOINTS.events.path}?${new URLSearchParams({ import_id: importId }).toString()}`,
    );
    const finish = (r: ImportReport): void => {
      if (stopped) return;
      stop();
      on.done(r);
    };
    const poll = async (): Promise<void> => {
      if (stopped) return;
      try {
        const r = await importApi.get(importId);
        if (r.progress) on.progress(r.progress);
        if (r.report && r.status !== 'running') return finish(r.report);
      } catch (err) {
        if (err instanceof ImportApiError && err.status === 404) {
          stop();
          on.lost('The server no longer knows this import (was Runlens restarted?).');
          return;
        }
        // Server unreachable for a moment: keep trying.
      }
      if (!stopped) timer = setTimeout(() => void poll(), 700);
    };
    source.addEventListener('progress', (e) => {
      try {
        on.progress(JSON.parse((e as MessageEvent<string>).data) as ImportProgress);
      } catch {
        // A malformed event is dropped; the next one carries the whole state again.
      }
    });
    source.addEventListener('done', (e) => {
      try {
        finish(JSON.parse((e as MessageEvent<string>).data) as ImportReport);
      } catch {
        void poll();
      }
    });
    source.addEventListener('error', () => {
      // CLOSED: the stream was refused (404) and EventSource will not retry; poll instead.
      if (source.readyState === EventSource.CLOSED && !stopped && timer === null) void poll();
    });
    function stop(): void {
      stopped = true;
      source.close();
      if (timer) clearTimeout(timer);
    }
    return stop;
  },
};
