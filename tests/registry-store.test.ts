import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src-main/store/db';
import { RegistryStore } from '../src-main/store/registry-store';
import type { RegisteredModelRecord } from '../src-main/registry/entities';

let dir: string;
let db: Db;
let store: RegistryStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-registry-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new RegistryStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const record: RegisteredModelRecord = {
  name: 'imported',
  creation_timestamp: 1000,
  last_updated_timestamp: 5000,
  description: 'from mlruns',
  tags: [
    { key: 'team', value: 'ds' },
    { key: 'empty', value: null },
  ],
  aliases: [{ alias: 'champion', version: '2' }],
  versions: [
    {
      version: 1,
      creation_timestamp: 1000,
      last_updated_timestamp: 2000,
      current_stage: 'archived',
      source: 'mlflow-artifacts:/1/abc/artifacts/model',
      run_id: 'abc',
      status: 'READY',
      tags: [{ key: 'k', value: 'v' }],
    },
    {
      version: 2,
      creation_timestamp: 3000,
      last_updated_timestamp: 4000,
      current_stage: 'Production',
      source: 'models:/m-123',
      storage_location: 'mlflow-artifacts:/1/models/m-123/artifacts',
      run_id: 'def',
      model_id: 'm-123',
    },
    {
      version: 3,
      creation_timestamp: 3500,
      last_updated_timestamp: 3600,
      current_stage: 'Deleted_Internal',
      source: 'REDACTED-SOURCE-PATH',
    },
  ],
};

describe('RegistryStore import', () => {
  it('imports a full record and is idempotent', () => {
    expect(store.importRegisteredModel(record)).toEqual({
      modelsCreated: 1,
      modelsUpdated: 0,
      versionsCreated: 3,
      versionsUpdated: 0,
    });
    expect(store.importRegisteredModel(record)).toEqual({
      modelsCreated: 0,
      modelsUpdated: 1,
      versionsCreated: 0,
      versionsUpdated: 3,
    });
    expect(store.counts()).toEqual({ registeredModels: 1, modelVersions: 2 });

    const rm = store.getRegisteredModel('imported');
    expect(rm).toEqual({
      name: 'imported',
      creation_timestamp: 1000,
      last_updated_timestamp: 5000,
      description: 'from mlruns',
      latest_versions: [
        expect.objectContaining({
          version: '1',
          current_stage: 'Archived',
          run_id: 'abc',
          tags: [{ key: 'k', value: 'v' }],
        }),
        expect.objectContaining({ version: '2', current_stage: 'Production', source: 'models:/m-123' }),
      ],
      tags: [{ key: 'team', value: 'ds' }, { key: 'empty' }],
      aliases: [{ alias: 'champion', version: '2' }],
    });
    expect(store.getModelVersionDownloadUri('imported', '2')).toBe('mlflow-artifacts:/1/models/m-123/artifacts');
    expect(store.getModelVersionDownloadUri('imported', '1')).toBe('mlflow-artifacts:/1/abc/artifacts/model');
    expect(store.getModelVersion('imported', '2').aliases).toEqual(['champion']);
    // The deleted version keeps its number: the next version is 4.
    const created = store.createModelVersion({
      name: 'imported',
      source: 's3://b/p',
      storageLocation: null,
      runId: '',
      runLink: '',
      description: '',
      tags: [],
      modelId: null,
    });
    expect(created.version).toBe('4');
    expect(store.getModelVersionModelId('imported', '2')).toBe('m-123');
  });

  it('imports versions one by one into an existing model', () => {
    store.importRegisteredModel({ name: 'm', creation_timestamp: 1, last_updated_timestamp: 1 });
    const v = { version: 7, creation_timestamp: 2, last_updated_timestamp: 3, source: 's3://x/y' };
    expect(store.importModelVersion('m', v).versionsCreated).toBe(1);
    expect(store.importModelVersion('m', v).versionsUpdated).toBe(1);
    expect(store.getModelVersion('m', '7')).toMatchObject({ version: '7', current_stage: 'None', status: 'READY' });
    expect(() => store.importModelVersion('nope', v)).toThrow('Registered Model with name=nope not found');
  });

  it('rejects an unknown stage in an import record', () => {
    expect(() =>
      store.importRegisteredModel({
        name: 'bad',
        creation_timestamp: 1,
        last_updated_timestamp: 1,
        versions: [{ version: 1, creation_timestamp: 1, last_updated_timestamp: 1, current_stage: 'Gold' }],
      }),
    ).toThrow('Invalid Model Version stage: Gold');
    // The whole record is one transaction.
    expect(store.counts().registeredModels).toBe(0);
  });
});

describe('RegistryStore semantics', () => {
  const mk = (name: string, source = 's3://b/x') =>
    store.createModelVersion({
      name,
      source,
      storageLocation: null,
      runId: 'r1',
      runLink: '',
      description: '',
      tags: [],
      modelId: null,
    });

  it('keeps latest_versions in first-seen stage order and survives renames', () => {
    store.createRegisteredModel('a', [], '');
    mk('a');
    mk('a');
    mk('a');
    store.transitionModelVersionStage('a', '1', 'staging', false);
    store.transitionModelVersionStage('a', '2', 'archived', false);
    store.transitionModelVersionStage('a', '3', 'PRODUCTION', false);
    expect(store.getRegisteredModel('a').latest_versions!.map((v) => [v.version, v.current_stage])).toEqual([
      ['1', 'Staging'],
      ['2', 'Archived'],
      ['3', 'Production'],
    ]);
    store.renameRegisteredModel('a', 'b');
    expect(store.getModelVersion('b', '3').name).toBe('b');
    expect(() => store.getRegisteredModel('a')).toThrow('Registered Model with name=a not found');
    // `latest` alias: the first entry of the latest-per-stage list.
    expect(store.getModelVersionByAlias('b', 'LATEST').version).toBe('1');
  });

  it('archives existing versions in the target stage', () => {
    store.createRegisteredModel('a', [], '');
    mk('a');
    mk('a');
    store.transitionModelVersionStage('a', '1', 'Production', false);
    store.transitionModelVersionStage('a', '2', 'Production', true);
    expect(store.getModelVersion('a', '1').current_stage).toBe('Archived');
    expect(store.getModelVersion('a', '2').current_stage).toBe('Production');
    expect(() => store.transitionModelVersionStage('a', '2', 'None', true)).toThrow(
      "Model version transition cannot archive existing model versions because 'None' is not an Active stage.",
    );
  });

  it('deletes a registered model with everything under it', () => {
    store.createRegisteredModel('a', [{ key: 't', value: 'v' }], 'd');
    mk('a');
    store.setModelVersionTag('a', '1', 'k', 'v');
    store.setRegisteredModelAlias('a', 'x', '1');
    store.deleteRegisteredModel('a');
    expect(store.counts()).toEqual({ registeredModels: 0, modelVersions: 0 });
    for (const t of ['registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases']) {
      expect((db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n).toBe(0);
    }
  });
});
