import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

let app: TestApp;
let runId: string;
let runUri: string;
let localRunId: string;
let localDir: string;
let remoteRunId: string;

async function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(app.url + path, { method, body, headers });
  const buf = Buffer.from(await res.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: buf, json };
}

const put = (path: string, data: string) => call('PUT', `/api/2.0/mlflow-artifacts/artifacts/${path}`, data);

function newRun(experimentId: string): string {
  return app.ctx.tracking.createRun({ experimentId, userId: 'u', startTime: 1, tags: [], runName: null }).info.run_id;
}

beforeAll(async () => {
  app = await startTestApp();
  const exp = app.ctx.tracking.createExperiment('art-exp', null, []);
  runId = newRun(exp);
  runUri = app.ctx.tracking.getRun(runId).info.artifact_uri;
  expect(runUri).toBe(`mlflow-artifacts:/${exp}/${runId}/artifacts`);
  const base = `${exp}/${runId}/artifacts`;
  await put(`${base}/model/MLmodel`, 'flavors: {}\n');
  await put(`${base}/model/data/weights.bin`, 'wwww');
  await put(`${base}/metrics.json`, '{"a": 1}');
  await put(`${base}/empty.txt`, '');

  // An imported run whose artifacts stay in place on disk (file:// location).
  localDir = mkdtempSync(join(tmpdir(), 'runlens-local-art-'));
  const localExp = app.ctx.tracking.createExperiment('local-exp', pathToFileURL(localDir).href, []);
  localRunId = newRun(localExp);
  const runDir = join(localDir, localRunId, 'artifacts');
  mkdirSync(join(runDir, 'plots'), { recursive: true });
  writeFileSync(join(runDir, 'plots', 'loss.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(runDir, 'notes.md'), '# hi');

  const remoteExp = app.ctx.tracking.createExperiment('remote-exp', 's3://bucket/prefix', []);
  remoteRunId = newRun(remoteExp);
});
afterAll(async () => {
  await app.close();
  rmSync(localDir, { recursive: true, force: true });
});

describe('GET /mlflow/artifacts/list', () => {
  it('lists a proxied run with run-relative paths and root_uri first', async () => {
    const r = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      root_uri: runUri,
      files: [
        { path: 'empty.txt', is_dir: false },
        { path: 'metrics.json', is_dir: false, file_size: 8 },
        { path: 'model', is_dir: true },
      ],
    });
    expect(Object.keys(r.json)).toEqual(['root_uri', 'files']);
    const sub = await call('GET', `/ajax-api/2.0/mlflow/artifacts/list?run_uuid=${runId}&path=model`);
    expect(sub.json.files).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 12 },
      { path: 'model/data', is_dir: true },
    ]);
  });

  it('omits files for an empty or missing folder', async () => {
    const r = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=nothing`);
    expect(r.json).toEqual({ root_uri: runUri });
  });

  it('lists a run whose artifacts live in a local folder', async () => {
    const r = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${localRunId}`);
    expect(r.json.files).toEqual([
      { path: 'notes.md', is_dir: false, file_size: 4 },
      { path: 'plots', is_dir: true },
    ]);
    const sub = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${localRunId}&path=plots`);
    expect(sub.json.files).toEqual([{ path: 'plots/loss.png', is_dir: false, file_size: 4 }]);
  });

  it('lists a run in a remote store as empty', async () => {
    const r = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${remoteRunId}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ root_uri: `s3://bucket/prefix/${remoteRunId}/artifacts` });
  });

  it('answers MLflow errors for bad requests', async () => {
    const missing = await call('GET', '/api/2.0/mlflow/artifacts/list');
    expect(missing.status).toBe(400);
    expect(missing.json.message).toBe(
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    );
    const unknown = await call('GET', '/api/2.0/mlflow/artifacts/list?run_id=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=nope not found' });
    const bad = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=../x`);
    expect(bad.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    const badLocal = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${localRunId}&path=..%2F..`);
    expect(badLocal.status).toBe(400);
  });
});

