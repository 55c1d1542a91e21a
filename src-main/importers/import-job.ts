import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/db';
import { ImportEngine, type EngineOptions } from './import-engine';
import { threadedSource } from './threaded-source';
import { emptyCounts, type ImportOptions, type ImportProgress, type ImportReport } from './import-types';

/**
 * The import API for the shells and routes: `startImport()` runs the engine in a worker thread
 * with its own connection to the store file (WAL), so the main thread (REST port, UI) only ever
 * waits for one short import transaction. `runImportInProcess()` is the synchronous variant for
 * tests and the CLI.
 *
 * Sharing the write lock with REST writes: SQLite has no queue for writers, and a REST handler's
 * deferred transaction that has already read cannot wait for the lock (SQLite returns BUSY at once
 * when a reader tries to upgrade while another connection writes). So mutating REST requests ask
 * the import to pause first: the routes' onRequest hook counts them in a SharedArrayBuffer and
 * awaits (asynchronously, other requests keep flowing) until the worker reports it is paused
 * between two of its transactions; the worker stays paused until the count drops back to zero.
 * The wait is at most one import transaction (~50-150 ms) and is bounded in both directions.
 */

export interface StartImportOptions extends ImportOptions {
  /** The Runlens store file the worker opens (its own connection). */
  dbPath: string;
  /** Runlens data dir (artifact copies go to `<dataDir>/artifacts`). */
  dataDir?: string;
  /** Parse in a second worker while the first inserts (default true). */
  readerThread?: boolean;
}

export interface ImportJob {
  readonly id: string;
  readonly paths: readonly string[];
  /** Latest progress (also pushed to `onProgress` listeners). */
  readonly progress: ImportProgress;
  /** The report once finished, else null. */
  readonly report: ImportReport | null;
  onProgress(listener: (p: ImportProgress) => void): () => void;
  /** Stops after the current transaction; `done` then resolves with status `cancelled`. */
  cancel(): void;
  readonly done: Promise<ImportReport>;
}

/** Worker <-> main messages. */
export type WorkerMessage = { type: 'progress'; progress: ImportProgress } | { type: 'done'; report: ImportReport };

export interface WorkerInput {
  dbPath: string;
  dataDir: string | null;
  paths: string[];
  copyArtifacts: boolean;
  reportId: string;
  /** Int32: [0] cancel, [1] REST writes in flight, [2] worker idle, [3] worker finished. */
  flags: SharedArrayBuffer;
  /** This worker's own file, to start the source reader thread from (null: read inline). */
  workerFile: string | null;
}

export const FLAG_CANCEL = 0;
export const FLAG_REST_WRITES = 1;
/** 1 while the worker has no transaction open (initially: it has not started yet). */
export const FLAG_IDLE = 2;
/** 1 once the worker wrote its last transaction (before its 'done' message arrives). */
export const FLAG_FINISHED = 3;
const FLAG_INTS = 4;

/** The worker holds no lock: between transactions (and then held back by the count) or finished. */
const yielded = (f: Int32Array): boolean => Atomics.load(f, FLAG_IDLE) === 1 || Atomics.load(f, FLAG_FINISHED) === 1;

// ---------------------------------------------------------------- worker file

let workerFile: string | null = null;

/**
 * The built worker script (`import-worker.js`). The shell sets it when its bundle layout differs
 * from the default: next to this module's built file (electron-vite puts both in out/main/).
 */
export function setImportWorkerFile(path: string | null): void {
  workerFile = path;
}

export function importWorkerFile(): string {
  if (workerFile) return workerFile;
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  // This module may be bundled into out/main/ itself or into a shared chunk under out/main/chunks/.
  const candidates = [join(here, 'import-worker.js'), join(dirname(here), 'import-worker.js')];
  return candidates.find((f) => existsSync(f)) ?? candidates[0]!;
}

// ---------------------------------------------------------------- REST write gate

const activeFlags = new Set<Int32Array>();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Called by the routes' hook when a mutating REST request starts (pair with `restWriteEnded`):
 * resolves once no running import has a transaction open (or after `maxMs`); they then wait.
 */
export async function restWriteStarted(maxMs = 3000): Promise<void> {
  const waiting = [...activeFlags];
  for (const f of waiting) {
    Atomics.add(f, FLAG_REST_WRITES, 1);
    Atomics.notify(f, FLAG_REST_WRITES);
  }
  const deadline = Date.now() + maxMs;
  for (const f of waiting) {
    while (activeFlags.has(f) && !yielded(f) && Date.now() < deadline) await sleep(1);
  }
}

export function restWriteEnded(): void {
  for (const f of activeFlags) {
    if (Atomics.sub(f, FLAG_REST_WRITES, 1) <= 1) Atomics.store(f, FLAG_REST_WRITES, 0);
    Atomics.notify(f, FLAG_REST_WRITES);
  }
}

/**
 * For main-thread writes that do not come through a mutating REST route (IPC handlers, jobs):
 * pauses running imports, blocking this thread until they are paused (at most one import
 * transaction, bounded by `maxMs`), runs `fn`, then lets them go on.
 */
export function runWithImportsPaused<T>(fn: () => T, maxMs = 3000): T {
  if (activeFlags.size === 0) return fn();
  const waiting = [...activeFlags];
  for (const f of waiting) {
    Atomics.add(f, FLAG_REST_WRITES, 1);
    Atomics.notify(f, FLAG_REST_WRITES);
  }
  try {
    const deadline = Date.now() + maxMs;
    for (const f of waiting) {
      for (;;) {
        const left = deadline - Date.now();
        if (!activeFlags.has(f) || yielded(f) || left <= 0) break;
        Atomics.wait(f, FLAG_IDLE, 0, Math.min(left, 5));
      }
    }
    return fn();
  } finally {
    restWriteEnded();
  }
}

