import { parentPort, workerData } from 'node:worker_threads';
import { MlflowError } from '../core/errors';
import { QueryService } from './query-service';
import { QUERY_METHODS, type WorkerRequest, type WorkerResponse } from './worker-protocol';

/**
 * The query worker (built to out/main/query-worker.js): the UI's read queries on their own
 * thread and their own read-only connection, so a long sort or export never delays the
 * ingestion port's event loop. Requests are served one at a time, in arrival order.
 */
const port = parentPort;
if (!port) throw new Error('query-worker must run as a worker thread');

const service = QueryService.open((workerData as { dbFile: string }).dbFile);

port.on('message', (msg: WorkerRequest | 'close') => {
  if (msg === 'close') {
    service.close();
    port.close();
    return;
  }
  void serve(msg);
});

async function serve({ id, method, args }: WorkerRequest): Promise<void> {
  let response: WorkerResponse;
  try {
    if (!QUERY_METHODS.includes(method)) throw new Error(`Unknown query method ${String(method)}`);
    const fn = service[method] as (...a: unknown[]) => Promise<unknown>;
    response = { id, ok: true, result: await fn.apply(service, args) };
  } catch (err) {
    response =
      err instanceof MlflowError
        ? { id, ok: false, message: err.message, code: err.errorCode, status: err.httpStatus }
        : { id, ok: false, message: err instanceof Error ? err.message : String(err), code: 'INTERNAL_ERROR' };
  }
  port!.postMessage(response);
}
