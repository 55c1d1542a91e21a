import { existsSync } from 'node:fs';
import { MessageChannel, Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sqliteOptions } from '../store/native-binding';
import type { MessagePort } from 'node:worker_threads';
import type { DetectedSource } from './detect-source';
import { readMlflowDb } from './mlflow-db-reader';
import { readMlruns } from './mlruns-reader';
import { CHANNEL_INTS, CH_STOP, pipeItems, receiveItems } from './source-channel';
import type { SourceItem } from './source-items';

/** An opened source: its items, how to release it, and whether it checkpoints the store's WAL. */
export interface OpenedSource {
  items: Iterable<SourceItem>;
  close(): void;
  /** True when the reader thread runs the WAL checkpoints (the writer then turns its own off). */
  checkpoints: boolean;
}

export const readSource = (src: Pick<DetectedSource, 'kind' | 'path'>): Generator<SourceItem> =>
  src.kind === 'mlruns' ? readMlruns(src.path) : readMlflowDb(src.path);

/** Reads in the calling thread (tests, and when no worker file is available). */
export function inlineSource(src: DetectedSource): OpenedSource {
  const items = readSource(src);
  return { items, close: () => void items.return(undefined), checkpoints: false };
}

export interface ReaderInput {
  role: 'reader';
  kind: DetectedSource['kind'];
  path: string;
  /** The Runlens store whose WAL the reader checkpoints while it waits for the writer. */
  dbPath: string | null;
  port: MessagePort;
  flags: SharedArrayBuffer;
}

/** Reads in a second thread running `workerFile` (import-worker.js, role "reader"). */
export function threadedSource(
  workerFile: string,
  src: DetectedSource,
  dbPath: string | null,
  onWait?: () => void,
): OpenedSource {
  if (!existsSync(workerFile)) return inlineSource(src);
  const { port1, port2 } = new MessageChannel();
  const flags = new Int32Array(new SharedArrayBuffer(CHANNEL_INTS * 4));
  const input: ReaderInput = {
    role: 'reader',
    kind: src.kind,
    path: src.path,
    dbPath,
    port: port2,
    flags: flags.buffer as SharedArrayBuffer,
  };
  const worker = new Worker(workerFile, { workerData: input, transferList: [port2] });
  return {
    items: receiveItems(port1, flags, onWait),
    close() {
      Atomics.store(flags, CH_STOP, 1);
      Atomics.notify(flags, 1);
      port1.close();
      void worker.terminate();
    },
    checkpoints: dbPath !== null,
  };
}

/**
 * Checkpoints run whenever the reader waits for the writer (free time) and at least this often
 * otherwise, so the WAL stays bounded when parsing is the slower half.
 */
const CHECKPOINT_IDLE_MS = 100;
const CHECKPOINT_MAX_INTERVAL_MS = 1500;

/** The reader thread's body: read, post, and checkpoint the store's WAL whenever idle. */
export function runReader(input: ReaderInput): void {
  const flags = new Int32Array(input.flags);
  let store: Database.Database | null = null;
  if (input.dbPath) {
    try {
      store = new Database(input.dbPath, sqliteOptions({ fileMustExist: true }));
      store.pragma('busy_timeout = 0');
    } catch {
      store = null;
    }
  }
  let last = Date.now();
  const checkpoint = (force: boolean, minInterval = CHECKPOINT_MAX_INTERVAL_MS): void => {
    if (!store || (!force && Date.now() - last < minInterval)) return;
    last = Date.now();
    try {
      // PASSIVE never blocks the writer; it copies what is committed so far into the db file.
      store.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy (another checkpoint running) is fine: the next one catches up.
    }
  };
  function* withCheckpoints(items: Iterable<SourceItem>): Generator<SourceItem> {
    for (const item of items) {
      yield item;
      checkpoint(false);
    }
  }
  try {
    pipeItems(withCheckpoints(readSource(input)), input.port, flags, () => checkpoint(false, CHECKPOINT_IDLE_MS));
  } finally {
    store?.close();
    input.port.close();
  }
}
