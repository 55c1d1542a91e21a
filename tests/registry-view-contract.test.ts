import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MLFLOW_AJAX_PREFIX, MODEL_VERSION_ARTIFACT_PATH, REGISTRY_ENDPOINTS } from '../src-main/contract/registry-api';
import type * as Contract from '../src-main/contract/registry-api';
import type * as Entities from '../src-main/registry/entities';
import { startTestApp, type TestApp } from './helpers';

/**
 * The registry view's contract (src-main/contract/registry-api.ts) against the real server: every
 * endpoint it names is served under `/ajax-api/2.0` with its method, and the server's entity
 * types fit the contract's.
 */

// Compile-time: what the store returns is what the renderer reads.
const _model: (m: Entities.RegisteredModel) => Contract.RegisteredModel = (m) => m;
const _version: (v: Entities.ModelVersion) => Contract.ModelVersion = (v) => v;
void _model;
void _version;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('registry view contract', () => {
  it.each(Object.entries(REGISTRY_ENDPOINTS))('%s is routed', async (_name, endpoint) => {
    const init: RequestInit = { method: endpoint.method };
    if (endpoint.method !== 'GET') {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = '{}';
    }
    const res = await fetch(`${app.url}${MLFLOW_AJAX_PREFIX}${endpoint.path}`, init);
    // Routed: MLflow's parameter validation answers (400), never "no such endpoint" (404/405).
    expect([200, 400]).toContain(res.status);
    if (res.status === 400)
      expect(((await res.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('serves a version file through get-artifact', async () => {
    const res = await fetch(`${app.url}${MODEL_VERSION_ARTIFACT_PATH}?name=nope&version=1&path=MLmodel`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
