import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { MlflowError, type ErrorCode } from '../core/errors';
import type { RunlensQueries } from '../contract/ui-api';
import { QueryService } from './query-service';
import { QUERY_METHODS, type QueryMethod, type WorkerRequest, type WorkerResponse } from './worker-protocol';

let workerFile: string | null = null;

/**
 * The built query worker (out/main/query-worker.js), set by the shells. Without it (tests, dev
 * tools) the queries run in-process on their own read-only connection.
 */
export function setQueryWorkerFile(path: string | null): void {
  workerFile = path;
}

export interface QueryBackend extends RunlensQueries {
  readonly threaded: boolean;
  close(): Promise<void>;
}

/** The UI's read side for a database file: in the query worker when it is built, else in-process. */
export function openQueries(dbFile: string, options: { worker?: string | null } = {}): QueryBackend {
  const file = options.worker === undefined ? workerFile : options.worker;
  if (file && existsSync(file)) return new QueryWorkerClient(file, dbFile);
  return new InProcessQueries(QueryService.open(dbFile));
}

/** The same API on the calling thread (tests, tools): each call still returns a promise. */
class InProcessQueries implements QueryBackend {
  readonly threaded = false;
  constructor(private readonly service: QueryService) {
    for (const m of QUERY_METHODS) {
      const fn = service[m] as (...a: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => fn.apply(service, args);
    }
  }

  listExperiments!: RunlensQueries['listExperiments'];
  experimentKeys!: RunlensQueries['experimentKeys'];
  keyValues!: RunlensQueries['keyValues'];
  checkFilter!: RunlensQueries['checkFilter'];
  runsWindow!: RunlensQueries['runsWindow'];
  runIds!: RunlensQueries['runIds'];
  differingColumns!: RunlensQueries['differingColumns'];
  exportRuns!: RunlensQueries['exportRuns'];
  runDetail!: RunlensQueries['runDetail'];

  async close(): Promise<void> {
    this.service.close();
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** `RunlensQueries` answered by the query worker thread (restarted if it ever dies). */
class QueryWorkerClient implements QueryBackend {
  readonly threaded = true;
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly dbFile: string,
  ) {
    for (const m of QUERY_METHODS) {
      (this as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => this.call(m, args);
    }
    // Started now, not on the first request: the window's first query should not wait for it.
    this.worker = this.spawn();
  }

  listExperiments!: RunlensQueries['listExperiments'];
  experimentKeys!: RunlensQueries['experimentKeys'];
  keyValues!: RunlensQueries['keyValues'];
  checkFilter!: RunlensQueries['checkFilter'];
  runsWindow!: RunlensQueries['runsWindow'];
  runIds!: RunlensQueries['runIds'];
  differingColumns!: RunlensQueries['differingColumns'];
  exportRuns!: RunlensQueries['exportRuns'];
  runDetail!: RunlensQueries['runDetail'];

  private spawn(): Worker {
    const worker = new Worker(this.file, { workerData: { dbFile: this.dbFile } });
    worker.unref();
    worker.on('message', (msg: WorkerResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new MlflowError(msg.message, msg.code as ErrorCode, msg.status));
    });
    const fail = (err: unknown): void => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(err instanceof Error ? err : new Error(String(err)));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.pending.size) fail(new Error(`query worker exited with code ${code}`));
      if (this.worker === worker) this.worker = null;
    });
    return worker;
  }

  private call(method: QueryMethod, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('query worker closed'));
    this.worker ??= this.spawn();
    const id = this.nextId++;
    const request: WorkerRequest = { id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage('close');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    await worker.terminate();
  }
}
