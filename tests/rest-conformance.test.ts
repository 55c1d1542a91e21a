import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * Divergences from `mlflow server` 3.5.1 found by running MLflow's own tests/tracking/test_rest_tracking.py
 * against Runlens (and by sending the same requests to a reference server); each case pins MLflow's answer.
 */
let app: TestApp;
let expId: string;
beforeAll(async () => {
  app = await startTestApp();
  expId = (await app.api('POST', '/mlflow/experiments/create', { name: 'conformance' })).body.experiment_id;
});
afterAll(async () => {
  await app.close();
});

async function newRun(): Promise<string> {
  const r = await app.api('POST', '/mlflow/runs/create', { experiment_id: expId, start_time: 1 });
  expect(r.status).toBe(200);
  return r.body.run.info.run_id;
}

/** POSTs raw bytes as application/json. */
async function postRaw(path: string, body: string | Uint8Array): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}/api/2.0${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  return { status: res.status, body: await res.json() };
}

async function location(name: string, artifactLocation: string): Promise<string> {
  const r = await app.api('POST', '/mlflow/experiments/create', { name, artifact_location: artifactLocation });
  expect(r.status).toBe(200);
  return (await app.api('GET', '/mlflow/experiments/get', { experiment_id: r.body.experiment_id })).body.experiment
    .artifact_location;
}

