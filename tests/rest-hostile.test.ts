import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * Hostile and malformed input on the tracking endpoints: every answer is a 4xx in MLflow's JSON error
 * shape ({error_code, message}), never a 5xx, and the server keeps serving. Where `mlflow server` 3.5.1
 * gives a definite 4xx, its exact status, code and message (checked against a reference server) are pinned.
 * Where MLflow itself fails with a 500 (deep nesting, a JSON array body...), Runlens must still answer 4xx.
 */
let app: TestApp;
let expId: string;
let runId: string;
let modelId: string;
beforeAll(async () => {
  app = await startTestApp();
  expId = (await app.api('POST', '/mlflow/experiments/create', { name: 'hostile' })).body.experiment_id;
  runId = (await app.api('POST', '/mlflow/runs/create', { experiment_id: expId })).body.run.info.run_id;
  modelId = (await app.api('POST', '/mlflow/logged-models', { experiment_id: expId })).body.model.info.model_id;
});
afterAll(async () => {
  await app.close();
});

const SEE_DOCS = ' See the API docs for more information about request parameters.';
const BAD_CT = "Bad Request. Content-Type must be one of ['application/json'].";

interface Answer {
  status: number;
  body: any;
  text: string;
}

async function send(
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers?: Record<string, string>,
): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: headers ?? (body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body,
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // checked by the callers
  }
  return { status: res.status, body: parsed, text };
}

const post = (path: string, body: unknown, headers?: Record<string, string>): Promise<Answer> =>
  send('POST', `/api/2.0/mlflow${path}`, typeof body === 'string' ? body : JSON.stringify(body), headers);

/** A client mistake: 4xx with MLflow's JSON error body. */
function expectClientError(a: Answer, status?: number, code?: string): void {
  if (a.status < 400 || a.status >= 500) throw new Error(`expected a 4xx, got ${a.status}: ${a.text.slice(0, 300)}`);
  if (status !== undefined) expect(a.status).toBe(status);
  expect(typeof a.body?.error_code).toBe('string');
  expect(typeof a.body?.message).toBe('string');
  if (code !== undefined) expect(a.body.error_code).toBe(code);
}

/** Anything but a server error: 2xx, or a 4xx in MLflow's shape. */
function expectNoServerError(a: Answer, what: string): void {
  if (a.status >= 500) throw new Error(`${what} -> ${a.status}: ${a.text.slice(0, 300)}`);
  if (a.status >= 400) expectClientError(a);
}

async function expectAlive(): Promise<void> {
  const health = await send('GET', '/health');
  expect(health.status).toBe(200);
  expect(health.text).toBe('OK');
}

describe('malformed JSON bodies read as empty (Flask get_json silent=True)', () => {
  const missingName = `Missing value for required parameter 'name'.${SEE_DOCS}`;
  it.each([
    ['truncated', '{"name": '],
    ['not JSON', 'not json at all'],
    ['empty', ''],
    ['null', 'null'],
    ['a number', '123'],
    ['an array', '[1, 2]'],
    ['a JSON string', '"just a string"'],
    ['trailing comma', '{"name": "x",}'],
    ['single quotes', "{'name': 'x'}"],
    ['comment', '{"name": "x" /* c */}'],
    ['two documents', '{"name": "x"}{"name": "y"}'],
  ])('%s', async (_what, body) => {
    const a = await post('/experiments/create', body);
    expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
    expect(a.body.message).toBe(missingName);
  });

  it('bytes that are not UTF-8', async () => {
    const bytes = new Uint8Array([...Buffer.from('{"name": "'), 0xc3, 0x28, 0xff, ...Buffer.from('"}')]);
    const a = await send('POST', '/api/2.0/mlflow/experiments/create', bytes);
    expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
    expect(a.body.message).toBe(missingName);
  });

  it('deeply nested JSON (MLflow itself fails with a 500 here)', async () => {
    for (const depth of [5_000, 100_000]) {
      const nested = '['.repeat(depth) + ']'.repeat(depth);
      expectClientError(await post('/experiments/create', `{"name": ${nested}}`), 400, 'INVALID_PARAMETER_VALUE');
      expectClientError(await post('/runs/log-batch', `{"run_id": "${runId}", "metrics": [${nested}]}`));
      expectClientError(await post('/runs/search', `{"experiment_ids": ${nested}}`));
    }
    await expectAlive();
  });
});

