import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

let app: TestApp;
let expId: string;
beforeAll(async () => {
  app = await startTestApp();
  expId = (await app.api('POST', '/mlflow/experiments/create', { name: 'runs-exp' })).body.experiment_id;
});
afterAll(async () => {
  await app.close();
});

async function newRun(extra: Record<string, unknown> = {}): Promise<any> {
  const r = await app.api('POST', '/mlflow/runs/create', {
    experiment_id: expId,
    start_time: 1000,
    user_id: 'me',
    ...extra,
  });
  expect(r.status).toBe(200);
  return r.body.run;
}

describe('runs over HTTP', () => {
  it('creates a run with MLflow defaults: generated name tag, artifact uri, RUNNING', async () => {
    const run = await newRun();
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info.run_uuid).toBe(run.info.run_id);
    expect(run.info.status).toBe('RUNNING');
    expect(run.info.lifecycle_stage).toBe('active');
    expect(run.info.start_time).toBe(1000);
    expect(run.info.end_time).toBeUndefined();
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${expId}/${run.info.run_id}/artifacts`);
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: run.info.run_name });
  });

  it('keeps run_name and rejects a conflicting mlflow.runName tag', async () => {
    const run = await newRun({ run_name: 'named' });
    expect(run.info.run_name).toBe('named');
    const bad = await app.api('POST', '/mlflow/runs/create', {
      experiment_id: expId,
      run_name: 'a',
      tags: [{ key: 'mlflow.runName', value: 'b' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('logs params, metrics and tags, and returns latest metrics with NaN and infinities intact', async () => {
    const run = await newRun();
    const id = run.info.run_id;
    expect((await app.api('POST', '/mlflow/runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' })).status).toBe(
      200,
    );
    expect((await app.api('POST', '/mlflow/runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' })).status).toBe(
      200,
    );
    const changed = await app.api('POST', '/mlflow/runs/log-parameter', { run_id: id, key: 'lr', value: '0.2' });
    expect(changed.status).toBe(400);
    expect(changed.body.message).toContain('Changing param values is not allowed');

    for (const [step, value] of [
      [0, 1.5],
      [1, 'NaN'],
      [2, 'Infinity'],
      [3, '-Infinity'],
      [4, 0.25],
    ] as const) {
      const r = await app.api('POST', '/mlflow/runs/log-metric', {
        run_id: id,
        key: `m${step}`,
        value,
        timestamp: 10 + step,
        step,
      });
      expect(r.status).toBe(200);
    }
    await app.api('POST', '/mlflow/runs/log-metric', { run_id: id, key: 'loss', value: 3, timestamp: 5, step: 0 });
    await app.api('POST', '/mlflow/runs/log-metric', { run_id: id, key: 'loss', value: 2, timestamp: 6, step: 1 });
    await app.api('POST', '/mlflow/runs/log-metric', { run_id: id, key: 'loss', value: 9, timestamp: 1, step: 0 });
    await app.api('POST', '/mlflow/runs/set-tag', { run_id: id, key: 'phase', value: 'train' });

    const res = await fetch(`${app.url}/api/2.0/mlflow/runs/get?run_id=${id}`);
    const text = await res.text();
    expect(text).toContain('"NaN"');
    expect(text).toContain('"Infinity"');
    expect(text).toContain('"-Infinity"');
    const got = JSON.parse(text).run;
    const byKey = Object.fromEntries(got.data.metrics.map((m: any) => [m.key, m]));
    expect(byKey.m0.value).toBe(1.5);
    expect(byKey.m1.value).toBe('NaN');
    expect(byKey.loss).toMatchObject({ value: 2, step: 1, timestamp: 6 });
    expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(got.data.tags).toContainEqual({ key: 'phase', value: 'train' });

    const hist = await app.api('GET', '/mlflow/metrics/get-history', { run_id: id, metric_key: 'loss' });
    expect(hist.body.metrics.map((m: any) => [m.timestamp, m.step, m.value])).toEqual([
      [1, 0, 9],
      [5, 0, 3],
      [6, 1, 2],
    ]);
    const page1 = await app.api('GET', '/mlflow/metrics/get-history', {
      run_id: id,
      metric_key: 'loss',
      max_results: 2,
    });
    expect(page1.body.metrics).toHaveLength(2);
    expect(page1.body.next_page_token).toBeTruthy();
    const page2 = await app.api('GET', '/mlflow/metrics/get-history', {
      run_id: id,
      metric_key: 'loss',
      max_results: 2,
      page_token: page1.body.next_page_token,
    });
    expect(page2.body.metrics.map((m: any) => m.value)).toEqual([2]);
    expect(page2.body.next_page_token).toBeUndefined();
  });

  it('log-batch writes all or nothing and enforces MLflow limits', async () => {
    const id = (await newRun()).info.run_id;
    // 998 metrics + 1 param + 1 tag: exactly MLflow's 1000-entity ceiling.
    const metrics = Array.from({ length: 998 }, (_, i) => ({
      key: 'acc',
      value: i / 1000,
      timestamp: 100 + i,
      step: i,
    }));
    const ok = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: id,
      metrics,
      params: [{ key: 'p', value: 'v' }],
      tags: [{ key: 't', value: 'x' }],
    });
    expect(ok.status).toBe(200);
    const hist = await app.api('GET', '/mlflow/metrics/get-history', { run_id: id, metric_key: 'acc' });
    expect(hist.body.metrics).toHaveLength(998);

    const tooMany = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: id,
      metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'acc', value: 1, timestamp: 1, step: i })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('A batch logging request can contain at most 1000 metrics');

    const conflict = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: id,
      metrics: [{ key: 'fresh', value: 1, timestamp: 1, step: 0 }],
      params: [{ key: 'p', value: 'other' }],
    });
    expect(conflict.status).toBe(400);
    const after = await app.api('GET', '/mlflow/metrics/get-history', { run_id: id, metric_key: 'fresh' });
    expect(after.body.metrics).toBeUndefined();

    const dupKeys = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: id,
      params: [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ],
    });
    expect(dupKeys.status).toBe(400);
    expect(dupKeys.body.message).toContain('Duplicate parameter keys');

    const missingTs = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: id,
      metrics: [{ key: 'k', value: 1 }],
    });
    expect(missingTs.status).toBe(400);
    expect(missingTs.body.message).toContain('metrics[0].timestamp');

    const badName = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: id,
      metrics: [{ key: '../evil', value: 1, timestamp: 1 }],
    });
    expect(badName.status).toBe(400);
  });

  it('truncates long param values like MLflow and rejects long keys', async () => {
    const id = (await newRun()).info.run_id;
    await app.api('POST', '/mlflow/runs/log-parameter', { run_id: id, key: 'long', value: 'x'.repeat(7000) });
    const run = (await app.api('GET', '/mlflow/runs/get', { run_id: id })).body.run;
    expect(run.data.params[0].value).toHaveLength(6000);
    const longKey = await app.api('POST', '/mlflow/runs/log-parameter', {
      run_id: id,
      key: 'k'.repeat(251),
      value: '1',
    });
    expect(longKey.status).toBe(400);
  });

  it('updates, deletes and restores runs; deleted runs reject writes', async () => {
    const id = (await newRun()).info.run_id;
    const upd = await app.api('POST', '/mlflow/runs/update', {
      run_id: id,
      status: 'FINISHED',
      end_time: 2000,
      run_name: 'renamed',
    });
    expect(upd.body.run_info).toMatchObject({ status: 'FINISHED', end_time: 2000, run_name: 'renamed' });
    const run = (await app.api('GET', '/mlflow/runs/get', { run_id: id })).body.run;
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'renamed' });

    await app.api('POST', '/mlflow/runs/delete', { run_id: id });
    expect((await app.api('GET', '/mlflow/runs/get', { run_id: id })).body.run.info.lifecycle_stage).toBe('deleted');
    const write = await app.api('POST', '/mlflow/runs/log-metric', { run_id: id, key: 'x', value: 1, timestamp: 1 });
    expect(write.status).toBe(400);
    expect(write.body.message).toBe(`The run ${id} must be in the 'active' state. Current state is deleted.`);
    await app.api('POST', '/mlflow/runs/restore', { run_id: id });
    expect((await app.api('GET', '/mlflow/runs/get', { run_id: id })).body.run.info.lifecycle_stage).toBe('active');

    const badStatus = await app.api('POST', '/mlflow/runs/update', { run_id: id, status: 'DONE' });
    expect(badStatus.status).toBe(400);
  });

  it('deletes tags, and 404s for unknown runs and tags', async () => {
    const id = (await newRun()).info.run_id;
    await app.api('POST', '/mlflow/runs/set-tag', { run_id: id, key: 'a', value: '1' });
    expect((await app.api('POST', '/mlflow/runs/delete-tag', { run_id: id, key: 'a' })).status).toBe(200);
    const again = await app.api('POST', '/mlflow/runs/delete-tag', { run_id: id, key: 'a' });
    expect(again.status).toBe(404);
    const unknown = await app.api('GET', '/mlflow/runs/get', { run_id: 'f'.repeat(32) });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Run with id=${'f'.repeat(32)} not found`,
    });
  });

  it('records log-model history and dataset inputs', async () => {
    const id = (await newRun()).info.run_id;
    const model = {
      run_id: id,
      artifact_path: 'model',
      utc_time_created: '2026-01-01 00:00:00',
      flavors: { sklearn: { config: { a: 1 }, v: '1' } },
    };
    expect(
      (await app.api('POST', '/mlflow/runs/log-model', { run_id: id, model_json: JSON.stringify(model) })).status,
    ).toBe(200);
    const inputs = await app.api('POST', '/mlflow/runs/log-inputs', {
      run_id: id,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'iris', digest: 'abc123', source_type: 'code', source: '{}', schema: '{"x":1}' },
        },
      ],
    });
    expect(inputs.status).toBe(200);
    const run = (await app.api('GET', '/mlflow/runs/get', { run_id: id })).body.run;
    const hist = run.data.tags.find((t: any) => t.key === 'mlflow.log-model.history');
    expect(JSON.parse(hist.value)[0]).toEqual({
      run_id: id,
      artifact_path: 'model',
      utc_time_created: '2026-01-01 00:00:00',
      flavors: { sklearn: { v: '1' } },
    });
    expect(run.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'iris', digest: 'abc123', source_type: 'code', source: '{}', schema: '{"x":1}' },
      },
    ]);
  });

  it('samples history with get-history-bulk-interval keeping first and last steps', async () => {
    const id = (await newRun()).info.run_id;
    for (let b = 0; b < 5; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({
        key: 'big',
        value: b * 1000 + i,
        timestamp: 1,
        step: b * 1000 + i,
      }));
      await app.api('POST', '/mlflow/runs/log-batch', { run_id: id, metrics });
    }
    const res = await fetch(
      `${app.url}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${id}&metric_key=big&max_results=100`,
    );
    const body = (await res.json()) as { metrics: { step: number; run_id: string }[] };
    const steps = body.metrics.map((m) => m.step);
    expect(steps.length).toBeGreaterThanOrEqual(100);
    expect(steps.length).toBeLessThanOrEqual(102);
    expect(steps[0]).toBe(0);
    expect(steps[steps.length - 1]).toBe(4999);
    expect(body.metrics[0]!.run_id).toBe(id);
    const ranged = await app.api('GET', '/mlflow/metrics/get-history-bulk-interval', {
      run_ids: id,
      metric_key: 'big',
      start_step: 10,
      end_step: 19,
    });
    expect(ranged.body.metrics.map((m: any) => m.step)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const bad = await app.api('GET', '/mlflow/metrics/get-history-bulk-interval', {
      run_ids: id,
      metric_key: 'big',
      start_step: 5,
    });
    expect(bad.status).toBe(400);
    const bulk = await app.api('GET', '/mlflow/metrics/get-history-bulk', {
      run_id: id,
      metric_key: 'big',
      max_results: 10,
    });
    expect(bulk.body.metrics).toHaveLength(10);
  });
});

describe('security of the port', () => {
  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const port = new URL(app.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/2.0/mlflow/experiments/get?experiment_id=0',
          headers: { Host: `evil.example:${port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses a cross-origin POST but serves same-origin and Origin-less clients', async () => {
    const evil = await fetch(`${app.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: 'http://evil.example' },
      body: JSON.stringify({ name: 'pwned' }),
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const exists = await app.api('GET', '/mlflow/experiments/get-by-name', { experiment_name: 'pwned' });
    expect(exists.status).toBe(404);
    const same = await fetch(`${app.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: app.url },
      body: JSON.stringify({ name: 'same-origin' }),
    });
    expect(same.status).toBe(200);
  });
});
