import type { ErrorCode } from '../core/errors';
import type { RunlensQueries } from '../contract/ui-api';

/** Messages between the main thread's `QueryWorkerClient` and `query-worker.ts`. */

export type QueryMethod = keyof RunlensQueries;

export const QUERY_METHODS: readonly QueryMethod[] = [
  'listExperiments',
  'experimentKeys',
  'keyValues',
  'checkFilter',
  'runsWindow',
  'runIds',
  'differingColumns',
  'exportRuns',
  'runDetail',
];

export interface WorkerRequest {
  id: number;
  method: QueryMethod;
  args: unknown[];
}

export type WorkerResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string; code: ErrorCode | string; status?: number };
