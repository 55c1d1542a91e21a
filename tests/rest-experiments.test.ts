import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('experiments over HTTP', () => {
  it('has the Default experiment 0 with a proxied artifact location', async () => {
    const r = await app.api('GET', '/mlflow/experiments/get', { experiment_id: '0' });
    expect(r.status).toBe(200);
    expect(r.body.experiment).toMatchObject({
      experiment_id: '0',
      name: 'Default',
      artifact_location: 'mlflow-artifacts:/0',
      lifecycle_stage: 'active',
    });
  });

  it('creates, gets by id and name, renames, tags, deletes and restores', async () => {
    const created = await app.api('POST', '/mlflow/experiments/create', {
      name: 'exp-a',
      tags: [{ key: 'team', value: 'ds' }],
    });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id as string;
    expect(id).toMatch(/^\d+$/);

    const byName = await app.api('GET', '/mlflow/experiments/get-by-name', { experiment_name: 'exp-a' });
    expect(byName.body.experiment.experiment_id).toBe(id);
    expect(byName.body.experiment.tags).toEqual([{ key: 'team', value: 'ds' }]);
    expect(byName.body.experiment.artifact_location).toBe(`mlflow-artifacts:/${id}`);

    expect((await app.api('POST', '/mlflow/experiments/update', { experiment_id: id, new_name: 'exp-b' })).status).toBe(
      200,
    );
    expect((await app.api('GET', '/mlflow/experiments/get', { experiment_id: id })).body.experiment.name).toBe('exp-b');

    await app.api('POST', '/mlflow/experiments/set-experiment-tag', {
      experiment_id: id,
      key: 'mlflow.note.content',
      value: '# hi',
    });
    let exp = (await app.api('GET', '/mlflow/experiments/get', { experiment_id: id })).body.experiment;
    expect(exp.tags).toContainEqual({ key: 'mlflow.note.content', value: '# hi' });
    await app.api('POST', '/mlflow/experiments/delete-experiment-tag', { experiment_id: id, key: 'team' });
    exp = (await app.api('GET', '/mlflow/experiments/get', { experiment_id: id })).body.experiment;
    expect(exp.tags).not.toContainEqual({ key: 'team', value: 'ds' });

    expect((await app.api('POST', '/mlflow/experiments/delete', { experiment_id: id })).status).toBe(200);
    exp = (await app.api('GET', '/mlflow/experiments/get', { experiment_id: id })).body.experiment;
    expect(exp.lifecycle_stage).toBe('deleted');
    const rename = await app.api('POST', '/mlflow/experiments/update', { experiment_id: id, new_name: 'x' });
    // MLflow answers INVALID_STATE (HTTP 500) here; we keep the code but never let it look retryable.
    expect(rename.body.error_code).toBe('INVALID_STATE');
    expect(rename.status).toBeLessThan(500);
    await app.api('POST', '/mlflow/experiments/restore', { experiment_id: id });
    exp = (await app.api('GET', '/mlflow/experiments/get', { experiment_id: id })).body.experiment;
    expect(exp.lifecycle_stage).toBe('active');
  });

  it('answers MLflow errors with MLflow codes and statuses', async () => {
    const dup = await app.api('POST', '/mlflow/experiments/create', { name: 'Default' });
    expect(dup.status).toBe(400);
    expect(dup.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

    const missing = await app.api('GET', '/mlflow/experiments/get', { experiment_id: '987654' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'No Experiment with id=987654 exists',
    });

    const garbage = await app.api('GET', '/mlflow/experiments/get', { experiment_id: 'abc' });
    expect(garbage.status).toBe(404);

    const byName = await app.api('GET', '/mlflow/experiments/get-by-name', { experiment_name: 'nope' });
    expect(byName.status).toBe(404);
    expect(byName.body.message).toBe("Could not find experiment with name 'nope'");

    const noName = await app.api('POST', '/mlflow/experiments/create', {});
    expect(noName.status).toBe(400);
    expect(noName.body).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    });

    const badType = await app.api('POST', '/mlflow/experiments/create', { name: 42 });
    expect(badType.status).toBe(400);
    expect(badType.body.message).toContain("Invalid value 42 for parameter 'name' supplied");

    const runsUri = await app.api('POST', '/mlflow/experiments/create', { name: 'r', artifact_location: 'runs:/abc' });
    expect(runsUri.status).toBe(400);

    const del0 = await app.api('POST', '/mlflow/experiments/delete', { experiment_id: '0' });
    expect(del0.status).toBe(400);
  });

  it('keeps a user artifact_location as given', async () => {
    const r = await app.api('POST', '/mlflow/experiments/create', { name: 'loc', artifact_location: 's3://bucket/x' });
    const e = (await app.api('GET', '/mlflow/experiments/get', { experiment_id: r.body.experiment_id })).body
      .experiment;
    expect(e.artifact_location).toBe('s3://bucket/x');
  });

  it('rejects bodies without JSON content type, and treats malformed JSON as empty', async () => {
    const res = await fetch(`${app.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"name":"t"}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    const bad = await app.api('POST', '/mlflow/experiments/create', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("Missing value for required parameter 'name'");
  });

  it('serves the same API under /ajax-api/2.0', async () => {
    const res = await fetch(`${app.url}/ajax-api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { experiment: { name: string } }).experiment.name).toBe('Default');
  });

  it('answers unknown MLflow endpoints with 404 ENDPOINT_NOT_FOUND JSON', async () => {
    for (const path of ['/mlflow/traces', '/mlflow/gateway/routes', '/mlflow/nope']) {
      const r = await app.api('GET', path);
      expect(r.status).toBe(404);
      expect(r.body.error_code).toBe('ENDPOINT_NOT_FOUND');
    }
  });

  it('answers /health and /version', async () => {
    expect(await (await fetch(`${app.url}/health`)).text()).toBe('OK');
    expect(await (await fetch(`${app.url}/version`)).text()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
