import { receiveMessageOnPort, type MessagePort, type TransferListItem } from 'node:worker_threads';
import type { SourceItem } from './source-items';

/**
 * Moves SourceItems from a reader thread to the writer thread. Parsing files and inserting rows
 * then run on two cores at once (the import's two halves cost about the same). The writer's loop
 * is synchronous (better-sqlite3), so it pulls with `receiveMessageOnPort` and sleeps on a shared
 * counter instead of waiting for 'message' events. Point columns travel as transferred buffers.
 *
 * Flow control keeps memory flat: the reader stops while more than MAX_POINTS_IN_FLIGHT points
 * are posted but not yet consumed.
 */

export const CH_POSTED = 0; // batches posted by the reader
export const CH_POINTS_IN_FLIGHT = 1; // points posted minus points consumed
export const CH_READER_DONE = 2; // 1 when the reader finished (or failed)
export const CH_STOP = 3; // 1 when the writer wants the reader to stop
export const CHANNEL_INTS = 4;

const MAX_POINTS_IN_FLIGHT = 600_000;
const BATCH_POINTS = 65_536;
const BATCH_ITEMS = 256;

export type ChannelMessage = { items: SourceItem[] } | { error: string };

/** Reader side: posts the items in batches; returns when done or asked to stop. */
export function pipeItems(
  items: Iterable<SourceItem>,
  port: MessagePort,
  flags: Int32Array,
  onIdle?: () => void,
): void {
  let batch: SourceItem[] = [];
  let transfer: TransferListItem[] = [];
  let points = 0;
  const flush = (): void => {
    if (!batch.length) return;
    Atomics.add(flags, CH_POINTS_IN_FLIGHT, points);
    port.postMessage({ items: batch } satisfies ChannelMessage, transfer);
    Atomics.add(flags, CH_POSTED, 1);
    Atomics.notify(flags, CH_POSTED);
    batch = [];
    transfer = [];
    points = 0;
  };
  try {
    for (const item of items) {
      if (Atomics.load(flags, CH_STOP)) break;
      batch.push(item);
      if (item.kind === 'points') {
        points += item.points.n;
        const p = item.points;
        for (const arr of [p.steps, p.timestamps, p.values]) {
          const buf = arr.buffer as ArrayBuffer;
          if (!transfer.includes(buf)) transfer.push(buf);
        }
      }
      if (points >= BATCH_POINTS || batch.length >= BATCH_ITEMS) {
        flush();
        // Back-pressure: wait for the writer to catch up.
        while (Atomics.load(flags, CH_POINTS_IN_FLIGHT) > MAX_POINTS_IN_FLIGHT && !Atomics.load(flags, CH_STOP)) {
          onIdle?.();
          Atomics.wait(flags, CH_POINTS_IN_FLIGHT, Atomics.load(flags, CH_POINTS_IN_FLIGHT), 20);
        }
      }
    }
    flush();
  } catch (err) {
    flush();
    port.postMessage({ error: String((err as Error)?.stack ?? err) } satisfies ChannelMessage);
    Atomics.add(flags, CH_POSTED, 1);
  } finally {
    Atomics.store(flags, CH_READER_DONE, 1);
    Atomics.notify(flags, CH_POSTED);
  }
}

/**
 * Writer side: yields the reader's items in order. Returns when the reader is done and the port
 * drained; throws if the reader failed or stalls for `stallMs`. `onWait` runs before each wait.
 */
export function* receiveItems(
  port: MessagePort,
  flags: Int32Array,
  onWait?: () => void,
  stallMs = 120_000,
): Generator<SourceItem> {
  let idleSince = Date.now();
  for (;;) {
    // Read the counter before polling: a post landing in between then wakes the wait at once.
    const seen = Atomics.load(flags, CH_POSTED);
    const done = Atomics.load(flags, CH_READER_DONE);
    const got = receiveMessageOnPort(port);
    if (got) {
      idleSince = Date.now();
      const msg = got.message as ChannelMessage;
      if ('error' in msg) throw new Error(`source reader failed: ${msg.error}`);
      for (const item of msg.items) {
        if (item.kind === 'points') {
          Atomics.sub(flags, CH_POINTS_IN_FLIGHT, item.points.n);
          Atomics.notify(flags, CH_POINTS_IN_FLIGHT);
        }
        yield item;
      }
      continue;
    }
    // Everything the reader posted before setting "done" is already queued on the port.
    if (done) return;
    if (Date.now() - idleSince > stallMs) throw new Error('source reader stalled');
    // Nothing to write until the reader posts more: release the write lock meanwhile.
    onWait?.();
    Atomics.wait(flags, CH_POSTED, seen, 50);
  }
}
