import type { ChangeEvent } from '../contract/ui-api';
import type { StoreChange } from '../store/tracking-store';

/** Anything that reports committed writes (the TrackingStore). */
export interface ChangeSource {
  onChange(listener: (change: StoreChange) => void): () => void;
}

export interface ChangeFeedOptions {
  /** Coalescing interval: at most one event per interval while writes arrive. */
  intervalMs?: number;
  /** Above this many changed runs, the event says `manyRuns` instead of listing them. */
  maxRunIds?: number;
}

/**
 * Turns the store's per-write notifications into coalesced `ChangeEvent`s for live views.
 * The first write after a quiet period schedules a flush `intervalMs` later; writes in between
 * are merged in. So a run logged while the page is open shows up within ~intervalMs, and a
 * training loop logging thousands of points per second still produces ≤ 1000/intervalMs events.
 * (Throttle rather than trailing debounce: a steady stream of writes must not starve the UI.)
 */
export class ChangeFeed {
  private readonly intervalMs: number;
  private readonly maxRunIds: number;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | null = null;
  private experiments = new Set<string>();
  private runs = new Set<string>();
  private manyRuns = false;
  private experimentsChanged = false;

  constructor(source: ChangeSource, options: ChangeFeedOptions = {}) {
    this.intervalMs = options.intervalMs ?? 200;
    this.maxRunIds = options.maxRunIds ?? 500;
    this.unsubscribe = source.onChange((c) => this.record(c));
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private record(change: StoreChange): void {
    if (this.listeners.size === 0) return; // nobody is watching: nothing to coalesce
    this.experiments.add(change.experimentId);
    if (change.kind === 'experiment') this.experimentsChanged = true;
    else if (!this.manyRuns) {
      this.runs.add(change.runId);
      if (this.runs.size > this.maxRunIds) {
        this.manyRuns = true;
        this.runs.clear();
      }
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  private flush(): void {
    this.timer = null;
    const event: ChangeEvent = {
      experimentIds: [...this.experiments],
      runIds: [...this.runs],
      manyRuns: this.manyRuns,
      experimentsChanged: this.experimentsChanged,
    };
    this.experiments = new Set();
    this.runs = new Set();
    this.manyRuns = false;
    this.experimentsChanged = false;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // One broken subscriber (a closed socket) must not starve the others.
      }
    }
  }
}
