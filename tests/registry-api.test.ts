import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

/**
 * The Model Registry REST API over real HTTP. Expected bodies and messages were captured from
 * `mlflow server` 3.5.1 (SQLite backend) running the same calls; where MLflow answers a client
 * mistake with HTTP 500, Runlens answers 400 with the same message (noted inline).
 */

let app: TestApp;
let runId: string;
let experimentId: string;

const api = (method: string, path: string, body?: unknown) => app.api(method, `/mlflow${path}`, body);
const err = (code: string, message: string | RegExp) => ({
  error_code: code,
  message: typeof message === 'string' ? message : expect.stringMatching(message),
});
const SEE_DOCS = ' See the API docs for more information about request parameters.';
const T = expect.any(Number);

beforeAll(async () => {
  app = await startTestApp();
  experimentId = (await api('POST', '/experiments/create', { name: 'reg' })).body.experiment_id;
  runId = (await api('POST', '/runs/create', { experiment_id: experimentId })).body.run.info.run_id;
});
afterAll(async () => {
  await app.close();
});

describe('registered models', () => {
  it('creates with tags and description; duplicate names are RESOURCE_ALREADY_EXISTS', async () => {
    const r = await api('POST', '/registered-models/create', {
      name: 'rm1',
      tags: [
        { key: 'b', value: '1' },
        { key: 'a', value: '2' },
      ],
      description: 'd',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      registered_model: {
        name: 'rm1',
        creation_timestamp: T,
        last_updated_timestamp: T,
        description: 'd',
        // Tags keep the order they were first set in.
        tags: [
          { key: 'b', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
    });
    const dup = await api('POST', '/registered-models/create', { name: 'rm1' });
    expect(dup).toEqual({
      status: 400,
      body: err('RESOURCE_ALREADY_EXISTS', 'Registered Model (name=rm1) already exists.'),
    });
  });

  it('validates create requests like MLflow', async () => {
    const missing = err('INVALID_PARAMETER_VALUE', `Missing value for required parameter 'name'.${SEE_DOCS}`);
    expect(await api('POST', '/registered-models/create', {})).toEqual({ status: 400, body: missing });
    expect(await api('POST', '/registered-models/create', { name: '' })).toEqual({ status: 400, body: missing });
    expect((await api('POST', '/registered-models/create', { name: 5 })).body).toEqual(
      err(
        'INVALID_PARAMETER_VALUE',
        `Invalid value 5 for parameter 'name' supplied:  Hint: Value was of type 'int'.${SEE_DOCS}`,
      ),
    );
    expect(
      (await api('POST', '/registered-models/create', { name: 'x', tags: [{ key: '../x', value: '1' }] })).body,
    ).toEqual(
      err(
        'INVALID_PARAMETER_VALUE',
        'Invalid value "../x" for parameter \'key\' supplied: Names may be treated as files in certain cases, and must ' +
          "not resolve to other names when treated as such. This name would resolve to '../x'",
      ),
    );
    expect(
      (await api('POST', '/registered-models/create', { name: 'x', tags: [{ value: 'v' }] })).body.message,
    ).toMatch(/^Invalid value "" for parameter 'key' supplied: .* would resolve to '\.'$/);
    // A tag without a value gets "" (the proto default).
    const noValue = await api('POST', '/registered-models/create', { name: 'novalue', tags: [{ key: 'x' }] });
    expect(noValue.body.registered_model.tags).toEqual([{ key: 'x', value: '' }]);
  });

  it('gets, updates, renames and deletes', async () => {
    await api('POST', '/registered-models/create', { name: 'rm2' });
    expect((await api('GET', '/registered-models/get', { name: 'rm2' })).body).toEqual({
      registered_model: { name: 'rm2', creation_timestamp: T, last_updated_timestamp: T },
    });
    expect(await api('GET', '/registered-models/get', { name: 'nope' })).toEqual({
      status: 404,
      body: err('RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found'),
    });
    const upd = await api('PATCH', '/registered-models/update', { name: 'rm2', description: 'new' });
    expect(upd.body.registered_model.description).toBe('new');
    // No description clears it (MLflow stores the proto default "").
    expect((await api('PATCH', '/registered-models/update', { name: 'rm2' })).body.registered_model).not.toHaveProperty(
      'description',
    );
    expect((await api('PATCH', '/registered-models/update', { name: 'nope', description: 'x' })).status).toBe(404);

    const clash = await api('POST', '/registered-models/rename', { name: 'rm2', new_name: 'rm1' });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect(clash.body.message).toMatch(
      /^Registered Model \(name=rm1\) already exists\. Error: .*UNIQUE constraint failed/s,
    );
    expect((await api('POST', '/registered-models/rename', { name: 'rm2' })).body).toEqual(
      err('INVALID_PARAMETER_VALUE', `Missing value for required parameter 'new_name'.${SEE_DOCS}`),
    );
    const renamed = await api('POST', '/registered-models/rename', { name: 'rm2', new_name: 'rm2b' });
    expect(renamed.body.registered_model.name).toBe('rm2b');
    expect((await api('POST', '/registered-models/rename', { name: 'nope', new_name: 'x' })).status).toBe(404);

    expect((await api('DELETE', '/registered-models/delete', { name: 'rm2b' })).body).toEqual({});
    expect((await api('DELETE', '/registered-models/delete', { name: 'rm2b' })).body).toEqual(
      err('RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=rm2b not found'),
    );
  });

  it('sets and deletes tags with MLflow limits', async () => {
    await api('POST', '/registered-models/create', { name: 'tagged' });
    expect((await api('POST', '/registered-models/set-tag', { name: 'tagged', key: 'k', value: 'v' })).body).toEqual(
      {},
    );
    expect((await api('POST', '/registered-models/set-tag', { name: 'tagged', key: 'k2' })).status).toBe(200);
    expect(
      (await api('POST', '/registered-models/set-tag', { name: 'tagged', key: 'k'.repeat(251), value: 'x' })).body,
    ).toEqual(err('INVALID_PARAMETER_VALUE', "'key' exceeds the maximum length of 250 characters"));
    expect(
      (await api('POST', '/registered-models/set-tag', { name: 'tagged', key: 'k', value: 'x'.repeat(100_001) })).body,
    ).toEqual(err('INVALID_PARAMETER_VALUE', "'value' exceeds the maximum length of 100000 characters"));
    expect((await api('POST', '/registered-models/set-tag', { name: 'nope', key: 'k', value: 'v' })).status).toBe(404);
    // Deleting a tag that is not there is fine; a missing model is not.
    expect((await api('DELETE', '/registered-models/delete-tag', { name: 'tagged', key: 'zz' })).status).toBe(200);
    expect((await api('DELETE', '/registered-models/delete-tag', { name: 'tagged', key: 'k2' })).status).toBe(200);
    expect((await api('DELETE', '/registered-models/delete-tag', { name: 'nope', key: 'k' })).status).toBe(404);
    expect((await api('GET', '/registered-models/get', { name: 'tagged' })).body.registered_model.tags).toEqual([
      { key: 'k', value: 'v' },
    ]);
  });
});

describe('model versions', () => {
  beforeAll(async () => {
    await api('POST', '/registered-models/create', { name: 'mv' });
  });

  it('creates versions numbered per model, READY at once', async () => {
    const v1 = await api('POST', '/model-versions/create', {
      name: 'mv',
      source: `runs:/${runId}/model`,
      run_id: runId,
      tags: [{ key: 't', value: 'v' }],
      description: 'vd',
      run_link: 'http://x',
    });
    expect(v1.body).toEqual({
      model_version: {
        name: 'mv',
        version: '1',
        creation_timestamp: T,
        last_updated_timestamp: T,
        current_stage: 'None',
        description: 'vd',
        source: `runs:/${runId}/model`,
        run_id: runId,
        status: 'READY',
        tags: [{ key: 't', value: 'v' }],
        run_link: 'http://x',
      },
    });
    // Absent optional strings come back as "" (MLflow stores the proto defaults).
    const v2 = await api('POST', '/model-versions/create', { name: 'mv', source: 's3://bucket/path' });
    expect(v2.body.model_version).toMatchObject({ version: '2', description: '', run_id: '', run_link: '' });
    // A models:/name/version source stores that version's location as the download URI.
    const v3 = await api('POST', '/model-versions/create', { name: 'mv', source: 'models:/mv/1' });
    expect(v3.body.model_version).toMatchObject({ version: '3', source: 'models:/mv/1' });
    expect((await api('GET', '/model-versions/get-download-uri', { name: 'mv', version: '3' })).body).toEqual({
      artifact_uri: `runs:/${runId}/model`,
    });
  });

  it('rejects bad sources, missing fields and unknown models', async () => {
    expect((await api('POST', '/model-versions/create', { name: 'mv', source: '/tmp/local' })).body).toEqual(
      err(
        'INVALID_PARAMETER_VALUE',
        "Invalid model version source: '/tmp/local'. To use a local path as a model version source, the run_id " +
          'request parameter has to be specified and the local path has to be contained within the artifact ' +
          'directory of the run specified by the run_id.',
      ),
    );
    for (const source of ['mlflow-artifacts:/a/../b', 's3://bucket', 'http://h/a/./b', 'file-x:%2e%2e/x']) {
      const r = await api('POST', '/model-versions/create', { name: 'nope', source });
      expect(r.body, source).toEqual(
        err(
          'INVALID_PARAMETER_VALUE',
          `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, ` +
            'objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path ' +
            'references present. Please provide an absolute path.',
        ),
      );
    }
    // MLflow answers 500 here; a client mistake is a 400 in Runlens with the same message.
    expect(await api('POST', '/model-versions/create', { name: 'mv', source: 'models:/nope' })).toEqual({
      status: 400,
      body: err(
        'INVALID_PARAMETER_VALUE',
        "Unable to fetch model from model URI source artifact location 'models:/nope'.Error: Logged model with ID 'nope' not found.",
      ),
    });
    expect((await api('POST', '/model-versions/create', { name: 'mv' })).body).toEqual(
      err('INVALID_PARAMETER_VALUE', `Missing value for required parameter 'source'.${SEE_DOCS}`),
    );
    expect((await api('POST', '/model-versions/create', { name: 'nope', source: 's3://b/p' })).body).toEqual(
      err('RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found'),
    );
  });

  it('gets and updates a version', async () => {
    expect((await api('GET', '/model-versions/get', { name: 'mv', version: 'x' })).body).toEqual(
      err('INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got 'x'."),
    );
    expect(await api('GET', '/model-versions/get', { name: 'mv', version: '99' })).toEqual({
      status: 404,
      body: err('RESOURCE_DOES_NOT_EXIST', 'Model Version (name=mv, version=99) not found'),
    });
    expect((await api('GET', '/model-versions/get', { name: 'nope', version: '1' })).body.message).toBe(
      'Model Version (name=nope, version=1) not found',
    );
    const upd = await api('PATCH', '/model-versions/update', { name: 'mv', version: '2', description: 'vd2' });
    expect(upd.body.model_version.description).toBe('vd2');
    // Unlike registered models, an absent description is stored as NULL and omitted.
    const cleared = await api('PATCH', '/model-versions/update', { name: 'mv', version: '2' });
    expect(cleared.body.model_version).not.toHaveProperty('description');
  });

  it('transitions stages (case-insensitive) and archives existing versions', async () => {
    const s = await api('POST', '/model-versions/transition-stage', {
      name: 'mv',
      version: '1',
      stage: 'staging',
      archive_existing_versions: false,
    });
    expect(s.body.model_version.current_stage).toBe('Staging');
    expect(
      (await api('POST', '/model-versions/transition-stage', { name: 'mv', version: '2', stage: 'bogus' })).body,
    ).toEqual(
      err(
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage: bogus. Value must be one of None, Staging, Production, Archived.',
      ),
    );
    // MLflow: HTTP 500 with this message; Runlens: 400.
    const bad = await api('POST', '/model-versions/transition-stage', {
      name: 'mv',
      version: '2',
      stage: 'archived',
      archive_existing_versions: true,
    });
    expect(bad).toEqual({
      status: 400,
      body: err(
        'INVALID_PARAMETER_VALUE',
        "Model version transition cannot archive existing model versions because 'archived' is not an Active stage. " +
          "Valid stages are ['Staging', 'Production']",
      ),
    });
    await api('POST', '/model-versions/transition-stage', { name: 'mv', version: '2', stage: 'Production' });
    await api('POST', '/model-versions/transition-stage', {
      name: 'mv',
      version: '3',
      stage: 'PRODUCTION',
      archive_existing_versions: true,
    });
    const latest = await api('GET', '/registered-models/get-latest-versions', { name: 'mv' });
    // Each stage keeps the position of the oldest version that is in it.
    expect(latest.body.model_versions.map((v: any) => [v.version, v.current_stage])).toEqual([
      ['1', 'Staging'],
      ['2', 'Archived'],
      ['3', 'Production'],
    ]);
    const some = await api('POST', '/registered-models/get-latest-versions', {
      name: 'mv',
      stages: ['production', 'None'],
    });
    expect(some.body.model_versions.map((v: any) => v.version)).toEqual(['3']);
    expect(
      (await api('GET', '/registered-models/get-latest-versions', { name: 'mv', stages: 'Archived' })).body
        .model_versions,
    ).toHaveLength(1);
    expect((await api('POST', '/registered-models/get-latest-versions', { name: 'mv', stages: ['bad'] })).status).toBe(
      400,
    );
    expect((await api('GET', '/registered-models/get-latest-versions', { name: 'nope' })).status).toBe(404);
    const rm = await api('GET', '/registered-models/get', { name: 'mv' });
    expect(rm.body.registered_model.latest_versions.map((v: any) => v.current_stage)).toEqual([
      'Staging',
      'Archived',
      'Production',
    ]);
  });

  it('sets and deletes version tags', async () => {
    expect(
      (await api('POST', '/model-versions/set-tag', { name: 'mv', version: '1', key: 'k2', value: 'v2' })).body,
    ).toEqual({});
    expect((await api('POST', '/model-versions/set-tag', { name: 'mv', version: '1', key: 'k3' })).status).toBe(200);
    expect(
      (await api('POST', '/model-versions/set-tag', { name: 'mv', version: '9', key: 'k', value: 'x' })).status,
    ).toBe(404);
    expect(
      (await api('POST', '/model-versions/set-tag', { name: 'mv', version: 'x', key: 'k', value: 'x' })).status,
    ).toBe(400);
    expect((await api('DELETE', '/model-versions/delete-tag', { name: 'mv', version: '1', key: 't' })).status).toBe(
      200,
    );
    expect((await api('DELETE', '/model-versions/delete-tag', { name: 'mv', version: '1', key: 'none' })).status).toBe(
      200,
    );
    expect((await api('GET', '/model-versions/get', { name: 'mv', version: '1' })).body.model_version.tags).toEqual([
      { key: 'k2', value: 'v2' },
      { key: 'k3', value: '' },
    ]);
  });

  it('answers get-download-uri with the store messages (that handler has no request schema)', async () => {
    expect((await api('GET', '/model-versions/get-download-uri', { name: 'mv', version: '1' })).body).toEqual({
      artifact_uri: `runs:/${runId}/model`,
    });
    expect((await api('GET', '/model-versions/get-download-uri', {})).body).toEqual(
      err('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'."),
    );
    expect((await api('GET', '/model-versions/get-download-uri', { name: 'mv' })).body).toEqual(
      err('INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got ''."),
    );
  });
});

describe('aliases', () => {
  beforeAll(async () => {
    await api('POST', '/registered-models/create', { name: 'al' });
    for (let i = 0; i < 3; i++) await api('POST', '/model-versions/create', { name: 'al', source: `s3://b/v${i}` });
  });

  it('sets, gets and deletes aliases with MLflow rules', async () => {
    expect(
      (await api('POST', '/registered-models/alias', { name: 'al', alias: 'champion', version: '1' })).body,
    ).toEqual({});
    const cases: [Record<string, unknown>, number, string][] = [
      [{ alias: 'latest', version: '1' }, 400, "'latest' alias name (case insensitive) is reserved."],
      [{ alias: 'V12', version: '1' }, 400, "Version alias name 'V12' is reserved."],
      [
        { alias: 'a b', version: '1' },
        400,
        "Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
      ],
      [{ alias: 'x', version: '77' }, 404, 'Model Version (name=al, version=77) not found'],
      [{ alias: 'x', version: 'abc' }, 400, "Parameter 'version' must be an integer, got 'abc'."],
      [
        { alias: 'x', version: 2 },
        400,
        `Invalid value 2 for parameter 'version' supplied:  Hint: Value was of type 'int'.${SEE_DOCS}`,
      ],
    ];
    for (const [body, status, message] of cases) {
      const r = await api('POST', '/registered-models/alias', { name: 'al', ...body });
      expect(r.status, message).toBe(status);
      expect(r.body.message).toBe(message);
    }
    const byAlias = await api('GET', '/registered-models/alias', { name: 'al', alias: 'champion' });
    expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    // `latest` is the first entry of the latest-per-stage list (here the only stage, None: v3).
    expect(
      (await api('GET', '/registered-models/alias', { name: 'al', alias: 'Latest' })).body.model_version.version,
    ).toBe('3');
    expect((await api('GET', '/registered-models/alias', { name: 'al', alias: 'nope' })).body).toEqual(
      err('INVALID_PARAMETER_VALUE', 'Registered model alias nope not found.'),
    );
    expect((await api('GET', '/registered-models/alias', { name: 'none', alias: 'latest' })).status).toBe(404);

    await api('POST', '/registered-models/alias', { name: 'al', alias: 'c2', version: '3' });
    await api('POST', '/registered-models/alias', { name: 'al', alias: 'a1', version: '3' });
    expect((await api('GET', '/registered-models/get', { name: 'al' })).body.registered_model.aliases).toEqual([
      { alias: 'a1', version: '3' },
      { alias: 'c2', version: '3' },
      { alias: 'champion', version: '1' },
    ]);
    expect((await api('DELETE', '/registered-models/alias', { name: 'al', alias: 'nonexist' })).status).toBe(200);
    expect((await api('DELETE', '/registered-models/alias', { name: 'nope', alias: 'x' })).status).toBe(404);
    expect((await api('DELETE', '/registered-models/alias', { name: 'al', alias: 'a b' })).status).toBe(400);
    expect((await api('DELETE', '/registered-models/alias', { name: 'al', alias: 'c2' })).status).toBe(200);
  });

  it('deletes a version: its number is not reused and (as in MLflow over REST) its aliases stay', async () => {
    expect((await api('DELETE', '/model-versions/delete', { name: 'al', version: '3' })).body).toEqual({});
    expect((await api('DELETE', '/model-versions/delete', { name: 'al', version: '3' })).status).toBe(404);
    expect((await api('GET', '/model-versions/get', { name: 'al', version: '3' })).status).toBe(404);
    expect((await api('GET', '/registered-models/alias', { name: 'al', alias: 'a1' })).body).toEqual(
      err('RESOURCE_DOES_NOT_EXIST', 'Model Version (name=al, version=3) not found'),
    );
    const next = await api('POST', '/model-versions/create', { name: 'al', source: 's3://b/v4' });
    expect(next.body.model_version.version).toBe('4');
  });
});

describe('search', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      await api('POST', '/registered-models/create', {
        name: `s${i}`,
        tags: [{ key: 'grp', value: i % 2 ? 'odd' : 'even' }],
      });
    }
    await api('POST', '/registered-models/create', {
      name: 'prompt1',
      tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }],
    });
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      runs.push((await api('POST', '/runs/create', { experiment_id: experimentId })).body.run.info.run_id);
    }
    await api('POST', '/registered-models/create', { name: 'v1' });
    await api('POST', '/registered-models/create', { name: 'V2x' });
    for (let i = 0; i < 3; i++) {
      await api('POST', '/model-versions/create', {
        name: 'v1',
        source: `runs:/${runs[i % 2]}/m${i}`,
        run_id: runs[i % 2],
        tags: [{ key: 'i', value: String(i) }],
      });
    }
    await api('POST', '/model-versions/create', { name: 'V2x', source: 's3://b/x', run_id: runs[0] });
    searchRuns = runs;
  });
  let searchRuns: string[] = [];
  const names = (r: { body: any }) => (r.body.registered_models ?? []).map((m: any) => m.name);
  const versions = (r: { body: any }) => (r.body.model_versions ?? []).map((m: any) => `${m.name}/${m.version}`);

  it('searches registered models by name and tags, with paging', async () => {
    const p1 = await api('GET', '/registered-models/search', { filter: "name LIKE 's%'", max_results: 2 });
    expect(names(p1)).toEqual(['s0', 's1']);
    expect(p1.body.next_page_token).toBe('eyJvZmZzZXQiOiAyfQ==');
    const p2 = await api('GET', '/registered-models/search', {
      filter: "name LIKE 's%'",
      max_results: 2,
      page_token: p1.body.next_page_token,
    });
    expect(names(p2)).toEqual(['s2', 's3']);
    expect(p2.body.next_page_token).toBe('eyJvZmZzZXQiOiA0fQ==');
    expect(
      names(await api('GET', '/registered-models/search', { filter: "name ILIKE 'S%'", order_by: 'name DESC' })),
    ).toEqual(['s4', 's3', 's2', 's1', 's0']);
    // LIKE is case-sensitive (MLflow enables case_sensitive_like on SQLite).
    expect(names(await api('GET', '/registered-models/search', { filter: "name LIKE 'S%'" }))).toEqual([]);
    expect(
      names(await api('GET', '/registered-models/search', { filter: "tags.grp = 'even' AND name != 's0'" })),
    ).toEqual(['s2', 's4']);
    expect(names(await api('GET', '/registered-models/search', { filter: "tag.`grp` LIKE 'o%'" }))).toEqual([
      's1',
      's3',
    ]);
    expect(names(await api('GET', '/registered-models/search', { filter: 'name = "s1"' }))).toEqual(['s1']);
    // Prompts are hidden unless asked for.
    expect(names(await api('GET', '/registered-models/search', {}))).not.toContain('prompt1');
    expect(
      names(await api('GET', '/registered-models/search', { filter: "tags.`mlflow.prompt.is_prompt` = 'true'" })),
    ).toEqual(['prompt1']);
    // max_results 0 returns no models but a token, as MLflow does.
    expect((await api('GET', '/registered-models/search', { max_results: 0 })).body).toEqual({
      next_page_token: 'eyJvZmZzZXQiOiAwfQ==',
    });
  });

  it('rejects bad registered-model searches with MLflow messages', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { filter: 'name = s1' },
        'Parameter value is either not quoted or unidentified quote types used for string value s1. Use either single or double quotes.',
      ],
      [{ filter: "name = 's1' OR name = 's2'" }, 'Invalid clause(s) in filter string: OR'],
      [{ filter: "name > 's1'" }, 'Invalid comparator for attribute: >'],
      [{ filter: "description = 'x'" }, "Invalid attribute key 'description' specified. Valid keys are '{'name'}'"],
      [{ filter: "foo.bar = 'x'" }, "Invalid entity type 'foo'. Valid entity types are ('attribute', 'tag', 'tags')"],
      [{ filter: "tags.grp > 'a'" }, 'Invalid comparator for tag: >'],
      [
        { order_by: 'creation_timestamp DESC' },
        "Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'",
      ],
      [{ order_by: 'name UP' }, "Invalid ordering key in order_by clause 'name UP'."],
      [{ order_by: ['name DESC', 'name ASC'] }, "`order_by` contains duplicate fields: ['name DESC', 'name ASC']"],
      [
        { max_results: 1001 },
        `Invalid value "1001" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE_DOCS}`,
      ],
      [{ page_token: 'xyz' }, 'Invalid page token, could not base64-decode'],
      [{ page_token: 'eyJvZmZzZXQiOiAwfQ==' }, "Invalid page token, parsed value={'offset': 0}"],
    ];
    for (const [q, message] of cases) {
      const r = await api('GET', '/registered-models/search', q);
      expect(r.status, message).toBe(400);
      expect(r.body).toEqual(err('INVALID_PARAMETER_VALUE', message));
    }
    // timestamp / last_updated_timestamp both order by last-updated time (name ASC breaks ties).
    const byTime = await api('GET', '/registered-models/search', {
      order_by: 'timestamp DESC',
      filter: "name LIKE 's%'",
    });
    const got = byTime.body.registered_models.map((m: any) => [m.last_updated_timestamp, m.name]);
    const want = [...got].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1));
    expect(got).toEqual(want);
    expect(got).toHaveLength(5);
  });

  it('searches model versions', async () => {
    const [r0, r1] = searchRuns as [string, string];
    expect(versions(await api('GET', '/model-versions/search', { filter: "name LIKE 'v%'" }))).toEqual([
      'v1/3',
      'v1/2',
      'v1/1',
    ]);
    const page = await api('GET', '/model-versions/search', { filter: "name ILIKE 'v%'", max_results: 2 });
    expect(versions(page)).toEqual(['V2x/1', 'v1/3']);
    expect(page.body.next_page_token).toBe('eyJvZmZzZXQiOiAyfQ==');
    // Upper-case ids are dropped from IN lists, as MLflow does.
    expect(
      versions(await api('GET', '/model-versions/search', { filter: `run_id IN ('${r0}', '${r1.toUpperCase()}')` })),
    ).toEqual(['V2x/1', 'v1/3', 'v1/1']);
    expect(versions(await api('GET', '/model-versions/search', { filter: `run_id = '${r1}'` }))).toEqual(['v1/2']);
    expect(versions(await api('GET', '/model-versions/search', { filter: "source_path = 's3://b/x'" }))).toEqual([
      'V2x/1',
    ]);
    expect(
      versions(await api('GET', '/model-versions/search', { filter: "version_number >= 2 AND name = 'v1'" })),
    ).toEqual(['v1/3', 'v1/2']);
    expect(
      versions(await api('GET', '/model-versions/search', { filter: "version_number = '2' AND name='v1'" })),
    ).toEqual(['v1/2']);
    expect(versions(await api('GET', '/model-versions/search', { filter: "tags.i != '1' AND name='v1'" }))).toEqual([
      'v1/3',
      'v1/1',
    ]);
    expect(
      versions(
        await api('GET', '/model-versions/search', { filter: "name ILIKE 'v%'", order_by: 'version_number ASC' }),
      ),
    ).toEqual(['V2x/1', 'v1/1', 'v1/2', 'v1/3']);
    const cases: [Record<string, unknown>, string][] = [
      [
        { filter: 'name = 2' },
        "Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.",
      ],
      [
        { filter: "name IN ('v1')" },
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      ],
      [{ filter: "run_id NOT IN ('x')" }, 'Invalid comparator for attribute: NOT IN'],
      [
        { filter: "current_stage = 'None'" },
        "Invalid attribute key 'current_stage' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'",
      ],
      [
        { order_by: 'tags.x DESC' },
        "Invalid order by key 'x' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}",
      ],
      [{ max_results: 0 }, 'Invalid value for max_results. It must be a positive integer, but got 0'],
      [
        { max_results: 200_001 },
        `Invalid value "200001" for parameter 'max_results' supplied:  Hint: Value was of type 'str'.${SEE_DOCS}`,
      ],
    ];
    for (const [q, message] of cases) {
      const r = await api('GET', '/model-versions/search', q);
      expect(r.status, message).toBe(400);
      expect(r.body.message).toBe(message);
    }
    // Search results do not carry aliases.
    await api('POST', '/registered-models/alias', { name: 'v1', alias: 'best', version: '1' });
    const hit = await api('GET', '/model-versions/search', { filter: "name = 'v1' AND version_number = 1" });
    expect(hit.body.model_versions[0]).not.toHaveProperty('aliases');
  });
});

