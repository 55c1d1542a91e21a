import { request } from 'node:http';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

let app: TestApp;
/** A directory beside the data dir that no request may touch. */
let outside: string;
const A = '/api/2.0/mlflow-artifacts/artifacts';

beforeAll(async () => {
  app = await startTestApp();
  outside = mkdtempSync(join(tmpdir(), 'runlens-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'top secret');
  mkdirSync(join(outside, 'dir'));
  writeFileSync(join(outside, 'dir', 'inner.txt'), 'inner');
  const root = app.ctx.artifacts.root;
  mkdirSync(join(root, '0', 'r', 'artifacts'), { recursive: true });
  writeFileSync(join(root, '0', 'r', 'artifacts', 'ok.txt'), 'ok');
  symlinkSync(outside, join(root, '0', 'r', 'artifacts', 'escape-dir'));
  symlinkSync(join(outside, 'secret.txt'), join(root, '0', 'r', 'artifacts', 'escape-file'));
  symlinkSync(join(root, '0', 'r', 'artifacts', 'ok.txt'), join(root, '0', 'r', 'artifacts', 'inside-link'));
  writeFileSync(join(app.dataDir, 'runlens-secret.txt'), 'db neighbour');
});
afterAll(async () => {
  await app.close();
  rmSync(outside, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  body: string;
  json: any;
}

function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
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
        resolve({ status: res.statusCode ?? 0, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const INVALID = { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' };

/** Every attack path, as sent on the wire after the artifacts route prefix. */
const ATTACKS = [
  '../evil.txt',
  '0/../../evil.txt',
  '0/r/../../../evil.txt',
  '%2e%2e/evil.txt',
  '%2E%2E%2Fevil.txt',
  '0/%2e%2e/%2e%2e/evil.txt',
  '%252e%252e/%252e%252e/evil.txt',
  '%25252e%25252e%25252fevil.txt',
  '..%2fevil.txt',
  '..%252fevil.txt',
  '/etc/evil.txt',
  '%2Fetc%2Fevil.txt',
  '%2F%2Fetc/evil.txt',
  '..%5Cevil.txt',
  'a%5C..%5C..%5Cevil.txt',
  'evil%23frag.txt',
  'file:%2F%2F%2Fetc%2Fevil.txt',
  'C:%2Fevil.txt',
];

function nothingWrittenOutside(): void {
  expect(readdirSync(outside).sort()).toEqual(['dir', 'secret.txt']);
  expect(readdirSync(join(outside, 'dir'))).toEqual(['inner.txt']);
  expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  expect(readdirSync(app.dataDir).filter((n) => n.includes('evil'))).toEqual([]);
  expect(existsSync('/etc/evil.txt')).toBe(false);
  expect(existsSync(join(app.ctx.artifacts.root, '..', 'evil.txt'))).toBe(false);
}

describe('control characters never reach a file name or a header', () => {
  it.each(['ctl%00.txt', 'ctl%2500.txt', 'a%0d%0aSet-Cookie:x.txt'])('PUT/GET %s stores an escaped name', async (p) => {
    const put = await raw('PUT', `${A}/0/ctl/${p}`, 'data', { 'Content-Type': 'application/octet-stream' });
    expect(put.status).toBe(200);
    const names = readdirSync(join(app.ctx.artifacts.root, '0', 'ctl'));
    // eslint-disable-next-line no-control-regex
    expect(names.every((n) => !/[\u0000-\u001f\u007f]/.test(n))).toBe(true);
    const get = await raw('GET', `${A}/0/ctl/${p}`);
    expect(get.status).toBe(200);
    expect(get.body).toBe('data');
    nothingWrittenOutside();
  });
});

describe('path traversal is refused with 400 "Invalid path"', () => {
  it.each(ATTACKS)('PUT %s', async (p) => {
    const r = await raw('PUT', `${A}/${p}`, 'pwned', { 'Content-Type': 'application/octet-stream' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual(INVALID);
    nothingWrittenOutside();
  });

  it.each(ATTACKS)('GET %s', async (p) => {
    const r = await raw('GET', `${A}/${p}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(INVALID);
  });

  it.each(ATTACKS)('DELETE %s', async (p) => {
    const r = await raw('DELETE', `${A}/${p}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(INVALID);
    nothingWrittenOutside();
  });

  it.each(ATTACKS)('list ?path=%s', async (p) => {
    const r = await raw('GET', `${A}?path=${p}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual(INVALID);
  });

  it('reading the database next to the artifact root is impossible', async () => {
    for (const p of ['../runlens.db', '%2e%2e/runlens.db', '..%2frunlens-secret.txt']) {
      const r = await raw('GET', `${A}/${p}`);
      expect(r.status).toBe(400);
      expect(r.body).not.toContain('db neighbour');
    }
  });

  it('never answers 5xx to malformed paths', async () => {
    for (const p of ['%', '%zz', '%e0%a4%a', '%ff%fe', '%C0%AE%C0%AE/x', 'a'.repeat(5000)]) {
      const r = await raw('GET', `${A}/${p}`);
      expect(r.status, p).toBeLessThan(500);
      const w = await raw('PUT', `${A}/0/r/artifacts/${p}`, 'x');
      expect(w.status, p).toBeLessThan(500);
    }
  });
});

describe('symlinks inside the root cannot lead outside', () => {
  it('refuses to read through a symlinked file or directory that points outside', async () => {
    const f = await raw('GET', `${A}/0/r/artifacts/escape-file`);
    expect(f.status).toBe(400);
    expect(f.body).not.toContain('top secret');
    const d = await raw('GET', `${A}/0/r/artifacts/escape-dir/secret.txt`);
    expect(d.status).toBe(400);
    expect(d.body).not.toContain('top secret');
  });

  it('refuses to list through them and hides them from listings', async () => {
    expect((await raw('GET', `${A}?path=0/r/artifacts/escape-dir`)).status).toBe(400);
    const listing = await raw('GET', `${A}?path=0/r/artifacts`);
    expect(listing.json.files.map((f: { path: string }) => f.path)).toEqual(['inside-link', 'ok.txt']);
  });

  it('refuses to write through them (nothing is created outside)', async () => {
    const r1 = await raw('PUT', `${A}/0/r/artifacts/escape-dir/evil.txt`, 'pwned');
    expect(r1.status).toBe(400);
    const r2 = await raw('PUT', `${A}/0/r/artifacts/escape-dir/new/deeper/evil.txt`, 'pwned');
    expect(r2.status).toBe(400);
    nothingWrittenOutside();
    expect(existsSync(join(outside, 'new'))).toBe(false);
    const del = await raw('DELETE', `${A}/0/r/artifacts/escape-dir/dir`);
    expect(del.status).toBe(400);
    expect(existsSync(join(outside, 'dir', 'inner.txt'))).toBe(true);
  });

  it('replaces a symlinked file on upload instead of writing through it', async () => {
    const root = app.ctx.artifacts.root;
    symlinkSync(join(outside, 'secret.txt'), join(root, '0', 'r', 'artifacts', 'overwrite-link'));
    const r = await raw('PUT', `${A}/0/r/artifacts/overwrite-link`, 'new content');
    expect(r.status).toBe(200);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(readFileSync(join(root, '0', 'r', 'artifacts', 'overwrite-link'), 'utf8')).toBe('new content');
  });

  it('deletes a symlink without touching its target', async () => {
    const r = await raw('DELETE', `${A}/0/r/artifacts/escape-dir`);
    expect(r.status).toBe(200);
    expect(existsSync(join(app.ctx.artifacts.root, '0', 'r', 'artifacts', 'escape-dir'))).toBe(false);
    nothingWrittenOutside();
    const inner = await raw('DELETE', `${A}/0/r/artifacts/escape-file`);
    expect(inner.status).toBe(200);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('follows symlinks that stay inside the root', async () => {
    const r = await raw('GET', `${A}/0/r/artifacts/inside-link`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
  });
});

describe('the repository API used by other modules is confined too', () => {
  it('resolve() refuses escapes and openRead() refuses symlinks out', async () => {
    const repo = app.ctx.artifacts;
    expect(() => repo.resolve('../x')).toThrow('Invalid path');
    expect(() => repo.resolve('%2e%2e/x')).toThrow('Invalid path');
    expect(repo.resolve('0/r/artifacts/ok.txt')).toBe(join(repo.root, '0', 'r', 'artifacts', 'ok.txt'));
    symlinkSync(outside, join(repo.root, '0', 'r', 'artifacts', 'escape-again'));
    await expect(repo.openRead('0/r/artifacts/escape-again/secret.txt')).rejects.toThrow('Invalid path');
    await expect(repo.list('0/r/artifacts/escape-again')).rejects.toThrow('Invalid path');
  });

  it('dirForUri() maps run URIs and refuses escaping locations', () => {
    const repo = app.ctx.artifacts;
    expect(repo.dirForUri('mlflow-artifacts:/0/r/artifacts')?.root).toBe(join(repo.root, '0', 'r', 'artifacts'));
    expect(repo.localPathForUri('file:///data/x')).toBe('/data/x');
    expect(repo.dirForUri('s3://bucket/x')).toBeNull();
    expect(() => repo.dirForUri('mlflow-artifacts:/../../etc')).toThrow('Invalid path');
  });
});