describe('experiments/create artifact_location (resolve_uri_if_local)', () => {
  it('makes a relative local path absolute against the server working directory', async () => {
    expect(await location('rel', 'my_location')).toBe(`${process.cwd()}/my_location`);
    expect(await location('rel-dots', './a//b/')).toBe(`${process.cwd()}/a/b`);
    expect(await location('rel-file', 'file:rel/dir')).toBe(`file://${process.cwd()}/rel/dir`);
  });

  it('keeps absolute paths and remote URIs as given', async () => {
    expect(await location('abs', '/data/art')).toBe('/data/art');
    expect(await location('abs-file', 'file:///data/art')).toBe('file:///data/art');
    expect(await location('s3', 's3://bucket/x')).toBe('s3://bucket/x');
  });

  it('refuses a location longer than 2048 characters', async () => {
    const r = await app.api('POST', '/mlflow/experiments/create', {
      name: 'long-loc',
      artifact_location: `/${'a'.repeat(2048)}`,
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('The length of the artifact path cannot be greater than 2048 characters');
  });
});

describe("error messages print values as Python's json.dumps", () => {
  const hint = async (raw: string): Promise<string> => {
    const r = await postRaw('/mlflow/experiments/create', raw);
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    return r.body.message;
  };

  it('keeps floats written with a decimal point or exponent as floats', async () => {
    expect(await hint('{"name": "x", "artifact_location": 9.0}')).toBe(
      "Invalid value 9.0 for parameter 'artifact_location' supplied:  Hint: Value was of type 'float'. " +
        'See the API docs for more information about request parameters.',
    );
    expect(await hint('{"name": "x", "artifact_location": 1e16}')).toContain('Invalid value 1e+16 ');
    expect(await hint('{"name": "x", "artifact_location": 1e-5}')).toContain('Invalid value 1e-05 ');
    expect(await hint('{"name": "x", "artifact_location": 123456789012345678.0}')).toContain(
      'Invalid value 1.2345678901234568e+17 ',
    );
    expect(await hint('{"name": "x", "artifact_location": 12345678901234567890123}')).toContain(
      "Invalid value 12345678901234567890123 for parameter 'artifact_location' supplied:  Hint: Value was of type 'int'.",
    );
  });

  it('escapes non-ASCII (ensure_ascii) and sorts keys', async () => {
    expect(await hint('{"name": ["\\u00e9", {"b": 1, "a": 0.5}]}')).toContain(
      'Invalid value ["\\u00e9",{"a":0.5,"b":1}] for parameter \'name\'',
    );
  });

  it('answers a 400, not a crash, for deeply nested values', async () => {
    const deep = `{"name": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(await hint(deep)).toContain("for parameter 'name' supplied");
  });

  it('words an over-limit runs/search max_results as MLflow does', async () => {
    const r = await app.api('POST', '/mlflow/runs/search', { experiment_ids: [expId], max_results: 50001 });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      "Invalid value 50001 for parameter 'max_results' supplied:  Hint: Value was of type 'int'. " +
        'See the API docs for more information about request parameters.',
    );
  });
});

describe('request bodies read as Flask and MLflow read them', () => {
  it('takes numeric experiment ids (_stringify_all_experiment_ids)', async () => {
    const run = await app.api('POST', '/mlflow/runs/create', { experiment_id: Number(expId) });
    expect(run.status).toBe(200);
    expect(run.body.run.info.experiment_id).toBe(expId);
    const found = await app.api('POST', '/mlflow/runs/search', { experiment_ids: [Number(expId)] });
    expect(found.status).toBe(200);
    expect(found.body.runs.map((r: any) => r.info.run_id)).toContain(run.body.run.info.run_id);
  });

  it("accepts Python's NaN / Infinity literals in JSON", async () => {
    const runId = await newRun();
    const r = await postRaw(
      '/mlflow/runs/log-batch',
      `{"run_id": "${runId}", "metrics": [{"key": "m", "value": NaN, "timestamp": 1, "step": 0},` +
        ` {"key": "m", "value": -Infinity, "timestamp": 1, "step": 1}]}`,
    );
    expect(r.status).toBe(200);
    const hist = await app.api('GET', '/mlflow/metrics/get-history', { run_id: runId, metric_key: 'm' });
    expect(hist.body.metrics.map((m: any) => m.value)).toEqual(['NaN', '-Infinity']);
  });

  it('reads a body that is not UTF-8 as empty', async () => {
    const bytes = new Uint8Array([...Buffer.from('{"name": "'), 0xff, 0xfe, ...Buffer.from('"}')]);
    const r = await postRaw('/mlflow/experiments/create', bytes);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("Missing value for required parameter 'name'");
  });

  it('reads leading repeated slashes in the path as one', async () => {
    const res = await fetch(`${app.url}//api/2.0/mlflow/experiments/get?experiment_id=${expId}`);
    expect(res.status).toBe(200);
  });
});

describe('metric history endpoints', () => {
  it('answers an unknown run with no history rather than an error', async () => {
    const hist = await app.api('GET', '/mlflow/metrics/get-history', { run_id: 'nope', metric_key: 'm' });
    expect(hist).toEqual({ status: 200, body: {} });
    const bulk = await app.api('GET', '/mlflow/metrics/get-history-bulk', { run_id: 'nope', metric_key: 'm' });
    expect(bulk).toEqual({ status: 200, body: { metrics: [] } });
    const interval = await app.api('GET', '/mlflow/metrics/get-history-bulk-interval', {
      run_ids: 'nope',
      metric_key: 'm',
    });
    expect(interval).toEqual({ status: 200, body: {} });
  });

  it('get-history-bulk lists a repeated run id once', async () => {
    const runId = await newRun();
    await app.api('POST', '/mlflow/runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1, step: 0 });
    const bulk = await app.api('GET', '/mlflow/metrics/get-history-bulk', { run_id: [runId, runId], metric_key: 'm' });
    expect(bulk.body.metrics).toHaveLength(1);
  });

  it('get-history-bulk-interval keeps the request order of runs and the last step of the range', async () => {
    const run1 = await newRun();
    const run2 = await newRun();
    const log = (run: string, n: number) =>
      app.api('POST', '/mlflow/runs/log-batch', {
        run_id: run,
        metrics: Array.from({ length: n }, (_, i) => ({ key: 'acc', value: 10, timestamp: 1, step: i })),
      });
    await log(run1, 10);
    await log(run2, 20);
    const interval = (params: Record<string, unknown>) =>
      app.api('GET', '/mlflow/metrics/get-history-bulk-interval', { metric_key: 'acc', max_results: 5, ...params });

    // MLflow's own expectations (test_get_metric_history_bulk_interval_respects_max_results)
    const one = await interval({ run_ids: run1 });
    expect(one.body.metrics.map((m: any) => m.step)).toEqual([0, 2, 4, 6, 8, 9]);
    const both = await interval({ run_ids: [run1, run2] });
    expect(both.body.metrics.map((m: any) => [m.run_id, m.step])).toEqual([
      ...[0, 4, 8, 9].map((s) => [run1, s]),
      ...[0, 4, 8, 9, 12, 16, 19].map((s) => [run2, s]),
    ]);
    const reversed = await interval({ run_ids: [run2, run1] });
    expect(reversed.body.metrics[0].run_id).toBe(run2);
    // a range that ends before the series does still keeps its own last step
    const ranged = await interval({ run_ids: run2, start_step: 0, end_step: 12 });
    expect(ranged.body.metrics.map((m: any) => m.step)).toEqual([0, 2, 5, 7, 10, 12]);
  });
});

describe('experiments/search-datasets (ajax-api)', () => {
  const search = async (body: unknown) => {
    const res = await fetch(`${app.url}/ajax-api/2.0/mlflow/experiments/search-datasets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('rejects no or too many experiment ids', async () => {
    for (const body of [{}, { experiment_ids: [] }]) {
      const r = await search(body);
      expect(r.status).toBe(400);
      expect(r.body.message).toBe('SearchDatasets request must specify at least one experiment_id.');
    }
    const many = await search({ experiment_ids: Array.from({ length: 21 }, (_, i) => `id_${i}`) });
    expect(many.status).toBe(400);
    expect(many.body.message).toBe(
      'SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.',
    );
  });

  it('summarizes the datasets logged as run inputs, with their context tag', async () => {
    const exp = (await app.api('POST', '/mlflow/experiments/create', { name: 'datasets' })).body.experiment_id;
    const run = (await app.api('POST', '/mlflow/runs/create', { experiment_id: exp })).body.run.info.run_id;
    const dataset = (name: string) => ({ name, digest: `d-${name}`, source_type: 'local', source: 's' });
    const r = await app.api('POST', '/mlflow/runs/log-inputs', {
      run_id: run,
      datasets: [
        { dataset: dataset('train'), tags: [{ key: 'mlflow.data.context', value: 'training' }] },
        { dataset: dataset('plain') },
      ],
    });
    expect(r.status).toBe(200);
    const found = await search({ experiment_ids: [exp, 'not-a-number'] });
    expect(found.status).toBe(200);
    expect(found.body.dataset_summaries).toEqual([
      { experiment_id: exp, name: 'train', digest: 'd-train', context: 'training' },
      { experiment_id: exp, name: 'plain', digest: 'd-plain' },
    ]);
    expect(await search({ experiment_ids: [expId] })).toEqual({ status: 200, body: {} });
  });
});

describe('runs/create without start_time', () => {
  it('stores and answers the proto default 0, as MLflow does', async () => {
    const r = await app.api('POST', '/mlflow/runs/create', { experiment_id: expId });
    expect(r.status).toBe(200);
    expect(r.body.run.info.start_time).toBe(0);
    const got = await app.api('GET', '/mlflow/runs/get', { run_id: r.body.run.info.run_id });
    expect(got.body.run.info.start_time).toBe(0);
  });
});

describe('values of the wrong JSON type (protobuf ParseDict, then MLflow reads the partly parsed message)', () => {
  const typeHint = (value: string, param: string, type: string): string =>
    `Invalid value ${value} for parameter '${param}' supplied:  Hint: Value was of type '${type}'. ` +
    'See the API docs for more information about request parameters.';
  const tagsOf = async (runId: string): Promise<unknown> =>
    (await app.api('GET', '/mlflow/runs/get', { run_id: runId })).body.run.data.tags?.filter(
      (t: { key: string }) => !t.key.startsWith('mlflow.'),
    );

  it('refuses a non-string top-level key with the type hint', async () => {
    const runId = await newRun();
    for (const path of ['/mlflow/runs/set-tag', '/mlflow/runs/log-parameter']) {
      for (const [key, shown, type] of [
        [5, '5', 'int'],
        [5.5, '5.5', 'float'],
        [true, 'true', 'bool'],
      ] as const) {
        const r = await app.api('POST', path, { run_id: runId, key, value: 'v' });
        expect(r).toEqual({
          status: 400,
          body: { error_code: 'INVALID_PARAMETER_VALUE', message: typeHint(shown, 'key', type) },
        });
      }
      const v = await app.api('POST', path, { run_id: runId, key: 'k', value: 5 });
      expect(v.body.message).toBe(typeHint('5', 'value', 'int'));
    }
    const m = await app.api('POST', '/mlflow/runs/log-metric', { run_id: runId, key: 5, value: 1, timestamp: 1 });
    expect(m.body.message).toBe(typeHint('5', 'key', 'int'));
    const e = await app.api('POST', '/mlflow/experiments/set-experiment-tag', {
      experiment_id: expId,
      key: 5,
      value: 'v',
    });
    expect(e.body.message).toBe(typeHint('5', 'key', 'int'));
  });

  it('leaves a nested key of the wrong type unset instead of coercing it ("" is then refused as a name)', async () => {
    const runId = await newRun();
    const r = await app.api('POST', '/mlflow/runs/log-batch', { run_id: runId, params: [{ key: 5, value: 'v' }] });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      `Invalid value "" for parameter 'params[0].key' supplied: Names may be treated as files in certain cases, ` +
        `and must not resolve to other names when treated as such. This name would resolve to '.'`,
    );
    const m = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 5, value: 1, timestamp: 1 }],
    });
    expect(m.status).toBe(400);
    expect(m.body.message).toContain(`Invalid value "" for parameter 'metrics[0].name' supplied`);
    expect((await app.api('GET', '/mlflow/runs/get', { run_id: runId })).body.run.data.params).toBeUndefined();
  });

  it('stops reading the request at the first bad value: the rest of it stays unset', async () => {
    const runId = await newRun();
    // tags[0].value unset (""), tags[1] never read
    const r = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: runId,
      tags: [
        { key: 't', value: 5 },
        { key: 't2', value: 'x' },
      ],
    });
    expect(r).toEqual({ status: 200, body: {} });
    expect(await tagsOf(runId)).toEqual([{ key: 't', value: '' }]);

    // a metric value that is no number: value and timestamp stay 0
    const m = await app.api('POST', '/mlflow/runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 'm', timestamp: 9, value: 'abc', step: 3 }],
    });
    expect(m.status).toBe(200);
    const history = await app.api('GET', '/mlflow/metrics/get-history', { run_id: runId, metric_key: 'm' });
    expect(history.body.metrics).toEqual([{ key: 'm', value: 0, timestamp: 9, step: 0 }]);

    // run_id after a bad tag is never read
    const late = await app.api('POST', '/mlflow/runs/log-batch', { tags: [{ key: 't4', value: 7 }], run_id: runId });
    expect(late).toEqual({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: `Invalid value "" for parameter 'run_id' supplied.` },
    });

    const created = await app.api('POST', '/mlflow/runs/create', {
      experiment_id: expId,
      user_id: 5,
      tags: [{ key: 'a', value: 5 }],
    });
    expect(created.status).toBe(200);
    expect(created.body.run.info.user_id).toBe('');
    expect(await tagsOf(created.body.run.info.run_id)).toEqual([]); // tags come after user_id: never read
    const tagged = await app.api('POST', '/mlflow/runs/create', {
      experiment_id: expId,
      tags: [{ key: 'a', value: 5 }],
    });
    expect(await tagsOf(tagged.body.run.info.run_id)).toEqual([{ key: 'a', value: '' }]);

    const exp = await app.api('POST', '/mlflow/experiments/create', {
      tags: [{ key: 'a', value: 1 }],
      name: 'late-name',
    });
    expect(exp).toEqual({
      status: 400,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: "Invalid experiment name: ''" },
    });
  });
});

describe('Content-Type of JSON answers', () => {
  it('is application/json without a charset, as Flask sends it', async () => {
    const ok = await fetch(`${app.url}/api/2.0/mlflow/experiments/get?experiment_id=${expId}`);
    expect(ok.headers.get('content-type')).toBe('application/json');
    const missing = await fetch(`${app.url}/api/2.0/mlflow/experiments/get?experiment_id=nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    const post = await fetch(`${app.url}/ajax-api/2.0/mlflow/runs/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ experiment_ids: [expId] }),
    });
    expect(post.headers.get('content-type')).toBe('application/json');
    const graphql = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(graphql.headers.get('content-type')).toBe('application/json');
    expect(await graphql.text()).toBe('{"data":{"__typename":"Query"},"errors":null}\n');
  });
});
