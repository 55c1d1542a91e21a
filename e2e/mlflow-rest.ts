import type { APIRequestContext } from '@playwright/test';

/** The tiny slice of the MLflow REST API the e2e tests log through (exactly as a client would). */

export function serverUrl(): string {
  const url = process.env.RUNLENS_E2E_URL;
  if (!url) throw new Error('RUNLENS_E2E_URL is not set (global setup did not run)');
  return url;
}

async function post<T>(request: APIRequestContext, path: string, data: unknown): Promise<T> {
  const res = await request.post(`${serverUrl()}/api/2.0/mlflow/${path}`, { data });
  if (!res.ok()) throw new Error(`${path} -> ${res.status()}: ${await res.text()}`);
  return (await res.json()) as T;
}

export async function createExperiment(request: APIRequestContext, name: string): Promise<string> {
  return (await post<{ experiment_id: string }>(request, 'experiments/create', { name })).experiment_id;
}

export async function createRun(
  request: APIRequestContext,
  experimentId: string,
  runName: string,
  startTime = Date.now(),
): Promise<string> {
  const body = await post<{ run: { info: { run_id: string } } }>(request, 'runs/create', {
    experiment_id: experimentId,
    run_name: runName,
    start_time: startTime,
  });
  return body.run.info.run_id;
}

export async function logBatch(
  request: APIRequestContext,
  runId: string,
  metrics: Record<string, number>,
  params: Record<string, string> = {},
  step = 0,
): Promise<void> {
  const timestamp = Date.now();
  await post(request, 'runs/log-batch', {
    run_id: runId,
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step })),
    params: Object.entries(params).map(([key, value]) => ({ key, value })),
  });
}

export async function finishRun(
  request: APIRequestContext,
  runId: string,
  status: 'FINISHED' | 'FAILED' | 'KILLED' = 'FINISHED',
  endTime = Date.now(),
): Promise<void> {
  await post(request, 'runs/update', { run_id: runId, status, end_time: endTime });
}
