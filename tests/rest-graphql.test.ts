import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * MLflow's `/graphql` endpoint (mlflow/server/graphql in 3.5.1), as MLflow's own
 * tests/tracking/test_rest_tracking.py exercises it, plus its safety limits and error answers.
 */
let app: TestApp;
let expId: string;
let runId: string;
beforeAll(async () => {
  app = await startTestApp();
  expId = (await app.api('POST', '/mlflow/experiments/create', { name: 'GraphqlTest' })).body.experiment_id;
  runId = (await app.api('POST', '/mlflow/runs/create', { experiment_id: expId, start_time: 7 })).body.run.info.run_id;
});
afterAll(async () => {
  await app.close();
});

async function gql(
  query: string,
  extra: Record<string, unknown> = {},
): Promise<{ status: number; text: string; body: any }> {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ query, operationName: 'testQuery', ...extra }),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

describe('graphql queries', () => {
  it('echoes the test field and answers errors: null', async () => {
    const r = await gql('query testQuery {test(inputString: "abc") { output }}');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { test: { output: 'abc' } }, errors: null });
    // Flask's jsonify: sorted keys, compact, newline-terminated
    expect(r.text).toBe('{"data":{"test":{"output":"abc"}},"errors":null}\n');
  });

  it('gets an experiment, and a run with its experiment and model versions', async () => {
    const exp = await gql(
      `query testQuery {mlflowGetExperiment(input: {experimentId: "${expId}"}) { experiment { name } }}`,
    );
    expect(exp.body.data.mlflowGetExperiment.experiment.name).toBe('GraphqlTest');

    await app.api('POST', '/mlflow/registered-models/create', { name: 'GraphqlTest' });
    await app.api('POST', '/mlflow/model-versions/create', {
      name: 'GraphqlTest',
      source: 'runs:/graphql_test/model',
      run_id: runId,
    });
    const run = await gql(`
      query testQuery @component(name: "Test") {
        mlflowGetRun(input: {runId: "${runId}"}) {
          run { info { status startTime endTime } experiment { name } modelVersions { name } }
        }
      }`);
    expect(run.body.errors).toBeNull();
    expect(run.body.data.mlflowGetRun.run).toEqual({
      info: { status: 'RUNNING', startTime: '7', endTime: '0' }, // unset int64: the proto default, as a LongString
      experiment: { name: 'GraphqlTest' },
      modelVersions: [{ name: 'GraphqlTest' }],
    });
  });

  it('reads NaN metrics as null and int64 fields as strings', async () => {
    await app.api('POST', '/mlflow/runs/log-metric', {
      run_id: runId,
      key: 'normal',
      value: 123,
      timestamp: 1,
      step: 1,
    });
    await app.api('POST', '/mlflow/runs/log-metric', {
      run_id: runId,
      key: 'nan',
      value: 'NaN',
      timestamp: 2,
      step: 2,
    });
    const r = await gql(`query testQuery { mlflowGetRun(input: {runId: "${runId}"}) {
      run { data { metrics { key value timestamp step } } } } }`);
    expect(r.body.errors).toBeNull();
    const metrics = r.body.data.mlflowGetRun.run.data.metrics;
    expect(metrics).toContainEqual({ key: 'normal', value: 123, timestamp: '1', step: '1' });
    expect(metrics).toContainEqual({ key: 'nan', value: null, timestamp: '2', step: '2' });
    expect(r.text).toContain('"value":123.0'); // a Python float
  });

  it('samples metric history in bulk (ignoring the interval inputs, as MLflow does)', async () => {
    const run = (await app.api('POST', '/mlflow/runs/create', { experiment_id: expId })).body.run.info.run_id;
    for (let i = 0; i < 10; i++) {
      await app.api('POST', '/mlflow/runs/log-metric', {
        run_id: run,
        key: 'metric_0',
        value: i,
        timestamp: 5,
        step: i,
      });
    }
    const r = await gql(`query testQuery { mlflowGetMetricHistoryBulkInterval(input: {
      runIds: ["${run}"], metricKey: "metric_0", maxResults: 2 }) { metrics { key timestamp value } } }`);
    expect(r.body.data.mlflowGetMetricHistoryBulkInterval.metrics).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ key: 'metric_0', timestamp: '5', value: i })),
    );
  });

  it('searches runs and datasets as mutations, with proto defaults for unset fields', async () => {
    const exp = (await app.api('POST', '/mlflow/experiments/create', { name: 'gql-search' })).body.experiment_id;
    const r1 = (await app.api('POST', '/mlflow/runs/create', { experiment_id: exp, start_time: 1 })).body.run.info
      .run_id;
    const r2 = (await app.api('POST', '/mlflow/runs/create', { experiment_id: exp, start_time: 2 })).body.run.info
      .run_id;
    const runs = await gql(
      `mutation testMutation { mlflowSearchRuns(input: { experimentIds: ["${exp}"] }) { runs { info { runId } } } }`,
      { operationName: 'testMutation' },
    );
    expect(runs.body.data.mlflowSearchRuns.runs).toEqual([{ info: { runId: r2 } }, { info: { runId: r1 } }]);

    const dataset = (name: string) => ({ name, digest: name, source_type: 'script', source: 'test' });
    await app.api('POST', '/mlflow/runs/log-inputs', {
      run_id: r1,
      datasets: [
        { dataset: dataset('d1') },
        { dataset: dataset('d2'), tags: [{ key: 'mlflow.data.context', value: 'training' }] },
      ],
    });
    const ds = await gql(
      `mutation testMutation { mlflowSearchDatasets(input:{experimentIds: ["${exp}"]}) {
        datasetSummaries { experimentId name digest context } } }`,
      { operationName: 'testMutation' },
    );
    const summaries = ds.body.data.mlflowSearchDatasets.datasetSummaries;
    expect([...summaries].sort((a: any, b: any) => a.digest.localeCompare(b.digest))).toEqual([
      { experimentId: exp, name: 'd1', digest: 'd1', context: '' },
      { experimentId: exp, name: 'd2', digest: 'd2', context: 'training' },
    ]);
  });

  it('lists artifacts with isDir and string file sizes', async () => {
    const put = await fetch(
      `${app.url}/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/testDir/test.txt`,
      {
        method: 'PUT',
        body: 'hello world',
      },
    );
    expect(put.status).toBe(200);
    const r = await gql(`query testQuery { files: mlflowListArtifacts(input: { runId: "${runId}" }) {
      files { path isDir fileSize } } }`);
    expect(r.body.data.files.files).toEqual([{ path: 'testDir', isDir: true, fileSize: '0' }]);
    const sub = await gql(`query testQuery { mlflowListArtifacts(input: { runId: "${runId}", path: "testDir" }) {
      files { path isDir fileSize } } }`);
    expect(sub.body.data.mlflowListArtifacts.files).toEqual([
      { path: 'testDir/test.txt', isDir: false, fileSize: '11' },
    ]);
  });
});

