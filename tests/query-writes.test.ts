import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../src-main/shells/ui-server';
import { UI_API_PREFIX, UI_TOKEN_HEADER } from '../src-main/contract/ui-api';
import { openQueries } from '../src-main/query/query-client';
import { MlflowError } from '../src-main/core/errors';

/**
 * The UI's writes (rename, describe, delete/restore, bulk run lifecycle and tags, persistent view
 * state), the export endpoint, and the query worker thread when it is built.
 */

let dir: string;
let server: UiServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-qwrites-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
  server = await startUiServer({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, shell: 'serve', rendererDir });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ui(path: string, body: unknown): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const res = await fetch(`${server.url}${UI_API_PREFIX}${path}`, {
    method: 'POST',
    headers: { [UI_TOKEN_HEADER]: server.token, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // raw text (exports)
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
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

async function getRun(id: string): Promise<any> {
  const res = await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function experimentTags(id: string): Promise<Record<string, string>> {
  const res = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
  const body = (await res.json()) as { experiment: { name: string; tags?: { key: string; value: string }[] } };
  return Object.fromEntries((body.experiment.tags ?? []).map((t) => [t.key, t.value]));
}

describe('experiment edits', () => {
  it('renames, describes in markdown (mlflow.note.content), deletes and restores', async () => {
    const { experiment_id: id } = await mlflow('experiments/create', { name: 'to-edit' });
    expect((await ui('/experiments/update', { experimentId: id, name: 'edited' })).status).toBe(200);
    expect((await ui('/experiments/update', { experimentId: id, description: '# Notes\n\n*bold*' })).status).toBe(200);
    expect((await experimentTags(id))['mlflow.note.content']).toBe('# Notes\n\n*bold*');
    const list = (await fetch(`${server.url}${UI_API_PREFIX}/experiments`, {
      headers: { [UI_TOKEN_HEADER]: server.token },
    }).then((r) => r.json())) as {
      experiments: { experimentId: string; name: string; description: string; lifecycleStage: string }[];
    };
    expect(list.experiments.find((e) => e.experimentId === id)).toMatchObject({
      name: 'edited',
      description: '# Notes\n\n*bold*',
    });
    // Clearing the description removes the tag (twice is fine).
    await ui('/experiments/update', { experimentId: id, description: '' });
    expect((await ui('/experiments/update', { experimentId: id, description: '' })).status).toBe(200);
    expect((await experimentTags(id))['mlflow.note.content']).toBeUndefined();
    expect((await ui('/experiments/lifecycle', { experimentId: id, deleted: true })).status).toBe(200);
    const again = await ui('/experiments/update', { experimentId: id, name: 'while-deleted' });
    expect(again.status).toBe(400);
    expect((await ui('/experiments/lifecycle', { experimentId: id, deleted: false })).status).toBe(200);
    expect((await ui('/experiments/update', { experimentId: id, name: '  ' })).status).toBe(400);
    expect((await ui('/experiments/update', { experimentId: 'x', name: 'y' })).status).toBe(400);
  });
});

describe('bulk run edits', () => {
  it('deletes, restores and tags many runs in one transaction', async () => {
    const { experiment_id: exp } = await mlflow('experiments/create', { name: 'bulk' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await mlflow('runs/create', { experiment_id: exp, run_name: `r${i}` })).run.info.run_id);
    }
    const tagged = await ui('/runs/tags', { runIds: ids.slice(0, 3), set: [{ key: 'phase', value: 'tuning' }] });
    expect(tagged.body).toEqual({ changed: 3 });
    const removed = await ui('/runs/tags', { runIds: ids.slice(0, 2), remove: ['phase', 'never-set'] });
    expect(removed.body).toEqual({ changed: 2 });
    const run2 = await getRun(ids[2]!);
    expect(run2.run.data.tags).toContainEqual({ key: 'phase', value: 'tuning' });
    const run0 = await getRun(ids[0]!);
    expect(run0.run.data.tags.some((t: { key: string }) => t.key === 'phase')).toBe(false);

    expect((await ui('/runs/lifecycle', { runIds: ids.slice(1), deleted: true })).body).toEqual({ changed: 4 });
    expect((await ui('/runs/lifecycle', { runIds: ids, deleted: true })).body).toEqual({ changed: 1 });
    expect((await ui('/runs/lifecycle', { runIds: [ids[3]], deleted: false })).body).toEqual({ changed: 1 });
    const win = await ui('/runs-window', { experimentIds: [exp], offset: 0, limit: 10, columns: {}, sort: [] });
    expect(win.body.items.map((i: any) => i.run.name)).toEqual(['r3']);
    // An unknown run fails the whole request: nothing changed.
    const bad = await ui('/runs/lifecycle', { runIds: [ids[0], 'nope'], deleted: false });
    expect(bad.status).toBe(404);
    expect((await getRun(ids[0]!)).run.info.lifecycle_stage).toBe('deleted');
    expect((await ui('/runs/tags', { runIds: ids, set: [{ key: '', value: 'x' }] })).status).toBe(400);
  });
});

describe('view state and exports', () => {
  it('keeps UI state per key in the data dir', async () => {
    expect((await ui('/ui-state/get', { key: 'view:1' })).body).toEqual({ value: null });
    const state = { filter: "params.lr = '0.1'", widths: { 'm:acc': 140 } };
    expect((await ui('/ui-state/put', { key: 'view:1', value: state })).status).toBe(200);
    expect((await ui('/ui-state/get', { key: 'view:1' })).body).toEqual({ value: state });
    await ui('/ui-state/put', { key: 'view:1', value: null });
    expect((await ui('/ui-state/get', { key: 'view:1' })).body).toEqual({ value: null });
    expect((await ui('/ui-state/get', { key: "bad key'" })).status).toBe(400);
  });

  it('serves exports as attachments', async () => {
    const { experiment_id: exp } = await mlflow('experiments/create', { name: 'export' });
    const id = (await mlflow('runs/create', { experiment_id: exp, run_name: 'only' })).run.info.run_id;
    await mlflow('runs/log-metric', { run_id: id, key: 'acc', value: 0.5, timestamp: 1, step: 0 });
    const res = await ui('/export', {
      query: { experimentIds: [exp], sort: [] },
      columns: [
        { kind: 'attribute', key: 'run_id' },
        { kind: 'metric', key: 'acc' },
      ],
      format: 'csv',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="runs.csv"');
    expect(res.text).toBe(`run_id,metrics.acc\r\n${id},0.5\r\n`);
    expect((await ui('/export', { query: { experimentIds: [exp] }, columns: [], format: 'xls' })).status).toBe(400);
  });
});

const builtWorker = resolve(__dirname, '..', 'out', 'main', 'query-worker.js');

describe.skipIf(!existsSync(builtWorker))('query worker thread (built)', () => {
  it('answers the same queries from its own thread, errors included', async () => {
    const { experiment_id: exp } = await mlflow('experiments/create', { name: 'threaded' });
    await mlflow('runs/create', { experiment_id: exp, run_name: 'in-worker' });
    const q = openQueries(server.running.db.name, { worker: builtWorker });
    try {
      expect(q.threaded).toBe(true);
      const w = await q.runsWindow({
        experimentIds: [exp],
        offset: 0,
        limit: 10,
        columns: { metrics: [], params: [], tags: [] },
        sort: [],
      });
      expect(w.items.map((i) => (i.type === 'run' ? i.run.name : ''))).toEqual(['in-worker']);
      const err = await q
        .runsWindow({
          experimentIds: [exp],
          filter: 'bad filter',
          offset: 0,
          limit: 1,
          columns: { metrics: [], params: [], tags: [] },
          sort: [],
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MlflowError);
      expect((err as MlflowError).errorCode).toBe('INVALID_PARAMETER_VALUE');
    } finally {
      await q.close();
    }
  });
});
