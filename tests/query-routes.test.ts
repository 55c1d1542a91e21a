import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../src-main/shells/ui-server';
import { UI_API_PREFIX, UI_TOKEN_HEADER, type ChangeEvent } from '../src-main/contract/ui-api';

let dir: string;
let server: UiServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-qroutes-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><html><head><title>t</title></head><body></body></html>',
  );
  server = await startUiServer({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, shell: 'serve', rendererDir });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ui(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set(UI_TOKEN_HEADER, init.token ?? server.token);
  return fetch(`${server.url}${UI_API_PREFIX}${path}`, { ...init, headers });
}

async function post(path: string, body: unknown): Promise<Response> {
  return ui(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function mlflow(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** Reads Server-Sent Events from a fetch body until `want` returns true or the timeout passes. */
async function readEvents(
  res: Response,
  want: (events: { event: string; data: string }[]) => boolean,
  timeoutMs = 3000,
): Promise<{ event: string; data: string }[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: string }[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  while (!want(events) && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now()))),
    ]);
    if (!chunk || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event) events.push({ event, data: data ?? '' });
    }
  }
  await reader.cancel();
  return events;
}

describe('UI query API over HTTP', () => {
  it('requires the launch token on every endpoint', async () => {
    for (const token of [null, '', 'wrong', server.token + 'x']) {
      expect((await ui('/experiments', { token })).status).toBe(403);
      expect((await ui('/server-info', { token })).status).toBe(403);
    }
    expect((await fetch(`${server.url}${UI_API_PREFIX}/events?token=wrong`)).status).toBe(403);
    const ok = await ui('/experiments');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
  });

  it('reports server info with the tracking URI', async () => {
    const info: any = await (await ui('/server-info')).json();
    expect(info).toMatchObject({ trackingUri: server.url, shell: 'serve', dataDir: join(dir, 'data') });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves experiments, keys and windows of runs logged through the MLflow API', async () => {
    const { experiment_id: exp } = await mlflow('experiments/create', { name: 'routes' });
    for (const [i, acc] of [0.5, 0.9, 0.7].entries()) {
      const { run } = await mlflow('runs/create', { experiment_id: exp, run_name: `r${i}`, start_time: 1000 + i });
      await mlflow('runs/log-batch', {
        run_id: run.info.run_id,
        metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }],
        params: [{ key: 'lr', value: String(i) }],
      });
    }
    const list: any = await (await ui('/experiments')).json();
    expect(list.experiments.find((e: any) => e.experimentId === exp)).toMatchObject({ name: 'routes', runCount: 3 });
    const keys = await (await post('/experiment-keys', { experimentIds: [exp] })).json();
    expect(keys).toMatchObject({ metrics: ['acc'], params: ['lr'] });
    const win: any = await (
      await post('/runs-window', {
        experimentIds: [exp],
        offset: 0,
        limit: 2,
        columns: { metrics: ['acc'], params: [], tags: [] },
        sort: [{ column: { kind: 'metric', key: 'acc' }, desc: true }],
      })
    ).json();
    expect(win.total).toBe(3);
    expect(win.items.map((i: any) => [i.run.name, i.run.metrics.acc, i.run.params])).toEqual([
      ['r1', 0.9, {}],
      ['r2', 0.7, {}],
    ]);
  });

  it('answers client mistakes with 400 in MLflow error shape, never 5xx', async () => {
    const cases: [string, RequestInit][] = [
      ['/runs-window', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' }],
      ['/runs-window', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }],
      ['/runs-window', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' }],
      [
        '/runs-window',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"experimentIds":[1]}' },
      ],
      [
        '/experiment-keys',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"experimentIds":["x"]}' },
      ],
      ['/experiment-keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'null' }],
      [
        '/runs-window',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"experimentIds":["0"],"filter":"metrics.acc >"}',
        },
      ],
    ];
    for (const [path, init] of cases) {
      const res = await ui(path, init);
      expect(res.status, `${path} ${String(init.body)}`).toBe(400);
      expect(await res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    }
  });

  it('refuses a cross-site POST even with the token (Origin check)', async () => {
    const res = await ui('/runs-window', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });

  it('streams a change event within a second of a run being logged', async () => {
    const { experiment_id: exp } = await mlflow('experiments/create', { name: 'live' });
    const res = await fetch(`${server.url}${UI_API_PREFIX}/events?token=${encodeURIComponent(server.token)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const started = Date.now();
    const logged = (async () => {
      await new Promise((r) => setTimeout(r, 50));
      const { run } = await mlflow('runs/create', { experiment_id: exp, run_name: 'live-run' });
      return run.info.run_id as string;
    })();
    const events = await readEvents(res, (ev) =>
      ev.some((e) => e.event === 'change' && e.data.includes('"runIds":["')),
    );
    const runId = await logged;
    const elapsed = Date.now() - started;
    expect(events[0]!.event).toBe('hello');
    const change = events
      .filter((e) => e.event === 'change')
      .map((e) => JSON.parse(e.data) as ChangeEvent)
      .find((e) => e.runIds.includes(runId));
    expect(change).toMatchObject({ experimentIds: [exp], manyRuns: false });
    expect(elapsed).toBeLessThan(1000);
  });
});
