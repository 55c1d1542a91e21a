import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * What MLflow's own tests/tracking/test_mlflow_artifacts.py checks against `mlflow server
 * --artifacts-destination`, over real HTTP: download headers (MIME type and Content-Disposition as
 * the Python client and browsers see them), model versions whose files sit in the proxied store,
 * and paths the filesystem cannot hold. Expectations were checked against `mlflow server` 3.5.1.
 */

let app: TestApp;
let runId: string;
let runBase: string;
const A = '/api/2.0/mlflow-artifacts/artifacts';

async function call(method: string, path: string, body?: string) {
  const res = await fetch(app.url + path, { method, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

beforeAll(async () => {
  app = await startTestApp();
  const run = await app.api('POST', '/mlflow/runs/create', { experiment_id: '0' });
  runId = run.body.run.info.run_id;
  expect(run.body.run.info.artifact_uri).toBe(`mlflow-artifacts:/0/${runId}/artifacts`);
  runBase = `0/${runId}/artifacts`;
});
afterAll(async () => {
  await app.close();
});

describe('download headers (test_mime_type_for_download_artifacts_api)', () => {
  it.each([
    ['a.txt', 'text/plain'],
    ['b.pkl', 'application/octet-stream'],
    ['c.png', 'image/png'],
    ['d.pdf', 'application/pdf'],
    ['MLmodel', 'text/plain'],
    // MLflow's MLPROJECT_FILE_NAME is lowercase "mlproject"; "MLproject" is not in its text list.
    ['mlproject', 'text/plain'],
    ['MLproject', 'application/octet-stream'],
  ])('%s is served as %s on the proxy and on /get-artifact', async (name, type) => {
    expect((await call('PUT', `${A}/dir/${name}`, '')).status).toBe(200);
    const proxied = await call('GET', `${A}/dir/${name}`);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe(type);
    expect(proxied.headers.get('content-disposition')).toBe(`attachment; filename=${name}`);
    expect(proxied.headers.get('x-content-type-options')).toBe('nosniff');

    expect((await call('PUT', `${A}/${runBase}/${name}`, '')).status).toBe(200);
    const ui = await call('GET', `/get-artifact?run_id=${runId}&path=${name}`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toBe(type);
    expect(ui.headers.get('content-disposition')).toBe(`attachment; filename=${name}`);
  });

  it('sends log_image file names (with %) unquoted, as MLflow does (test_rest_get_artifact_api_log_image)', async () => {
    // The client percent-encodes each "%" of `dog%step%100%timestamp%100%<uuid>%compressed.webp`.
    const name = 'dog%step%100%timestamp%100%0a1b2c3d-4e5f%compressed.webp';
    const wire = name.replace(/%/g, '%25');
    expect((await call('PUT', `${A}/${runBase}/images/${wire}`, 'img')).status).toBe(200);
    const list = await call('GET', `/ajax-api/2.0/mlflow/artifacts/list?run_id=${runId}&path=images`);
    const paths = list.json.files.map((f: { path: string }) => f.path) as string[];
    expect(paths).toHaveLength(1);
    const got = await call('GET', `/get-artifact?run_id=${runId}&path=${encodeURIComponent(paths[0]!)}`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('img');
    expect(got.headers.get('content-disposition')).toContain('attachment; filename=dog%step%100%timestamp%100');
    expect(got.headers.get('content-disposition')).not.toContain('"');
  });
});

describe("Flask send_file behaviour on the UI download routes (MLflow's /get-artifact)", () => {
  const get = (headers: Record<string, string> = {}) =>
    fetch(`${app.url}/get-artifact?run_id=${runId}&path=send/a.txt`, { headers });

  beforeAll(async () => {
    expect((await call('PUT', `${A}/${runBase}/send/a.txt`, 'hello')).status).toBe(200);
  });

  it('sends an ETag and answers If-None-Match / If-Modified-Since with 304', async () => {
    const first = await get();
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\d.]+-5"$/);
    const byTag = await get({ 'If-None-Match': etag });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get('content-disposition')).toBe('attachment; filename=a.txt');
    expect(await byTag.text()).toBe('');
    expect((await get({ 'If-None-Match': '"other"' })).status).toBe(200);
    expect((await get({ 'If-Modified-Since': first.headers.get('last-modified')! })).status).toBe(304);
    expect((await get({ 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
  });

  it.each([
    ['bytes=1-', 'bytes 1-4/5', 'ello'],
    ['bytes=-2', 'bytes 3-4/5', 'lo'],
    ['bytes=1-100', 'bytes 1-4/5', 'ello'],
    ['bytes=0-0', 'bytes 0-0/5', 'h'],
  ])('serves Range %s as 206 %s', async (range, contentRange, body) => {
    const r = await get({ Range: range });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(contentRange);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(await r.text()).toBe(body);
  });

  it.each(['bytes=10-20', 'bytes=0-1,3-4', 'bytes=3-1', 'items=1-2', 'bytes=abc', 'bytes=-0'])(
    'answers Range %s with 416 and the file size',
    async (range) => {
      const r = await get({ Range: range });
      expect(r.status).toBe(416);
      expect(r.headers.get('content-range')).toBe('bytes */5');
      expect(((await r.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    },
  );

  it('honours If-Range only when it names the current version', async () => {
    const etag = (await get()).headers.get('etag')!;
    expect((await get({ Range: 'bytes=1-2', 'If-Range': etag })).status).toBe(206);
    const stale = await get({ Range: 'bytes=1-2', 'If-Range': '"stale"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe('hello');
  });

  it('leaves the proxied download route plain, as MLflow does', async () => {
    const r = await fetch(`${app.url}${A}/${runBase}/send/a.txt`, { headers: { Range: 'bytes=1-2' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBeNull();
    expect(await r.text()).toBe('hello');
  });

  it('quotes names that are not tokens like send_file; the proxy route sends them raw like MLflow', async () => {
    expect((await call('PUT', `${A}/${runBase}/send/sp%20ace.txt`, 's')).status).toBe(200);
    const ui = await call('GET', `/get-artifact?run_id=${runId}&path=send/sp%20ace.txt`);
    expect(ui.headers.get('content-disposition')).toBe('attachment; filename="sp ace.txt"');
    const proxied = await call('GET', `${A}/${runBase}/send/sp%20ace.txt`);
    expect(proxied.headers.get('content-disposition')).toBe('attachment; filename=sp ace.txt');
  });
});

describe('model versions stored in the proxied artifact store', () => {
  // MLflow's test registers source "mlflow-artifacts:" straight into the server's database (REST
  // refuses it, in MLflow too); these REST-valid sources take the same serving path.
  it.each([
    ['mlflow-artifacts:/models/proxied', 'models/proxied'],
    ['http://localhost:5000/api/2.0/mlflow-artifacts/artifacts/models/viahttp', 'models/viahttp'],
  ])('GET /model-versions/get-artifact serves %s from the artifact root', async (source, dir) => {
    mkdirSync(join(app.ctx.artifacts.root, dir), { recursive: true });
    writeFileSync(join(app.ctx.artifacts.root, dir, 'a.txt'), 'abcdefg');
    const name = `proxied-${dir.replace('/', '-')}`;
    expect((await app.api('POST', '/mlflow/registered-models/create', { name })).status).toBe(200);
    const mv = await app.api('POST', '/mlflow/model-versions/create', { name, source, run_id: '1' });
    expect(mv.status).toBe(200);
    expect(mv.body.model_version).toMatchObject({ version: '1', source, run_id: '1' });
    const r = await call('GET', `/model-versions/get-artifact?name=${name}&version=1&path=a.txt`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('abcdefg');
  });

  it('refuses the bare "mlflow-artifacts:" source over REST, with MLflow\'s message', async () => {
    await app.api('POST', '/mlflow/registered-models/create', { name: 'bare' });
    const r = await app.api('POST', '/mlflow/model-versions/create', {
      name: 'bare',
      source: 'mlflow-artifacts:',
      run_id: '1',
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      "Invalid model version source: 'mlflow-artifacts:'. If supplying a source as an http, https, local file path, " +
        'ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path ' +
        'references present. Please provide an absolute path.',
    );
  });
});

describe('names the filesystem cannot hold', () => {
  const long = 'x'.repeat(5000);

  it('list as empty and delete as a no-op, as in MLflow', async () => {
    expect(await call('GET', `${A}?path=${long}`)).toMatchObject({ status: 200, json: {} });
    expect(await call('GET', `${A}?path=${'a/'.repeat(3000)}x`)).toMatchObject({ status: 200, json: {} });
    expect(await call('DELETE', `${A}/${long}`)).toMatchObject({ status: 200, json: {} });
    const runList = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=${long}`);
    expect(runList).toMatchObject({ status: 200, json: { root_uri: `mlflow-artifacts:/${runBase}` } });
  });

  it('are a 4xx on download and upload, never a 5xx', async () => {
    const get = await call('GET', `${A}/${long}`);
    expect(get.status).toBe(404);
    expect(get.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const put = await call('PUT', `${A}/${long}`, 'x');
    expect(put.status).toBe(400);
    expect(put.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: `File name too long: '${long}'` });
  });
});
