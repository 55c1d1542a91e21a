import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

let app: TestApp;
let expId: string;
beforeAll(async () => {
  app = await startTestApp();
  expId = (await app.api('POST', '/mlflow/experiments/create', { name: 'models-exp' })).body.experiment_id;
});
afterAll(async () => {
  await app.close();
});

const create = async (body: Record<string, unknown>): Promise<any> => {
  const r = await app.api('POST', '/mlflow/logged-models', { experiment_id: expId, ...body });
  expect(r.status).toBe(200);
  return r.body.model;
};

describe('MLflow 3 logged models over HTTP', () => {
  it('creates PENDING models under the experiment artifact root, finalizes, tags and logs params', async () => {
    const m = await create({
      name: 'forest',
      model_type: 'sklearn',
      params: [{ key: 'n', value: '10' }],
      tags: [{ key: 'kind', value: 'tree' }],
    });
    expect(m.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(m.info.status).toBe('LOGGED_MODEL_PENDING');
    expect(m.info.artifact_uri).toBe(`mlflow-artifacts:/${expId}/models/${m.info.model_id}/artifacts`);
    expect(m.data.params).toEqual([{ key: 'n', value: '10' }]);
    const id = m.info.model_id;
    const fin = await app.api('PATCH', `/mlflow/logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
    expect(fin.body.model.info.status).toBe('LOGGED_MODEL_READY');
    await app.api('PATCH', `/mlflow/logged-models/${id}/tags`, { tags: [{ key: 'stage', value: 'dev' }] });
    await app.api('POST', `/mlflow/logged-models/${id}/params`, { params: [{ key: 'depth', value: '3' }] });
    const got = (await app.api('GET', `/mlflow/logged-models/${id}`)).body.model;
    expect(got.info.tags).toEqual([
      { key: 'kind', value: 'tree' },
      { key: 'stage', value: 'dev' },
    ]);
    expect(got.data.params).toContainEqual({ key: 'depth', value: '3' });
    expect((await app.api('DELETE', `/mlflow/logged-models/${id}/tags/stage`)).status).toBe(200);
    expect((await app.api('DELETE', `/mlflow/logged-models/${id}/tags/stage`)).status).toBe(404);
  });

  it('searches with MLflow filters, order_by fields and paging', async () => {
    const a = await create({ name: 'alpha', tags: [{ key: 'team', value: 'x' }] });
    await new Promise((r) => setTimeout(r, 5));
    const b = await create({ name: 'beta', params: [{ key: 'C', value: '1.0' }] });
    const run = (await app.api('POST', '/mlflow/runs/create', { experiment_id: expId })).body.run.info.run_id;
    await app.api('POST', '/mlflow/runs/log-metric', {
      run_id: run,
      key: 'acc',
      value: 0.9,
      timestamp: 1,
      step: 0,
      model_id: a.info.model_id,
    });
    await app.api('POST', '/mlflow/runs/log-metric', {
      run_id: run,
      key: 'acc',
      value: 0.5,
      timestamp: 1,
      step: 0,
      model_id: b.info.model_id,
    });
    const search = async (body: Record<string, unknown>) =>
      app.api('POST', '/mlflow/logged-models/search', { experiment_ids: [expId], ...body });
    const names = (r: any) => (r.body.models ?? []).map((m: any) => m.info.name);

    expect(names(await search({ filter: "name = 'beta'" }))).toEqual(['beta']);
    expect(names(await search({ filter: "tags.team = 'x'" }))).toEqual(['alpha']);
    expect(names(await search({ filter: "params.C = '1.0'" }))).toEqual(['beta']);
    expect(names(await search({ filter: 'metrics.acc > 0.7' }))).toEqual(['alpha']);
    expect(names(await search({ filter: "name LIKE 'al%'" }))).toEqual(['alpha']);
    const asc = names(
      await search({
        filter: "name IN ('alpha', 'beta')",
        order_by: [{ field_name: 'creation_time', ascending: true }],
      }),
    );
    expect(asc).toEqual(['alpha', 'beta']);
    expect(
      names(await search({ filter: "name != 'forest'", order_by: [{ field_name: 'metrics.acc', ascending: false }] })),
    ).toEqual(['alpha', 'beta']);

    const bogus = await search({ order_by: [{ field_name: 'bogus' }] });
    expect(bogus.status).toBe(400);
    expect(bogus.body.message).toBe('Invalid order by field name: bogus');
    const params = await search({ order_by: [{ field_name: 'params.C' }] });
    expect(params.body.message).toBe('Invalid order by field name: params.C. Only metrics are supported.');
    expect((await search({ filter: 'bogus = 1' })).status).toBe(400);

    const page1 = await search({ max_results: 2 });
    expect(page1.body.models).toHaveLength(2);
    const page2 = await search({ max_results: 2, page_token: page1.body.next_page_token });
    expect(page2.body.models).toHaveLength(1);
    expect(page2.body.next_page_token).toBeUndefined();
  });

  it('deletes softly and answers MLflow not-found errors', async () => {
    const m = await create({ name: 'gone' });
    expect((await app.api('DELETE', `/mlflow/logged-models/${m.info.model_id}`)).status).toBe(200);
    const r = await app.api('GET', `/mlflow/logged-models/${m.info.model_id}`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Logged model with ID '${m.info.model_id}' not found.`,
    });
    const bad = await app.api('POST', '/mlflow/logged-models', { experiment_id: expId, name: 'a/b' });
    expect(bad.status).toBe(400);
  });
});