describe('GET /get-artifact (UI download)', () => {
  it('sends the file as an attachment with send_file headers', async () => {
    const r = await call('GET', `/get-artifact?run_uuid=${runId}&path=model/MLmodel`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('flavors: {}\n');
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename=MLmodel');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('last-modified')).toBeTruthy();
    const byRunId = await call('GET', `/get-artifact?run_id=${runId}&path=metrics.json`);
    expect(byRunId.body.toString()).toBe('{"a": 1}');
  });

  it('serves files of local-folder runs', async () => {
    const r = await call('GET', `/get-artifact?run_id=${localRunId}&path=plots/loss.png`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect([...r.body]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('refuses escapes and reports missing things without 5xx', async () => {
    expect((await call('GET', `/get-artifact?run_id=${runId}&path=../../x`)).json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Invalid path',
    });
    expect((await call('GET', `/get-artifact?run_id=${localRunId}&path=..%2F..%2F..%2Fetc%2Fpasswd`)).status).toBe(400);
    expect((await call('GET', `/get-artifact?run_id=${runId}&path=missing`)).status).toBe(404);
    expect((await call('GET', `/get-artifact?run_id=nope&path=x`)).status).toBe(404);
    expect((await call('GET', `/get-artifact?run_id=${runId}`)).status).toBe(400);
    expect((await call('GET', `/get-artifact?run_id=${remoteRunId}&path=x`)).status).toBe(404);
  });
});

describe('POST /ajax-api/2.0/mlflow/upload-artifact (UI upload)', () => {
  const up = (query: string, body?: string, type = 'application/octet-stream') =>
    call('POST', `/ajax-api/2.0/mlflow/upload-artifact?${query}`, body, { 'Content-Type': type });

  it('writes into the run artifact folder', async () => {
    const r = await up(`run_uuid=${runId}&path=uploads/note.txt`, 'from the UI');
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    const list = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=uploads`);
    expect(list.json.files).toEqual([{ path: 'uploads/note.txt', is_dir: false, file_size: 11 }]);
    const local = await up(`run_uuid=${localRunId}&path=up.txt`, 'local');
    expect(local.status).toBe(200);
    expect(readFileSync(join(localDir, localRunId, 'artifacts', 'up.txt'), 'utf8')).toBe('local');
  });

  it('mirrors MLflow validation messages', async () => {
    expect((await up(`path=x`, 'a')).json.message).toBe('Request must specify run_uuid.');
    expect((await up(`run_uuid=${runId}`, 'a')).json.message).toBe('Request must specify path.');
    expect((await up(`run_uuid=${runId}&path=../x`, 'a')).json.message).toBe('Invalid path');
    expect((await up(`run_uuid=${runId}&path=x`, '')).json.message).toBe('Request must specify data.');
    expect((await up(`run_uuid=${runId}&path=x`, 'a=b', 'application/x-www-form-urlencoded')).json.message).toBe(
      'Request must specify data.',
    );
    expect((await up(`run_uuid=nope&path=x`, 'a')).status).toBe(404);
    const big = await up(`run_uuid=${runId}&path=big.bin`, 'x'.repeat(10 * 1024 * 1024 + 1));
    expect(big.status).toBe(400);
    expect(big.json.message).toBe('Artifact size is too large. Max size is 10MB.');
  });
});

describe('logged model artifacts', () => {
  let modelId: string;
  beforeAll(async () => {
    const exp = app.ctx.tracking.createExperiment('lm-exp', null, []);
    const model = app.ctx.loggedModels.createLoggedModel({
      experimentId: exp,
      name: 'm',
      modelType: null,
      sourceRunId: null,
      params: [],
      tags: [],
    });
    modelId = model.info.model_id;
    const base = model.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    await put(`${base}/MLmodel`, 'hi\n');
    await put(`${base}/sub/a.txt`, 'x\n');
  });

  it('lists directories like MLflow', async () => {
    const uri = app.ctx.loggedModels.getLoggedModel(modelId).info.artifact_uri;
    const r = await call('GET', `/api/2.0/mlflow/logged-models/${modelId}/artifacts/directories`);
    expect(r.json).toEqual({
      root_uri: uri,
      files: [
        { path: 'MLmodel', is_dir: false, file_size: 3 },
        { path: 'sub', is_dir: true },
      ],
    });
    const sub = await call(
      'GET',
      `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/directories?artifact_directory_path=sub`,
    );
    expect(sub.json.files).toEqual([{ path: 'sub/a.txt', is_dir: false, file_size: 2 }]);
    const missing = await call('GET', `/api/2.0/mlflow/logged-models/m-nope/artifacts/directories`);
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe("Logged model with ID 'm-nope' not found.");
  });

  it('downloads files through the ajax route only', async () => {
    const r = await call(
      'GET',
      `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files?artifact_file_path=sub/a.txt`,
    );
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('x\n');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename=a.txt');
    const noPath = await call('GET', `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files`);
    expect(noPath.status).toBe(400);
    expect(noPath.json).toEqual({
      error_code: 'BAD_REQUEST',
      message: 'Request must include the "artifact_file_path" query parameter.',
    });
    const bad = await call(
      'GET',
      `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files?artifact_file_path=../../x`,
    );
    expect(bad.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    const api = await call(
      'GET',
      `/api/2.0/mlflow/logged-models/${modelId}/artifacts/files?artifact_file_path=MLmodel`,
    );
    expect(api.status).toBe(404);
  });
});
