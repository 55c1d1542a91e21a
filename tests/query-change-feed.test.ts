import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../src-main/query/change-feed';
import type { StoreChange } from '../src-main/store/tracking-store';
import type { ChangeEvent } from '../src-main/contract/ui-api';

/** A minimal change source standing in for the TrackingStore's onChange. */
function source() {
  const listeners = new Set<(c: StoreChange) => void>();
  return {
    onChange(l: (c: StoreChange) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(c: StoreChange) {
      for (const l of listeners) l(c);
    },
    get count() {
      return listeners.size;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ChangeFeed', () => {
  it('coalesces a burst of writes into one event per interval', async () => {
    const src = source();
    const feed = new ChangeFeed(src, { intervalMs: 40 });
    const events: ChangeEvent[] = [];
    feed.subscribe((e) => events.push(e));
    for (let i = 0; i < 50; i++) src.emit({ kind: 'run', experimentId: String(i % 2), runId: `r${i % 5}` });
    src.emit({ kind: 'experiment', experimentId: '7' });
    await sleep(80);
    expect(events).toHaveLength(1);
    expect(new Set(events[0]!.experimentIds)).toEqual(new Set(['0', '1', '7']));
    expect(events[0]!.runIds.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(events[0]!.experimentsChanged).toBe(true);
    src.emit({ kind: 'run', experimentId: '1', runId: 'late' });
    await sleep(80);
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({ experimentIds: ['1'], runIds: ['late'], manyRuns: false, experimentsChanged: false });
    feed.close();
    expect(src.count).toBe(0);
  });

  it('keeps delivering during a steady stream of writes (throttle, not debounce)', async () => {
    const src = source();
    const feed = new ChangeFeed(src, { intervalMs: 30 });
    let events = 0;
    feed.subscribe(() => events++);
    const until = Date.now() + 200;
    while (Date.now() < until) {
      src.emit({ kind: 'run', experimentId: '1', runId: 'r' });
      await sleep(5);
    }
    await sleep(40);
    expect(events).toBeGreaterThanOrEqual(3);
    feed.close();
  });

  it('says manyRuns instead of listing thousands of run ids', async () => {
    const src = source();
    const feed = new ChangeFeed(src, { intervalMs: 20, maxRunIds: 10 });
    const events: ChangeEvent[] = [];
    feed.subscribe((e) => events.push(e));
    for (let i = 0; i < 50; i++) src.emit({ kind: 'run', experimentId: '1', runId: `r${i}` });
    await sleep(50);
    expect(events[0]).toMatchObject({ runIds: [], manyRuns: true, experimentIds: ['1'] });
    feed.close();
  });

  it('records nothing while nobody listens, and survives a throwing listener', async () => {
    const src = source();
    const feed = new ChangeFeed(src, { intervalMs: 20 });
    src.emit({ kind: 'run', experimentId: '1', runId: 'unseen' });
    const got: ChangeEvent[] = [];
    feed.subscribe(() => {
      throw new Error('closed socket');
    });
    feed.subscribe((e) => got.push(e));
    await sleep(40);
    expect(got).toHaveLength(0);
    src.emit({ kind: 'run', experimentId: '2', runId: 'seen' });
    await sleep(40);
    expect(got.map((e) => e.runIds)).toEqual([['seen']]);
    feed.close();
  });
});
