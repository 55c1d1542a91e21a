import { create } from 'zustand';
import type { ChangeEvent, ConnectionState, ExperimentSummary, ServerInfo } from '@contract/ui-api';
import { ApiError, getApi } from '../api/client';

/**
 * App-wide state: server info, the experiment list, the live connection, and short notices.
 * Features subscribe to live changes through `onLive` (one EventSource for the whole app).
 */

export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

export interface AppState {
  info: ServerInfo | null;
  experiments: ExperimentSummary[];
  experimentsLoaded: boolean;
  connection: ConnectionState;
  error: string | null;
  toasts: Toast[];
  start(): () => void;
  refreshExperiments(): Promise<void>;
  notify(text: string, kind?: Toast['kind']): void;
  dismiss(id: number): void;
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError && err.status === 403) {
    return 'This page is from an earlier Runlens session. Reload to reconnect.';
  }
  if (err instanceof TypeError) return 'Cannot reach the Runlens server. Is it still running?';
  return err instanceof Error ? err.message : String(err);
}

type LiveListener = { change?: (e: ChangeEvent) => void; hello?: () => void };
const liveListeners = new Set<LiveListener>();

/** Subscribes to live changes (and reconnects: `hello`); returns the unsubscribe. */
export function onLive(listener: LiveListener): () => void {
  liveListeners.add(listener);
  return () => liveListeners.delete(listener);
}

/** Runs `task` now, or once more after the running one finishes (coalescing bursts of calls). */
export function serialized(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return async () => {
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
}

let toastId = 0;

export const useApp = create<AppState>()((set, get) => {
  const api = getApi();
  const refresh = serialized(async () => {
    try {
      const experiments = await api.listExperiments();
      set({ experiments, experimentsLoaded: true, error: null });
    } catch (err) {
      set({ error: describeError(err) });
    }
  });
  return {
    info: null,
    experiments: [],
    experimentsLoaded: false,
    connection: 'connecting',
    error: null,
    toasts: [],

    start() {
      api.serverInfo().then(
        (info) => set({ info }),
        (err: unknown) => set({ error: describeError(err) }),
      );
      void refresh();
      return api.subscribe({
        onHello: () => {
          void refresh();
          for (const l of liveListeners) l.hello?.();
        },
        onChange: (event) => {
          void refresh();
          for (const l of liveListeners) l.change?.(event);
        },
        onState: (connection) => set({ connection }),
      });
    },

    refreshExperiments: refresh,

    notify(text, kind = 'info') {
      const id = ++toastId;
      set({ toasts: [...get().toasts, { id, text, kind }].slice(-4) });
      setTimeout(() => get().dismiss(id), kind === 'error' ? 6000 : 2600);
    },

    dismiss(id) {
      set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
  };
});
