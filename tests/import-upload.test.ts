import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setImportWorkerFile } from '../src-main/importers/import-job';
import { UPLOADS_DIR_NAME, uploadPathSegments } from '../src-main/importers/import-uploads';
import { NOT_IMPORTABLE_MESSAGE } from '../src-main/contract/import-api';
import { startTestApp, type TestApp } from './helpers';
import { MLFLOW_DB, MLRUNS, buildImportWorker } from './import-helpers';

/** The import UI's server side in serve mode: inspect a path, and upload a folder or a .db to import. */

let app: TestApp;
beforeAll(async () => {
  setImportWorkerFile(buildImportWorker());
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
  setImportWorkerFile(null);
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function put(uploadId: string, path: string, body: Buffer | string, headers: Record<string, string> = {}) {
  const qs = new URLSearchParams({ upload_id: uploadId, path });
  const res = await fetch(`${app.url}/ajax-api/2.0/runlens/imports/uploads/file?${qs}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function createUpload(): Promise<string> {
  const r = await app.api('POST', '/runlens/imports/uploads/create', {});
  expect(r.status).toBe(200);
  expect(r.body.upload_id).toMatch(/^[0-9a-f]{32}$/);
  return r.body.upload_id as string;
}

async function waitDone(id: string): Promise<any> {
  for (;;) {
    const r = await app.api('GET', '/runlens/imports/get', { import_id: id });
    if (r.body.status !== 'running') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
}

const uploadDir = (id: string): string => join(app.dataDir, UPLOADS_DIR_NAME, id);

describe('inspect', () => {
  it('says what each path holds without importing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'runlens-empty-'));
    try {
      const r = await app.api('POST', '/runlens/imports/inspect', {
        paths: [MLRUNS, MLFLOW_DB, empty, 'relative/x', '/nonexistent/mlruns', join(app.dataDir, 'runlens.db')],
      });
      expect(r.status).toBe(200);
      expect(r.body.sources).toEqual([
        { input: MLRUNS, path: MLRUNS, kind: 'mlruns' },
        { input: MLFLOW_DB, path: MLFLOW_DB, kind: 'mlflow-db' },
      ]);
      expect(r.body.problems).toEqual([
        { path: empty, reason: 'no mlruns folder or mlflow.db found here' },
        { path: 'relative/x', reason: 'not an absolute path' },
        { path: '/nonexistent/mlruns', reason: 'not found' },
        { path: join(app.dataDir, 'runlens.db'), reason: 'this is the Runlens store itself' },
      ]);
      expect((await app.api('POST', '/runlens/imports/inspect', {})).status).toBe(400);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('upload paths', () => {
  it('accepts exact relative names and refuses anything that could escape', () => {
    expect(uploadPathSegments('mlruns/0/meta.yaml')).toEqual(['mlruns', '0', 'meta.yaml']);
    // Literal percent signs stay as they are (no decoding): these are ordinary file names.
    expect(uploadPathSegments('a/img%step%25%timestamp%17.png')).toEqual(['a', 'img%step%25%timestamp%17.png']);
    expect(uploadPathSegments('%2e%2e/x')).toEqual(['%2e%2e', 'x']);
    expect(uploadPathSegments('.trash/1/meta.yaml')).toEqual(['.trash', '1', 'meta.yaml']);
    for (const bad of [
      '',
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a//b',
      'a/./b',
      'a/',
      'a\\..\\b',
      'C:/x',
      'a\u0000b',
      '..',
    ]) {
      expect(() => uploadPathSegments(bad), JSON.stringify(bad)).toThrow(/Invalid path/);
    }
    expect(() => uploadPathSegments(42)).toThrow(/Invalid path/);
    expect(() => uploadPathSegments('x'.repeat(256))).toThrow(/Invalid path/);
  });

  it('refuses escapes, duplicates and unknown uploads over HTTP, and keeps names exact', async () => {
    const id = await createUpload();
    for (const bad of ['../escape.txt', '/tmp/abs.txt', 'a/../../escape.txt', 'a\\b']) {
      const r = await put(id, bad, 'x');
      expect(r.status, bad).toBe(400);
      expect(r.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    expect(existsSync(join(app.dataDir, UPLOADS_DIR_NAME, 'escape.txt'))).toBe(false);
    expect(existsSync(join(app.dataDir, 'escape.txt'))).toBe(false);
    expect((await put(id, 'd/img%step%25.png', 'png')).status).toBe(200);
    expect(readFileSync(join(uploadDir(id), 'd', 'img%step%25.png'), 'utf8')).toBe('png');
    expect((await put(id, 'd/%2e%2e', 'dots')).status).toBe(200);
    expect(readFileSync(join(uploadDir(id), 'd', '%2e%2e'), 'utf8')).toBe('dots');
    const dup = await put(id, 'd/img%step%25.png', 'again');
    expect(dup.status).toBe(400);
    expect(dup.body.message).toMatch(/already uploaded/);
    // A file where a folder is needed (and the reverse) is a conflict, not a server error.
    expect((await put(id, 'd/img%step%25.png/inner', 'x')).status).toBe(400);
    expect((await put(id, 'd', 'x')).status).toBe(400);
    expect((await put('f'.repeat(32), 'a.txt', 'x')).status).toBe(404);
    expect((await put('../../etc', 'a.txt', 'x')).status).toBe(404);
    // Without a Content-Type the body is still taken as bytes.
    const plain = await fetch(
      `${app.url}/api/2.0/runlens/imports/uploads/file?${new URLSearchParams({ upload_id: id, path: 'raw.bin' })}`,
      { method: 'PUT', body: new Uint8Array([1, 2, 3]) },
    );
    expect(plain.status).toBe(200);
    expect(readFileSync(join(uploadDir(id), 'raw.bin'))).toEqual(Buffer.from([1, 2, 3]));

    expect((await app.api('POST', '/runlens/imports/uploads/discard', { upload_id: id })).status).toBe(200);
    expect(existsSync(uploadDir(id))).toBe(false);
    expect((await put(id, 'late.txt', 'x')).status).toBe(404);
  });
});

describe('upload and import', () => {
  it('imports an uploaded mlruns folder with its artifacts copied, then deletes the upload', async () => {
    const id = await createUpload();
    const files = walk(MLRUNS);
    expect(files.some((f) => f.includes('/.trash/'))).toBe(true);
    for (const f of files) {
      const r = await put(id, `mlruns-small/${relative(MLRUNS, f)}`, readFileSync(f));
      expect(r.status, f).toBe(200);
      expect(r.body.size).toBe(readFileSync(f).length);
    }
    const start = await app.api('POST', '/runlens/imports/uploads/start', { upload_id: id });
    expect(start.status).toBe(200);
    expect(start.body.upload_root).toBe(uploadDir(id));
    // Sealed: no more files once the import started.
    expect((await put(id, 'late.txt', 'x')).status).toBe(400);
    const done = await waitDone(start.body.import_id);
    expect(done.status).toBe('completed');
    const c = done.report.counts;
    expect(c.runsCreated).toBe(22);
    expect(c.experimentsCreated + c.experimentsMerged).toBe(5);
    expect(c.metricPointsRead).toBe(100455); // as in the README (4 exact duplicates are stored once)
    expect(c.artifactFilesCopied).toBeGreaterThan(0);
    expect(done.report.sources).toEqual([{ path: join(uploadDir(id), 'mlruns-small'), kind: 'mlruns' }]);
    // The temp copy is gone once the import ended; the runs' artifacts live in the store.
    for (let i = 0; i < 100 && existsSync(uploadDir(id)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(uploadDir(id))).toBe(false);
    const runs = await app.api('POST', '/mlflow/runs/search', {
      experiment_ids: done.report.experiments.map((e: { experimentId: string }) => e.experimentId),
      run_view_type: 'ALL',
      max_results: 1000,
    });
    expect(runs.body.runs).toHaveLength(22);
    // Runs that had artifacts now point into the store. (Runs without an artifacts folder keep a
    // location under the upload: the engine only rewrites locations it copied — see the report.)
    const hadArtifacts = new Set(
      files
        .filter((f) => /\/[0-9a-f]{32}\/artifacts\//.test(f))
        .map((f) => /\/([0-9a-f]{32})\/artifacts\//.exec(f)![1]),
    );
    expect(hadArtifacts.size).toBeGreaterThan(0);
    for (const r of runs.body.runs) {
      if (hadArtifacts.has(r.info.run_id)) expect(r.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
    }
  });

  it('imports an uploaded mlflow.db', async () => {
    const id = await createUpload();
    expect((await put(id, 'mlflow.db', readFileSync(MLFLOW_DB))).status).toBe(200);
    const start = await app.api('POST', '/runlens/imports/uploads/start', { upload_id: id });
    expect(start.status).toBe(200);
    const done = await waitDone(start.body.import_id);
    expect(done.status).toBe('completed');
    expect(done.report.sources[0].kind).toBe('mlflow-db');
    expect(done.report.counts.runsCreated).toBe(22);
    expect(done.report.counts.metricPointsInserted).toBe(100451);
  });

  it('says clearly when an upload holds nothing to import, and removes it', async () => {
    const id = await createUpload();
    expect((await put(id, 'photos/cat.jpg', 'not a run')).status).toBe(200);
    expect((await put(id, 'notes.db', 'not sqlite')).status).toBe(200);
    const start = await app.api('POST', '/runlens/imports/uploads/start', { upload_id: id });
    expect(start.status).toBe(400);
    expect(start.body.message).toContain(`'notes.db' ${NOT_IMPORTABLE_MESSAGE}`);
    expect(start.body.message).toContain(`'photos' ${NOT_IMPORTABLE_MESSAGE}`);
    expect(existsSync(uploadDir(id))).toBe(false);

    const none = await createUpload();
    const r = await app.api('POST', '/runlens/imports/uploads/start', { upload_id: none });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('Nothing was uploaded.');
  });

  it('clears uploads left behind by an earlier process once they are stale', async () => {
    const stale = join(app.dataDir, UPLOADS_DIR_NAME, 'a'.repeat(32));
    const recent = join(app.dataDir, UPLOADS_DIR_NAME, 'b'.repeat(32));
    mkdirSync(stale, { recursive: true });
    mkdirSync(recent, { recursive: true });
    writeFileSync(join(stale, 'left.txt'), 'x');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(stale, old, old);
    const id = await createUpload();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    await app.api('POST', '/runlens/imports/uploads/discard', { upload_id: id });
    rmSync(recent, { recursive: true, force: true });
  });
});