describe('graphql limits and errors', () => {
  it('refuses too many root fields and aliases, too deep and too large queries', async () => {
    const roots = Array.from({ length: 12 }, (_, i) => `key_${i}: test(inputString: "abc") { output }`).join(' ');
    const r1 = await gql(`query testQuery {${roots}}`);
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({
      data: null,
      errors: [
        'GraphQL queries should have at most 10 root fields, got 12 root fields. To increase the limit, set the ' +
          'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable.',
      ],
    });
    const aliases = Array.from({ length: 12 }, (_, i) => `experiment_${i}: experiment { name }`).join(' ');
    const r2 = await gql(`query testQuery {mlflowGetExperiment(input: {experimentId: "123"}) {${aliases}}}`);
    expect(r2.body.errors[0]).toContain('queries should have at most 10 aliases');
    let inner = 'name';
    for (let i = 0; i < 12; i++) inner = `name { ${inner} }`;
    const r3 = await gql(
      `query testQuery { mlflowGetExperiment(input: {experimentId: "123"}) { experiment { ${inner} } } }`,
    );
    expect(r3.body.errors).toEqual(['Query exceeds maximum depth of 10']);
    const many = Array.from({ length: 1002 }, (_, i) => `field_${i} { name }`).join(' ');
    const r4 = await gql(
      `query testQuery { mlflowGetExperiment(input: {experimentId: "123"}) { experiment { ${many} } } }`,
    );
    expect(r4.body.errors).toEqual(['Query exceeds maximum total selections of 1000']);
  });

  it('answers schema and syntax errors with data null', async () => {
    expect((await gql('query testQuery { nope }')).body).toEqual({
      data: null,
      errors: ["Cannot query field 'nope' on type 'Query'."],
    });
    expect((await gql('query testQuery { test(inputString: 5) { output } }')).body.errors).toEqual([
      'String cannot represent a non string value: 5',
    ]);
    expect((await gql('query testQuery {')).body).toEqual({
      data: null,
      errors: ['Syntax Error: Expected Name, found <EOF>.'],
    });
    const deep = `query testQuery { ${'test { '.repeat(5000)} }`;
    const r = await gql(deep);
    expect(r.status).toBe(200);
    expect(r.body.data).toBeNull();
  });

  it("words graphql-js's errors as graphql-core does, and leaves resolvers' messages as they are", async () => {
    // Messages checked against graphql-core 3.2.13 (MLflow's graphql library) on the same schema.
    const enumAsString = await gql(
      'query testQuery { mlflowSearchRuns(input: {runViewType: "ALL"}) { nextPageToken } }',
    );
    expect(enumAsString.body.errors).toEqual([
      `Enum 'MlflowViewType' cannot represent non-enum value: "ALL". Did you mean the enum value 'ALL'?`,
    ]);
    const variable = await gql('query testQuery($x: String) { test(inputString: $x) { output } }', {
      variables: { x: true },
    });
    expect(variable.body.errors).toEqual([
      "Variable '$x' got invalid value True; String cannot represent a non string value: True",
    ]);
    const longString = await gql(
      'query testQuery($i: MlflowSearchModelVersionsInput) { mlflowSearchModelVersions(input: $i) { nextPageToken } }',
      { variables: { i: { maxResults: 'abc' } } },
    );
    expect(longString.body.errors).toEqual([
      "Variable '$i' got invalid value 'abc' at 'i.maxResults'; Expected type 'LongString'. " +
        "invalid literal for int() with base 10: 'abc'",
    ]);
    const resolver = await gql(
      `query testQuery { mlflowSearchRuns(input: {experimentIds: ["${expId}"], filter: "metrics.x = \\"1\\""}) {
        nextPageToken } }`,
    );
    expect(resolver.body).toEqual({
      data: { mlflowSearchRuns: null },
      errors: ['Expected numeric value type for metric. Found "1"'],
    });
  });

  it('turns a resolver error into a null field and an error message', async () => {
    const r = await gql('query testQuery { mlflowGetRun(input: {runId: "nope"}) { run { info { runId } } } }');
    expect(r.body).toEqual({ data: { mlflowGetRun: null }, errors: ['Run with id=nope not found'] });
  });

  it('supports variables and fragments; like MLflow, @skip and @include are unknown directives', async () => {
    const r = await gql(
      `query testQuery($s: String) { ...F b: test(inputString: "b") { output } }
       fragment F on Query { test(inputString: $s) { output } }`,
      { variables: { s: 'vv' } },
    );
    expect(r.body).toEqual({ data: { test: { output: 'vv' }, b: { output: 'b' } }, errors: null });
    const skipped = await gql('query testQuery { test(inputString: "b") @skip(if: true) { output } }');
    expect(skipped.body).toMatchObject({ data: null, errors: ["Unknown directive '@skip'."] });
  });

  it('answers a request without a query string with a 400 in MLflow error shape', async () => {
    for (const body of ['{"queryx": 1}', 'not json', '{"query": 5}']) {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(400);
  });
});
