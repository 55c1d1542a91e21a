import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * Hostile input on every route that touches artifact files besides the proxy itself (which
 * artifacts-security.test.ts covers): the UI download and upload routes, run and logged-model
 * listings, a registered version's files, and the multipart-upload endpoints. Every encoding of
 * a path escape is refused with MLflow's 400 "Invalid path"; malformed bodies, multipart forms,
 * bytes that are not UTF-8 and oversized requests get a 4xx in MLflow's JSON error shape; nothing
 * is ever written outside the artifact root.
 */

let app: TestApp;
let runId: string;
let modelId: string;
let outside: string;
const A = '/api/2.0/mlflow-artifacts/artifacts';
const INVALID = { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' };
const SEE_DOCS = ' See the API docs for more information about request parameters.';
/** One keep-alive connection for every request, as the Python client's session: a request that
 * leaves the connection unusable makes the next one hang. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

interface Answer {
  status: number;
  type: string;
  text: string;
  json: any;
}

function send(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}) {
  const url = new URL(app.url);
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectClientError(a: Answer, what: string): void {
  expect(a.status, what).toBeGreaterThanOrEqual(400);
  expect(a.status, what).toBeLessThan(500);
  expect(a.type, what).toContain('application/json');
  expect(typeof a.json?.error_code, what).toBe('string');
  expect(typeof a.json?.message, what).toBe('string');
}

/** Escapes as they appear in a query string value (the server decodes the query once first). */
const ESCAPES = [
  '../secret.txt',
  '..%2Fsecret.txt',
  '%2e%2e%2fsecret.txt',
  '%252e%252e%252fsecret.txt',
  '%25252e%25252e%25252fsecret.txt',
  'a%2F..%2F..%2F..%2Fsecret.txt',
  '%2Fetc%2Fpasswd',
  '%2F%2Fetc%2Fpasswd',
  'file%3A%2F%2F%2Fetc%2Fpasswd',
  'file%3A%2Fetc%2Fpasswd',
  'C%3A%2Fsecret.txt',
  'c%3A%5Csecret.txt',
  '..%5Csecret.txt',
  'a%5C..%5C..%5Csecret.txt',
  'x%23y',
];

function nothingOutside(): void {
  expect(readdirSync(outside)).toEqual(['secret.txt']);
  expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  expect(
    readdirSync(app.dataDir).filter(
      (n) => !['artifacts', 'runlens.db', 'runlens.db-wal', 'runlens.db-shm'].includes(n),
    ),
  ).toEqual([]);
}

beforeAll(async () => {
  app = await startTestApp();
  outside = mkdtempSync(join(tmpdir(), 'runlens-hostile-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
  const run = await app.api('POST', '/mlflow/runs/create', { experiment_id: '0' });
  runId = run.body.run.info.run_id;
  await send('PUT', `${A}/0/${runId}/artifacts/model/MLmodel`, 'flavors: {}\n');
  await app.api('POST', '/mlflow/registered-models/create', { name: 'm' });
  await app.api('POST', '/mlflow/model-versions/create', {
    name: 'm',
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
  const model = app.ctx.loggedModels.createLoggedModel({
    experimentId: '0',
    name: 'lm',
    modelType: null,
    sourceRunId: null,
    params: [],
    tags: [],
  });
  modelId = model.info.model_id;
});
afterAll(async () => {
  agent.destroy();
  await app.close();
  rmSync(outside, { recursive: true, force: true });
});

describe('path escapes on every artifact route are 400 "Invalid path"', () => {
  const routes: [string, (p: string) => [string, string, string?]][] = [
    ['GET /get-artifact', (p) => ['GET', `/get-artifact?run_id=${runId}&path=${p}`]],
    ['GET /model-versions/get-artifact', (p) => ['GET', `/model-versions/get-artifact?name=m&version=1&path=${p}`]],
    ['GET /mlflow/artifacts/list', (p) => ['GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=${p}`]],
    ['GET /mlflow-artifacts/artifacts?path=', (p) => ['GET', `${A}?path=${p}`]],
    [
      'GET logged-model files',
      (p) => ['GET', `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files?artifact_file_path=${p}`],
    ],
    [
      'GET logged-model directories',
      (p) => ['GET', `/api/2.0/mlflow/logged-models/${modelId}/artifacts/directories?artifact_directory_path=${p}`],
    ],
    ['POST upload-artifact', (p) => ['POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=${p}`, 'x']],
  ];
  for (const [label, build] of routes) {
    it.each(ESCAPES)(`${label} %s`, async (p) => {
      const [method, path, body] = build(p);
      const headers: Record<string, string> = body ? { 'Content-Type': 'application/octet-stream' } : {};
      const r = await send(method, path, body, headers);
      expect(r.status).toBe(400);
      expect(r.json).toEqual(INVALID);
      expect(r.text).not.toContain('top secret');
      nothingOutside();
    });
  }

  it.each(['create', 'complete', 'abort'])('POST /mlflow-artifacts/mpu/%s/<escape>', async (op) => {
    for (const p of ['..%2Fx', '%252e%252e%252fx', '%2Fetc%2Fpasswd', '..%5Cx', 'x%23y']) {
      const r = await send('POST', `/api/2.0/mlflow-artifacts/mpu/${op}/${p}`, '{"path":"x"}', {
        'Content-Type': 'application/json',
      });
      expect(r.json, p).toEqual(INVALID);
    }
  });
});

describe('names that are not UTF-8 or not decodable', () => {
  const BAD = ['%ff%fe', 'd/%ff.txt', '%c0%ae%c0%ae/x', '%', '%%', '%zz', '%u002e%u002e/x', '%e0%a4%a'];

  it.each(BAD)('%s answers 200 or a JSON 4xx everywhere, never 5xx', async (p) => {
    const calls: [string, string, string?][] = [
      ['GET', `${A}/${p}`],
      ['PUT', `${A}/bad/${p}`, 'x'],
      ['DELETE', `${A}/bad/${p}`],
      ['GET', `${A}?path=${p}`],
      ['GET', `/get-artifact?run_id=${runId}&path=${p}`],
      ['GET', `/model-versions/get-artifact?name=m&version=1&path=${p}`],
      ['GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=${p}`],
      ['POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=bad/${p}`, 'x'],
      ['POST', `/api/2.0/mlflow-artifacts/mpu/create/${p}`, '{"path":"x"}'],
    ];
    for (const [method, path, body] of calls) {
      const headers: Record<string, string> = body ? { 'Content-Type': 'application/json' } : {};
      const r = await send(method, path, body, headers);
      if (r.status === 200) continue;
      if (r.status === 501) {
        // A well-formed multipart request: MLflow's own answer for local storage.
        expect(r.json?.error_code).toBe('NOT_IMPLEMENTED');
        continue;
      }
      expectClientError(r, `${method} ${path}`);
    }
    nothingOutside();
  });

  it('malformed HTTP framing (bad chunks, smuggling headers) is a JSON 400 and writes nothing', async () => {
    const url = new URL(app.url);
    const rawExchange = (data: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.end(data));
        let out = '';
        socket.on('data', (c: Buffer) => (out += c.toString('utf8')));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
      });
    const head = `PUT ${A}/framing/f.txt HTTP/1.1\r\nHost: ${url.host}\r\n`;
    for (const data of [
      `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
      `${head}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      `${head}Bad Header\r\n\r\n`,
    ]) {
      const out = await rawExchange(data);
      expect(out).toMatch(/^HTTP\/1\.1 400 /);
      expect(out).toContain('Content-Type: application/json');
      expect(out.slice(out.indexOf('\r\n\r\n') + 4)).toBe(
        '{"error_code": "BAD_REQUEST", "message": "Malformed HTTP request"}',
      );
    }
    // No file (not even a temporary one) is left once the aborted handlers have cleaned up; only
    // the parent folder may have been created.
    const dir = join(app.ctx.artifacts.root, 'framing');
    const left = () => (existsSync(dir) ? readdirSync(dir) : []);
    for (let i = 0; i < 40 && left().length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(left()).toEqual([]);
  });

  it("a URL past the 16 KB request-line limit is a 4xx in MLflow's JSON shape", async () => {
    const r = await send('GET', `${A}/${'x'.repeat(20000)}`);
    expect(r.status).toBe(431);
    expect(r.json).toEqual({ error_code: 'BAD_REQUEST', message: 'Request line or headers are too large' });
    const again = await send('GET', `${A}?path=model`);
    expect(again.status).toBe(200);
  });
});

describe('request bodies', () => {
  const upload = (body: Buffer | string, type: string) =>
    send('POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=up/u.txt`, body, {
      'Content-Type': type,
    });
  const form = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n--XX--\r\n';

  it('UI upload refuses multipart forms, valid or not, as MLflow (request.data is empty for forms)', async () => {
    const noData = { error_code: 'INVALID_PARAMETER_VALUE', message: 'Request must specify data.' };
    expect((await upload(form, 'multipart/form-data; boundary=XX')).json).toEqual(noData);
    expect((await upload('garbage', 'multipart/form-data')).json).toEqual(noData);
    expect((await upload('--XX\r\n' + 'A'.repeat(200000), 'multipart/form-data; boundary=XX')).json).toEqual(noData);
    expect((await upload('x', `multipart/form-data; boundary=${'B'.repeat(5000)}`)).json).toEqual(noData);
    expect(existsSync(join(app.ctx.artifacts.root, '0', runId, 'artifacts', 'up'))).toBe(false);
  });

  it('UI upload refuses bodies over 10 MB whatever their declared length', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);
    const r = await upload(big, 'application/octet-stream');
    expect(r.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Artifact size is too large. Max size is 10MB.',
    });
    const chunked = await new Promise<Answer>((resolve, reject) => {
      const url = new URL(app.url);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          agent,
          method: 'POST',
          path: `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=up/chunked.bin`,
          headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type']),
              text,
              json: JSON.parse(text),
            });
          });
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 11; i++) req.write(Buffer.alloc(1024 * 1024, 0x62));
      req.end();
    });
    expect(chunked.status).toBe(400);
    expect(chunked.json.message).toBe('Artifact size is too large. Max size is 10MB.');
    // The body was cut off mid-stream: the connection is closed rather than left to hang.
    expect((await send('GET', '/health')).status).toBe(200);
    expect(existsSync(join(app.ctx.artifacts.root, '0', runId, 'artifacts', 'up', 'chunked.bin'))).toBe(false);
  });

  it('the proxy stores a multipart-typed PUT byte-exact (it never parses bodies)', async () => {
    const r = await send('PUT', `${A}/mp/form.txt`, form, { 'Content-Type': 'multipart/form-data; boundary=XX' });
    expect(r.status).toBe(200);
    expect(readFileSync(join(app.ctx.artifacts.root, 'mp', 'form.txt'), 'utf8')).toBe(form);
  });

  it('multipart-upload endpoints validate their JSON bodies like MLflow, then answer 501', async () => {
    const mpu = (op: string, body: Buffer | string, type = 'application/json') =>
      send('POST', `/api/2.0/mlflow-artifacts/mpu/${op}/a.txt`, body, { 'Content-Type': type });
    const missingPath = {
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Missing value for required parameter 'path'.${SEE_DOCS}`,
    };
    for (const op of ['create', 'complete', 'abort']) {
      expect((await mpu(op, '{bad')).json, op).toEqual(missingPath);
      expect((await mpu(op, '[1,2]')).json, op).toEqual(missingPath);
      // Bytes that are not UTF-8 fail Flask's get_json: an empty request.
      expect((await mpu(op, Buffer.from('{"path":"\xff"}', 'latin1'))).json, op).toEqual(missingPath);
      expect((await mpu(op, '{"path":1}')).json.message, op).toBe(
        `Invalid value 1 for parameter 'path' supplied:  Hint: Value was of type 'int'.${SEE_DOCS}`,
      );
      expect((await mpu(op, '{"path":"a.txt"}', 'text/plain')).json, op).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: "Bad Request. Content-Type must be one of ['application/json'].",
      });
      expect((await mpu(op, JSON.stringify({ path: 'x'.repeat(2 * 1024 * 1024) }))).status, op).toBe(400);
    }
    const create = await mpu('create', '{"path":"a.txt","num_parts":2}');
    expect(create.status).toBe(501);
    expect(create.json).toEqual({
      error_code: 'NOT_IMPLEMENTED',
      message: 'Multipart upload is not supported for the current artifact repository',
    });
  });

  it('unknown runs, versions and models are 404 RESOURCE_DOES_NOT_EXIST', async () => {
    for (const path of [
      '/get-artifact?run_id=nope&path=a.txt',
      '/model-versions/get-artifact?name=nope&version=1&path=a',
      '/model-versions/get-artifact?name=m&version=99&path=a',
      '/api/2.0/mlflow/artifacts/list?run_id=nope',
      '/ajax-api/2.0/mlflow/logged-models/m-nope/artifacts/files?artifact_file_path=a',
      `/get-artifact?run_id=${runId}&path=missing.txt`,
    ]) {
      const r = await send('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.json.error_code, path).toBe('RESOURCE_DOES_NOT_EXIST');
    }
    const badVersion = await send('GET', '/model-versions/get-artifact?name=m&version=abc&path=a');
    expect(badVersion.status).toBe(400);
    expect(badVersion.json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