describe('content types', () => {
  it.each([
    ['text/plain', BAD_CT],
    ['application/x-www-form-urlencoded', BAD_CT],
    ['multipart/form-data; boundary=x', BAD_CT],
    ['APPLICATION/JSON', BAD_CT],
    ['application/jsonx', BAD_CT],
    ['', BAD_CT],
  ])('%j is refused as MLflow does', async (type, message) => {
    const a = await post('/experiments/create', '{"name": "ct"}', { 'Content-Type': type });
    expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
    expect(a.body.message).toBe(message);
  });

  it('a missing Content-Type is refused', async () => {
    // bytes, not a string: fetch would add text/plain to a string body
    const a = await send('POST', '/api/2.0/mlflow/runs/log-batch', Buffer.from(`{"run_id": "${runId}"}`), {});
    expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
    expect(a.body.message).toBe('Bad Request. Content-Type header is missing.');
  });

  it('parameters after the media type are allowed', async () => {
    const a = await post('/experiments/create', '{"name": "ct-charset"}', {
      'Content-Type': 'application/json; charset=utf-8',
    });
    expect(a.status).toBe(200);
  });
});

describe("wrong JSON types: MLflow's exact answers", () => {
  const hint = (value: string, name: string, type: string): string =>
    `Invalid value ${value} for parameter '${name}' supplied:  Hint: Value was of type '${type}'.${SEE_DOCS}`;
  it.each<[string, () => unknown, string]>([
    ['/experiments/create', () => ({ name: 123 }), hint('123', 'name', 'int')],
    ['/experiments/create', () => ({ name: 'x', tags: '5' }), hint('"5"', 'tags', 'str')],
    ['/experiments/create', () => ({ name: 'x', artifact_location: 9.0 }), hint('9', 'artifact_location', 'int')],
    ['/experiments/search', () => ({ max_results: 'abc' }), hint('"abc"', 'max_results', 'str')],
    [
      '/experiments/search',
      () => ({ max_results: 0 }),
      "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    ],
    ['/experiments/search', () => ({ max_results: 5, view_type: 'NOPE' }), hint('"NOPE"', 'view_type', 'str')],
    [
      '/runs/log-metric',
      () => ({ run_id: runId, key: 'm', value: 'abc', timestamp: 1 }),
      hint('"abc"', 'value', 'str'),
    ],
    [
      '/runs/log-metric',
      () => ({ run_id: runId, key: 'm', value: 1 }),
      `Missing value for required parameter 'timestamp'.${SEE_DOCS}`,
    ],
    [
      '/runs/log-metric',
      () => ({ run_id: runId, key: 'k'.repeat(251), value: 1, timestamp: 1 }),
      "'Metric name' exceeds the maximum length of 250 characters",
    ],
    ['/runs/log-batch', () => ({ run_id: runId, metrics: 'x' }), hint('"x"', 'metrics', 'str')],
    ['/runs/log-batch', () => ({ run_id: runId, params: 'x' }), hint('"x"', 'params', 'str')],
    [
      '/runs/log-batch',
      () => ({ run_id: runId, metrics: Array(1001).fill({ key: 'm', value: 1, timestamp: 1 }) }),
      'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.',
    ],
    [
      '/runs/search',
      () => ({ experiment_ids: [expId], filter: 'metrics.m >' }),
      "Invalid clause(s) in filter string: 'metrics.m', '>'",
    ],
    [
      '/runs/search',
      () => ({ experiment_ids: [expId], order_by: ['bogus.m'] }),
      "Invalid entity type 'bogus'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    ],
    ['/runs/search', () => ({ experiment_ids: [expId], max_results: 'x' }), hint('"x"', 'max_results', 'str')],
    ['/runs/search', () => ({ experiment_ids: [expId], page_token: '!!!' }), "Invalid page token, decoded value=b''"],
  ])('%s %j', async (path, body, message) => {
    const a = await post(path, body());
    expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
    expect(a.body.message).toBe(message);
  });
});

describe('wrong JSON types for every field', () => {
  const long = 'x'.repeat(10_000);
  const hostileValues: unknown[] = [
    null,
    5,
    -1,
    5.5,
    true,
    'str',
    '',
    [],
    {},
    [1],
    ['a'],
    { a: 1 },
    [{}],
    [{ key: 5, value: [] }],
    'NaN',
    '-Infinity',
    1e308,
    1e20,
    -1e20,
    long,
    '../..',
    '\u0000',
    '\ud800',
  ];
  const endpoints = (): [string, string, Record<string, unknown>][] => [
    ['POST', '/experiments/create', { name: 'n', artifact_location: 'a', tags: [{ key: 'k', value: 'v' }] }],
    ['POST', '/experiments/search', { max_results: 5, filter: "name = 'x'", order_by: ['name'], view_type: 'ALL' }],
    ['POST', '/experiments/update', { experiment_id: expId, new_name: 'renamed' }],
    ['POST', '/experiments/set-experiment-tag', { experiment_id: expId, key: 'k', value: 'v' }],
    ['POST', '/experiments/delete-experiment-tag', { experiment_id: expId, key: 'k' }],
    ['POST', '/runs/create', { experiment_id: expId, user_id: 'u', start_time: 1, tags: [], run_name: 'r' }],
    ['POST', '/runs/update', { run_id: runId, status: 'RUNNING', end_time: 5, run_name: 'r2' }],
    ['POST', '/runs/log-metric', { run_id: runId, key: 'm', value: 1.5, timestamp: 1, step: 0 }],
    ['POST', '/runs/log-parameter', { run_id: runId, key: 'p', value: 'v' }],
    ['POST', '/runs/set-tag', { run_id: runId, key: 't', value: 'v' }],
    ['POST', '/runs/delete-tag', { run_id: runId, key: 't' }],
    [
      'POST',
      '/runs/log-batch',
      {
        run_id: runId,
        metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
        params: [{ key: 'p9', value: 'v' }],
        tags: [{ key: 't', value: 'v' }],
      },
    ],
    ['POST', '/runs/log-model', { run_id: runId, model_json: '{}' }],
    [
      'POST',
      '/runs/log-inputs',
      {
        run_id: runId,
        datasets: [{ dataset: { name: 'd', digest: 'x', source_type: 's', source: 's' }, tags: [] }],
        models: [{ model_id: modelId }],
      },
    ],
    ['POST', '/runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 0 }] }],
    [
      'POST',
      '/runs/search',
      {
        experiment_ids: [expId],
        filter: 'metrics.m > 0',
        run_view_type: 'ALL',
        max_results: 10,
        order_by: ['metrics.m'],
      },
    ],
    ['POST', '/logged-models', { experiment_id: expId, name: 'm', model_type: 't', source_run_id: runId }],
    [
      'POST',
      '/logged-models/search',
      { experiment_ids: [expId], filter: "name = 'm'", max_results: 5, order_by: [{ field_name: 'name' }] },
    ],
    ['PATCH', `/logged-models/${modelId}`, { status: 'LOGGED_MODEL_READY' }],
    ['PATCH', `/logged-models/${modelId}/tags`, { tags: [{ key: 'a', value: 'b' }] }],
    ['POST', `/logged-models/${modelId}/params`, { params: [{ key: 'a', value: 'b' }] }],
  ];

  it('answers every substitution without a server error', async () => {
    let sent = 0;
    for (const [method, path, base] of endpoints()) {
      for (const field of Object.keys(base)) {
        for (const value of hostileValues) {
          const body = JSON.stringify({ ...base, [field]: value });
          const a = await send(method, `/api/2.0/mlflow${path}`, body);
          expectNoServerError(a, `${method} ${path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`);
          sent++;
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    await expectAlive();
  });

  it('huge numbers and NaN strings in metric values, timestamps and steps', async () => {
    const metric = (m: Record<string, unknown>) =>
      post('/runs/log-metric', { run_id: runId, key: 'h', value: 1, timestamp: 1, step: 0, ...m });
    // Accepted as MLflow accepts them: protobuf's "NaN" / "Infinity" strings and numeric strings.
    for (const value of ['NaN', 'Infinity', '-Infinity', '1.5', 1e308]) {
      expect((await metric({ value })).status).toBe(200);
    }
    // 1e400 overflows to Infinity in both JSON parsers; it is logged, not an error.
    expect(
      (await post('/runs/log-metric', `{"run_id": "${runId}", "key": "h", "value": 1e400, "timestamp": 1}`)).status,
    ).toBe(200);
    for (const bad of [{ value: 'abc' }, { value: [1] }, { timestamp: 'x' }, { step: 'x' }, { timestamp: -1 }]) {
      expectClientError(await metric(bad), 400, 'INVALID_PARAMETER_VALUE');
    }
    const history = await send('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=h`);
    expect(history.status).toBe(200);
    expect(history.body.metrics.map((m: any) => m.value)).toContain('NaN');
  });
});

describe('very long keys and values', () => {
  it('refuses keys over 250 characters, up to megabytes, with a 400', async () => {
    for (const key of ['k'.repeat(251), 'k'.repeat(1_000_000)]) {
      expectClientError(await post('/runs/log-metric', { run_id: runId, key, value: 1, timestamp: 1 }), 400);
      expectClientError(await post('/runs/log-parameter', { run_id: runId, key, value: 'v' }), 400);
      expectClientError(await post('/runs/set-tag', { run_id: runId, key, value: 'v' }), 400);
      expectClientError(await post('/experiments/set-experiment-tag', { experiment_id: expId, key, value: 'v' }), 400);
      expectClientError(
        await post('/runs/log-batch', { run_id: runId, metrics: [{ key, value: 1, timestamp: 1 }] }),
        400,
      );
    }
    for (const name of ['n'.repeat(501), 'n'.repeat(1_000_000)]) {
      const a = await post('/experiments/create', { name });
      expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
      expect(a.body.message).toBe("'name' exceeds the maximum length of 500 characters");
    }
  });

  it('takes long param and tag values as the sqlite-backed MLflow server does', async () => {
    expect((await post('/runs/log-parameter', { run_id: runId, key: 'long', value: 'v'.repeat(6001) })).status).toBe(
      200,
    );
    expect((await post('/runs/set-tag', { run_id: runId, key: 'long', value: 'v'.repeat(8001) })).status).toBe(200);
  });
});

describe('GET with garbage query strings', () => {
  it.each([
    '/experiments/get?experiment_id=abc',
    '/experiments/get?experiment_id=99999999999999999999999',
    '/experiments/get?experiment_id=%ff',
    '/experiments/get?experiment_id=1;2',
    '/experiments/get?experiment_id=1&experiment_id=2',
    '/experiments/get?experiment_id=',
    '/experiments/get',
    '/experiments/get?%%%=1',
    '/experiments/get?experiment_id[]=1',
    `/experiments/get?${'a=1&'.repeat(2000)}`,
    `/experiments/get-by-name?experiment_name=${'x'.repeat(20000)}`,
    '/experiments/get-by-name?experiment_name=%00',
    '/experiments/search?max_results=abc',
    '/experiments/search?max_results=-5',
    '/experiments/search?max_results=99999999999999999999',
    '/experiments/search?max_results=1e3',
    '/experiments/search?view_type=XX',
    '/experiments/search?page_token=%%%',
    '/experiments/search?filter=name%20LIKE%20%27%25%27%20OR',
    '/runs/get?run_id=nope',
    '/runs/get?run_id=%00%ff',
    `/runs/get?run_id=${'a'.repeat(5000)}`,
    '/metrics/get-history?run_id=RUN&metric_key=m&max_results=abc',
    '/metrics/get-history?run_id=RUN&metric_key=m&max_results=99999999999999999999',
    '/metrics/get-history?run_id=RUN&metric_key=m&page_token=garbage',
    '/metrics/get-history?run_id=RUN',
    '/metrics/get-history-bulk?run_id=RUN&metric_key=m&max_results=-99999999999999999999',
    '/metrics/get-history-bulk?metric_key=m',
    '/metrics/get-history-bulk-interval?run_ids=RUN&metric_key=m&max_results=0',
    '/metrics/get-history-bulk-interval?run_ids=RUN&metric_key=m&start_step=a&end_step=b',
    '/metrics/get-history-bulk-interval?run_ids=RUN&metric_key=m&start_step=5',
    `/logged-models/${'m'.repeat(3000)}`,
  ])('%s', async (path) => {
    for (const prefix of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
      const a = await send('GET', prefix + path.replace('RUN', runId));
      expectNoServerError(a, path);
    }
  });

  it('known garbage answers as MLflow does', async () => {
    const a = await send('GET', '/api/2.0/mlflow/experiments/search?max_results=abc');
    expectClientError(a, 400, 'INVALID_PARAMETER_VALUE');
    const none = await send('GET', '/api/2.0/mlflow/runs/get?run_id=nope');
    expectClientError(none, 404, 'RESOURCE_DOES_NOT_EXIST');
    expect(none.body.message).toBe('Run with id=nope not found');
    const unknown = await send('GET', '/api/2.0/mlflow/runs/nonexistent');
    expectClientError(unknown, 404, 'ENDPOINT_NOT_FOUND');
  });

  it('a known endpoint called with another method answers 405 with Allow, as Flask does', async () => {
    for (const [method, path, allow] of [
      ['GET', '/api/2.0/mlflow/runs/create', 'POST'],
      ['PUT', '/ajax-api/2.0/mlflow/runs/log-batch', 'POST'],
      ['DELETE', '/api/2.0/mlflow/experiments/get', 'GET'],
      ['POST', `/api/2.0/mlflow/logged-models/${modelId}`, 'GET'],
    ] as const) {
      const a = await send(method, path);
      expectClientError(a, 405);
      const res = await fetch(`${app.url}${path}`, { method });
      expect(res.headers.get('allow')).toContain(allow);
    }
  });

  it('the server is still up afterwards', async () => {
    await expectAlive();
    const r = await app.api('GET', '/mlflow/runs/get', { run_id: runId });
    expect(r.status).toBe(200);
  });
});