/**
 * In the worker, before each BEGIN. Dekker-style handshake with `restWriteStarted`: the worker
 * marks itself busy, then looks at the count; the main thread raises the count, then looks at
 * the busy mark. With sequentially consistent atomics one of them always sees the other, so a
 * REST write never runs while an import transaction is open. Held back at most `maxMs`.
 */
export function workerBeforeTransaction(flags: Int32Array, maxMs = 5000): void {
  const deadline = Date.now() + maxMs;
  for (;;) {
    Atomics.store(flags, FLAG_IDLE, 0);
    const pending = Atomics.load(flags, FLAG_REST_WRITES);
    if (pending <= 0 || Date.now() >= deadline || Atomics.load(flags, FLAG_CANCEL)) return;
    Atomics.store(flags, FLAG_IDLE, 1);
    Atomics.notify(flags, FLAG_IDLE);
    Atomics.wait(flags, FLAG_REST_WRITES, pending, Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/** In the worker, after each COMMIT/ROLLBACK. */
export function workerAfterTransaction(flags: Int32Array): void {
  Atomics.store(flags, FLAG_IDLE, 1);
  Atomics.notify(flags, FLAG_IDLE);
}

// ---------------------------------------------------------------- jobs

const initialProgress = (): ImportProgress => ({
  phase: 'queued',
  source: null,
  current: null,
  experimentsDone: 0,
  experimentsTotal: 0,
  runsDone: 0,
  runsTotal: 0,
  metricPointsDone: 0,
  metricPointsTotal: 0,
  issues: 0,
  elapsedMs: 0,
});

function failedReport(id: string, paths: string[], message: string, startedAt: number): ImportReport {
  const now = Date.now();
  return {
    id,
    status: 'failed',
    paths,
    sources: [],
    startedAt,
    finishedAt: now,
    durationMs: now - startedAt,
    counts: emptyCounts(),
    experiments: [],
    issues: [],
    issueCount: 0,
    error: message,
  };
}

/** Starts an import in a worker thread. */
export function startImport(options: StartImportOptions): ImportJob {
  const id = randomUUID().replace(/-/g, '');
  const paths = [...options.paths];
  const startedAt = Date.now();
  const flags = new Int32Array(new SharedArrayBuffer(FLAG_INTS * 4));
  Atomics.store(flags, FLAG_IDLE, 1);
  const listeners = new Set<(p: ImportProgress) => void>();
  let progress = initialProgress();
  let report: ImportReport | null = null;

  const file = importWorkerFile();
  const input: WorkerInput = {
    dbPath: options.dbPath,
    dataDir: options.dataDir ?? null,
    paths,
    copyArtifacts: options.copyArtifacts ?? false,
    reportId: id,
    flags: flags.buffer as SharedArrayBuffer,
    workerFile: options.readerThread === false ? null : file,
  };
  const publish = (p: ImportProgress): void => {
    progress = p;
    for (const l of listeners) {
      try {
        l(p);
      } catch {
        // A listener's failure must not stop the import.
      }
    }
  };

  const done = new Promise<ImportReport>((resolve) => {
    if (!existsSync(file)) {
      resolve(failedReport(id, paths, `import worker not found at ${file}`, startedAt));
      return;
    }
    activeFlags.add(flags);
    const worker = new Worker(file, { workerData: input });
    let settled = false;
    const settle = (r: ImportReport): void => {
      if (settled) return;
      settled = true;
      activeFlags.delete(flags);
      report = r;
      publish({ ...progress, phase: r.status === 'completed' ? 'done' : r.status === 'running' ? 'failed' : r.status });
      resolve(r);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') publish(m.progress);
      else if (m.type === 'done') settle(m.report);
    });
    worker.on('error', (err) => settle(failedReport(id, paths, String(err?.message ?? err), startedAt)));
    worker.on('exit', (code) => settle(failedReport(id, paths, `import worker exited (code ${code})`, startedAt)));
  });

  return {
    id,
    paths,
    get progress() {
      return progress;
    },
    get report() {
      return report;
    },
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel() {
      Atomics.store(flags, FLAG_CANCEL, 1);
      Atomics.notify(flags, FLAG_REST_WRITES);
    },
    done,
  };
}

/**
 * The same import, synchronously on the caller's connection (tests, CLI). `isCancelled` and
 * `onProgress` work as for the worker.
 */
export function runImportInProcess(
  db: Db,
  options: ImportOptions & { dataDir?: string; readerWorkerFile?: string } & Pick<
      EngineOptions,
      'onProgress' | 'isCancelled' | 'reportId' | 'batchPoints'
    >,
): ImportReport {
  const readerFile = options.readerWorkerFile;
  const engine = new ImportEngine(db, {
    openSource: readerFile ? (src, onWait) => threadedSource(readerFile, src, db.name, onWait) : undefined,
    copyArtifacts: options.copyArtifacts ?? false,
    dataDir: options.dataDir ?? null,
    onProgress: options.onProgress,
    isCancelled: options.isCancelled,
    reportId: options.reportId,
    batchPoints: options.batchPoints,
  });
  return engine.importPaths(options.paths);
}
