import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * Hostile input on every Model Registry endpoint: malformed or non-object JSON, wrong types,
 * bytes that are not UTF-8, unpaired surrogates, unknown names and versions, absurd sizes. Each
 * answer must be MLflow's JSON error shape with a 4xx status (where `mlflow server` 3.5.1 itself
 * crashes with an HTML 500, e.g. on a JSON array body, Runlens answers 400), and the server must
 * keep serving. Exact messages are those `mlflow server` 3.5.1 gave for the same requests.
 */

let app: TestApp;
const SEE_DOCS = ' See the API docs for more information about request parameters.';
const R = '/api/2.0/mlflow';

interface Answer {
  status: number;
  type: string;
  json: any;
}

function send(method: string, path: string, body?: Buffer | string, contentType = 'application/json'): Promise<Answer> {
  const url = new URL(app.url);
  const headers: Record<string, string | number> = {};
  if (body !== undefined) {
    headers['Content-Type'] = contentType;
    headers['Content-Length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectMlflowClientError(a: Answer, label: string): void {
  const what = label.length > 200 ? `${label.slice(0, 200)}...` : label;
  expect(a.status, what).toBeGreaterThanOrEqual(400);
  expect(a.status, what).toBeLessThan(500);
  expect(a.type, what).toContain('application/json');
  expect(typeof a.json?.error_code, what).toBe('string');
  expect(typeof a.json?.message, what).toBe('string');
}

const BODY_ENDPOINTS: [string, string][] = [
  ['POST', '/registered-models/create'],
  ['POST', '/registered-models/rename'],
  ['PATCH', '/registered-models/update'],
  ['DELETE', '/registered-models/delete'],
  ['POST', '/registered-models/set-tag'],
  ['DELETE', '/registered-models/delete-tag'],
  ['POST', '/registered-models/alias'],
  ['DELETE', '/registered-models/alias'],
  ['POST', '/registered-models/get-latest-versions'],
  ['POST', '/model-versions/create'],
  ['PATCH', '/model-versions/update'],
  ['POST', '/model-versions/transition-stage'],
  ['DELETE', '/model-versions/delete'],
  ['POST', '/model-versions/set-tag'],
  ['DELETE', '/model-versions/delete-tag'],
];

const QUERY_ENDPOINTS = [
  '/registered-models/get',
  '/registered-models/search',
  '/registered-models/alias',
  '/registered-models/get-latest-versions',
  '/model-versions/get',
  '/model-versions/get-download-uri',
  '/model-versions/search',
];

/** Bodies that can never make a valid request on any endpoint (the name never exists, or is unusable). */
const HOSTILE_BODIES: [string, Buffer | string][] = [
  ['malformed JSON', '{bad'],
  ['a JSON array', '[1,2]'],
  ['a JSON string', '"x"'],
  ['a JSON number', '7'],
  ['JSON null', 'null'],
  ['an empty body', ''],
  ['deeply nested JSON', '['.repeat(5000) + ']'.repeat(5000)],
  [
    'bytes that are not UTF-8',
    Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  ],
  ['a UTF-16 body', Buffer.from('\ufeff{"name":"m"}', 'utf16le')],
  ['an unpaired surrogate', '{"name":"\\ud800","version":"1","new_name":"\\udc00x"}'],
  ['a numeric name', '{"name":1,"version":"1"}'],
  ['a list as name', '{"name":["m"],"version":"1"}'],
  ['an object as name', '{"name":{"a":1},"version":"1"}'],
  ['a boolean name', '{"name":true}'],
  [
    'an unknown name',
    '{"name":"nope","version":"1","new_name":"n2","key":"k","value":"v","alias":"a","stage":"Staging","source":"s3://b/x"}',
  ],
  ['a fractional version', '{"name":"nope","version":1.5}'],
  ['a version list', '{"name":"nope","version":[1]}'],
  ['a huge version', '{"name":"nope","version":"99999999999999999999999"}'],
  ['a hex version', '{"name":"nope","version":"0x10"}'],
  ['tags that are not a list', '{"name":"nope","tags":"x"}'],
  ['tags that are not objects', '{"name":"nope","tags":[1]}'],
  ['a numeric tag key', '{"name":"nope","version":"1","key":1,"tags":[{"key":1}]}'],
  ['stages that are not strings', '{"name":"nope","stages":[1],"stage":5}'],
  ['a non-boolean archive flag', '{"name":"nope","version":"1","stage":"Staging","archive_existing_versions":"yes"}'],
  ['a 1 MB unknown name', JSON.stringify({ name: 'n'.repeat(1024 * 1024), version: [], tags: 'x' })],
  ['a NUL in an unknown name', '{"name":"nope\\u0000x","version":"1","tags":"x"}'],
];

beforeAll(async () => {
  app = await startTestApp();
  await app.api('POST', '/mlflow/registered-models/create', { name: 'm' });
  await app.api('POST', '/mlflow/model-versions/create', { name: 'm', source: 's3://bucket/m' });
});
afterAll(async () => {
  await app.close();
});

describe('JSON bodies', () => {
  for (const [method, path] of BODY_ENDPOINTS) {
    it(`${method} ${path} answers 4xx in MLflow's JSON error shape`, async () => {
      // On create, "nope" must exist so that the well-formed bodies fail (already exists) too.
      const creating = path === '/registered-models/create';
      if (creating) await app.api('POST', '/mlflow/registered-models/create', { name: 'nope' });
      for (const [what, body] of HOSTILE_BODIES) {
        expectMlflowClientError(await send(method, R + path, body), `${what} -> ${method} ${path}`);
      }
      if (creating) await app.api('DELETE', '/mlflow/registered-models/delete', { name: 'nope' });
      // A body that is not declared as JSON is refused before it is read.
      if (method === 'POST') {
        const form = await send(method, R + path, 'name=m', 'application/x-www-form-urlencoded');
        expect(form.json).toEqual({
          error_code: 'INVALID_PARAMETER_VALUE',
          message: "Bad Request. Content-Type must be one of ['application/json'].",
        });
      }
    });
  }

  it('reads a body that is not UTF-8 as an empty request, as Flask does', async () => {
    const r = await send('POST', `${R}/registered-models/create`, Buffer.from('{"name": "\xff\xfe"}', 'latin1'));
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Missing value for required parameter 'name'.${SEE_DOCS}`,
    });
  });

  it('accepts a UTF-8 byte order mark (Python decodes utf-8-sig)', async () => {
    const r = await send('POST', `${R}/registered-models/create`, '\ufeff{"name":"with-bom"}');
    expect(r.status).toBe(200);
    expect(r.json.registered_model.name).toBe('with-bom');
  });

  it('leaves a field holding an unpaired surrogate unset, as protobuf does', async () => {
    const r = await send('POST', `${R}/registered-models/create`, '{"name":"bad\\ud800"}');
    expect(r.status).toBe(400);
    expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(r.json.message).toMatch(/^Missing value for required parameter 'name'\./);
    // Nothing was created under a mangled name.
    const all = await app.api('GET', '/mlflow/registered-models/search', { max_results: 1000 });
    const names = (all.body.registered_models as { name: string }[]).map((m) => m.name);
    expect(names.sort()).toEqual(['m', 'with-bom']);
    // A proper surrogate pair is an ordinary character.
    const ok = await send('POST', `${R}/registered-models/create`, '{"name":"emoji-\\ud83d\\ude00"}');
    expect(ok.json.registered_model.name).toBe('emoji-\u{1f600}');
  });

  it('reads a tag element that is not an object as an empty tag, as protobuf does (key "" is refused)', async () => {
    const emptyKey =
      'Invalid value "" for parameter \'key\' supplied: Names may be treated as files in certain cases, and must ' +
      "not resolve to other names when treated as such. This name would resolve to '.'";
    for (const tags of ['[1]', '[null]', '[true]', '["ab"]', '[[]]', '[["key"]]', '[{"key":"a","value":"b"},"zz"]']) {
      const rm = await send('POST', `${R}/registered-models/create`, `{"name":"tagged","tags":${tags}}`);
      expect(rm.json, tags).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: emptyKey });
      const mv = await send('POST', `${R}/model-versions/create`, `{"name":"m","source":"s3://b/x","tags":${tags}}`);
      expect(mv.json, tags).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: emptyKey });
    }
    expect((await app.api('GET', '/mlflow/registered-models/get', { name: 'tagged' })).status).toBe(404);
  });

  it('takes a 1 MB name, as MLflow on SQLite does (no length limit), and finds it again', async () => {
    const name = 'n'.repeat(1024 * 1024);
    expect((await send('POST', `${R}/registered-models/create`, JSON.stringify({ name }))).status).toBe(200);
    const got = await send('GET', `${R}/registered-models/get?name=${name.slice(0, 8000)}`);
    expect(got.status).toBe(404);
    expect((await send('DELETE', `${R}/registered-models/delete`, JSON.stringify({ name }))).status).toBe(200);
  });

  it('answers unknown names and versions with RESOURCE_DOES_NOT_EXIST', async () => {
    expect((await send('PATCH', `${R}/registered-models/update`, '{"name":"nope","description":"d"}')).json).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Registered Model with name=nope not found',
    });
    expect(
      (await send('PATCH', `${R}/model-versions/update`, '{"name":"m","version":"99","description":"d"}')).json,
    ).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version (name=m, version=99) not found' });
    const del = await send('DELETE', `${R}/model-versions/delete`, '{"name":"m","version":"99"}');
    expect(del.status).toBe(404);
  });
});

describe('query strings', () => {
  const QUERIES = [
    '',
    '?name=',
    '?name=nope',
    '?name=m&version=abc',
    '?name=m&version=1.0',
    '?name=m&version=99999999999999999999999',
    '?name=m&version=99',
    '?name=%ff%fe&version=1',
    '?name=m%00&version=1',
    '?name=m&alias=nope',
    '?name=m&alias=%ff',
    '?name=m&version=1&name=nope&alias=%00',
    '?name[]=m',
    '?max_results=abc',
    '?max_results=-5',
    '?max_results=1e3',
    '?max_results=100000000000000000000',
    '?max_results=1000000',
    '?page_token=garbage',
    '?page_token=%ff%fe',
    '?page_token=eyJvZmZzZXQiOiAtNX0%3D',
    '?page_token=eyJvZmZzZXQiOiAiYSJ9',
    '?page_token=W10%3D',
    '?filter=name%20%3D',
    '?filter=%ff',
    '?filter=tags.%60x%60%20LIKE%201',
    '?filter=name%20IN%20(%27a%27)',
    '?filter=' + encodeURIComponent("name = '" + 'x'.repeat(8000) + "' AND ".repeat(3) + 'x'),
    // Past Node's 16 KB limit for the request line: still a 4xx in MLflow's JSON shape.
    '?filter=' + 'x'.repeat(100000),
    '?order_by=bogus',
    '?order_by=name%20sideways',
    '?order_by=%ff',
    '?name=m&stages=bogus',
  ];

  for (const path of QUERY_ENDPOINTS) {
    it(`GET ${path} answers 200 or 4xx in MLflow's JSON error shape`, async () => {
      for (const q of QUERIES) {
        const a = await send('GET', R + path + q);
        if (a.status === 200) expect(a.json, q).toBeTypeOf('object');
        else expectMlflowClientError(a, `GET ${path}${q}`);
      }
    });
  }

  it("gives MLflow's messages for unknown things and bad paging", async () => {
    expect((await send('GET', `${R}/registered-models/get?name=nope`)).json).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Registered Model with name=nope not found',
    });
    expect((await send('GET', `${R}/model-versions/get?name=m&version=99`)).json).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Model Version (name=m, version=99) not found',
    });
    expect((await send('GET', `${R}/registered-models/alias?name=m&alias=nope`)).json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Registered model alias nope not found.',
    });
    expect((await send('GET', `${R}/registered-models/search?page_token=garbage`)).json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Invalid page token, could not base64-decode',
    });
    expect((await send('GET', `${R}/model-versions/search?filter=name%20%3D`)).json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Invalid clause(s) in filter string: name, =',
    });
  });

  it('is still serving afterwards', async () => {
    const r = await app.api('GET', '/mlflow/registered-models/get', { name: 'm' });
    expect(r.status).toBe(200);
    expect(r.body.registered_model.latest_versions[0].version).toBe('1');
  });
});
