import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/db';
import { ImportEngine } from './import-engine';
import {
  FLAG_CANCEL,
  FLAG_FINISHED,
  FLAG_IDLE,
  FLAG_REST_WRITES,
  workerAfterTransaction,
  workerBeforeTransaction,
  type WorkerInput,
  type WorkerMessage,
} from './import-job';
import { runReader, threadedSource, type ReaderInput } from './threaded-source';

/**
 * Worker-thread entry of an import (built as its own file: electron-vite entry `import-worker`,
 * see import-job.ts). Two roles:
 * - writer (default): opens its own connection to the store file and runs the engine; progress
 *   and the final report go back to the main thread as messages;
 * - reader: started by the writer from this same file, reads and parses a source and streams its
 *   items to the writer (see source-channel.ts), so parsing and inserting use both cores.
 */
function writer(input: WorkerInput): void {
  const flags = new Int32Array(input.flags);
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  // Opening may write (migrations check): announce it like any transaction.
  workerBeforeTransaction(flags);
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(input.dbPath);
  } finally {
    workerAfterTransaction(flags);
  }
  try {
    const engine = new ImportEngine(db, {
      copyArtifacts: input.copyArtifacts,
      dataDir: input.dataDir,
      reportId: input.reportId,
      onProgress: (progress) => post({ type: 'progress', progress }),
      isCancelled: () => Atomics.load(flags, FLAG_CANCEL) === 1,
      beforeTransaction: () => workerBeforeTransaction(flags),
      afterTransaction: () => workerAfterTransaction(flags),
      shouldYield: () => Atomics.load(flags, FLAG_REST_WRITES) > 0,
      openSource: input.workerFile
        ? (src, onWait) => threadedSource(input.workerFile!, src, input.dbPath, onWait)
        : undefined,
    });
    const report = engine.importPaths(input.paths);
    post({ type: 'done', report });
  } finally {
    db.close();
    Atomics.store(flags, FLAG_FINISHED, 1);
    Atomics.notify(flags, FLAG_IDLE);
  }
}

const input = workerData as WorkerInput | ReaderInput;
if ('role' in input && input.role === 'reader') runReader(input);
else writer(input as WorkerInput);