describe('logged models and artifacts', () => {
  it('registers a logged model (models:/<model_id>) and serves its files through get-artifact', async () => {
    const created = await api('POST', '/logged-models', {
      experiment_id: experimentId,
      name: 'model',
      source_run_id: runId,
    });
    expect(created.status).toBe(200);
    const model = created.body.model.info;
    const base = model.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    const put = await fetch(`${app.url}/api/2.0/mlflow-artifacts/artifacts/${base}/MLmodel`, {
      method: 'PUT',
      body: 'flavors: {}\n',
    });
    expect(put.status).toBe(200);

    await api('POST', '/registered-models/create', { name: 'lm' });
    const mv = await api('POST', '/model-versions/create', {
      name: 'lm',
      source: `models:/${model.model_id}`,
      model_id: model.model_id,
    });
    // The run comes from the logged model; the download URI is its artifact location.
    expect(mv.body.model_version).toMatchObject({ version: '1', source: `models:/${model.model_id}`, run_id: runId });
    expect((await api('GET', '/model-versions/get-download-uri', { name: 'lm', version: '1' })).body).toEqual({
      artifact_uri: model.artifact_uri,
    });
    const tagged = await api('GET', `/logged-models/${model.model_id}`);
    expect(tagged.body.model.info.tags).toContainEqual({
      key: 'mlflow.modelVersions',
      value: '[{"name": "lm", "version": 1}]',
    });

    const file = await fetch(`${app.url}/model-versions/get-artifact?name=lm&version=1&path=MLmodel`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename=MLmodel');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await file.text()).toBe('flavors: {}\n');
    const escape = await fetch(`${app.url}/model-versions/get-artifact?name=lm&version=1&path=../x`);
    expect(escape.status).toBe(400);
    expect(await escape.json()).toEqual(err('INVALID_PARAMETER_VALUE', 'Invalid path'));
    expect((await fetch(`${app.url}/model-versions/get-artifact?name=lm&version=9&path=MLmodel`)).status).toBe(404);
    expect((await fetch(`${app.url}/model-versions/get-artifact?name=lm&version=1&path=nope`)).status).toBe(404);

    // A version whose source is runs:/<id>/<path> reads the run's artifacts.
    const runInfo = (await api('GET', '/runs/get', { run_id: runId })).body.run.info;
    const runBase = runInfo.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    await fetch(`${app.url}/api/2.0/mlflow-artifacts/artifacts/${runBase}/raw/notes.txt`, {
      method: 'PUT',
      body: 'hi',
    });
    await api('POST', '/model-versions/create', { name: 'lm', source: `runs:/${runId}/raw`, run_id: runId });
    const notes = await fetch(`${app.url}/model-versions/get-artifact?name=lm&version=2&path=notes.txt`);
    expect(notes.status).toBe(200);
    expect(await notes.text()).toBe('hi');
  });

  it('validates local sources against the run artifact directory', async () => {
    const r = await api('POST', '/model-versions/create', { name: 'lm', source: '/tmp/x/model', run_id: runId });
    expect(r.body.message).toBe(
      "Invalid model version source: '/tmp/x/model'. To use a local path as a model version source, the run_id " +
        'request parameter has to be specified and the local path has to be contained within the artifact ' +
        'directory of the run specified by the run_id.',
    );
    expect(
      (await api('POST', '/model-versions/create', { name: 'lm', source: '/tmp/x', run_id: 'f'.repeat(32) })).status,
    ).toBe(404);
  });
});
