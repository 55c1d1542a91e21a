import { create } from 'zustand';
import { getApi } from '../../api/client';

/**
 * Colors users give runs. Kept once for the whole data dir (`ui_state` key `run-colors`), so a
 * run keeps its color in every view and chart that reads `useRunColors`.
 */
export const RUN_PALETTE = [
  '#4f46e5',
  '#0ea5e9',
  '#10b981',
  '#84cc16',
  '#f59e0b',
  '#ef4444',
  '#ec4899',
  '#8b5cf6',
  '#64748b',
] as const;

interface RunColorsState {
  colors: Record<string, string>;
  loaded: boolean;
  load(): Promise<void>;
  setColor(runIds: Iterable<string>, color: string | null): void;
}

const KEY = 'run-colors';

export const useRunColors = create<RunColorsState>()((set, get) => ({
  colors: {},
  loaded: false,
  async load() {
    if (get().loaded) return;
    const stored = await getApi()
      .getUiState<Record<string, string>>(KEY)
      .catch(() => null);
    set({ colors: { ...(stored ?? {}), ...get().colors }, loaded: true });
  },
  setColor(runIds, color) {
    const colors = { ...get().colors };
    for (const id of runIds) {
      if (color) colors[id] = color;
      else delete colors[id];
    }
    set({ colors });
    getApi()
      .putUiState(KEY, colors)
      .catch(() => {});
  },
}));
