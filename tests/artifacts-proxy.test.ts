import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers';

let app: TestApp;
const A = '/api/2.0/mlflow-artifacts/artifacts';

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: any;
}

/** An HTTP request with the path sent exactly as given (fetch would normalize `..` and encodings). */
function raw(
  method: string,
  path: string,
  body?: Buffer | Readable,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(buf.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
      });
    });
    req.on('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

const put = (path: string, body: Buffer, type = 'application/octet-stream') =>
  raw('PUT', `${A}/${path}`, body, { 'Content-Type': type, 'Content-Length': String(body.length) });

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mlflow-artifacts upload / download', () => {
  it('round-trips a binary file byte-exact and stores it under the root', async () => {
    const data = randomBytes(300_000);
    const up = await put('0/run1/artifacts/bin/data.bin', data);
    expect(up.status).toBe(200);
    expect(up.json).toEqual({});
    expect(up.headers['content-type']).toMatch(/^application\/json/);
    expect(readFileSync(join(app.ctx.artifacts.root, '0/run1/artifacts/bin/data.bin')).equals(data)).toBe(true);

    const down = await raw('GET', `${A}/0/run1/artifacts/bin/data.bin`);
    expect(down.status).toBe(200);
    expect(sha(down.body)).toBe(sha(data));
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(down.headers['content-disposition']).toBe('attachment; filename=data.bin');
    expect(down.headers['x-content-type-options']).toBe('nosniff');
    expect(down.headers['content-length']).toBe(String(data.length));
  });

  it('keeps a JSON body sent as application/json byte-exact (no parsing)', async () => {
    const text = Buffer.from('{"b": 2,   "a": [1, 2.50, "\\u00e9"]}\n');
    expect((await put('0/run1/artifacts/d.json', text, 'application/json')).status).toBe(200);
    const down = await raw('GET', `${A}/0/run1/artifacts/d.json`);
    expect(down.body.equals(text)).toBe(true);
    expect(down.headers['content-type']).toBe('text/plain');
    expect(down.headers['content-disposition']).toBe('attachment; filename=d.json');
  });

  it('accepts a body without Content-Type and with chunked transfer encoding', async () => {
    const data = randomBytes(70_000);
    const r = await raw(
      'PUT',
      `${A}/0/run1/artifacts/chunked.bin`,
      Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
    );
    expect(r.status).toBe(200);
    expect((await raw('GET', `${A}/0/run1/artifacts/chunked.bin`)).body.equals(data)).toBe(true);
  });

  it('stores an empty file, listed without file_size as MLflow does', async () => {
    expect((await put('0/run1/artifacts/empty.txt', Buffer.alloc(0))).status).toBe(200);
    const down = await raw('GET', `${A}/0/run1/artifacts/empty.txt`);
    expect(down.status).toBe(200);
    expect(down.body.length).toBe(0);
    const list = await raw('GET', `${A}?path=0/run1/artifacts`);
    expect(list.json.files).toContainEqual({ path: 'empty.txt', is_dir: false });
  });

  it('handles names with spaces and unicode (percent-encoded by the client)', async () => {
    const name = 'my file ü€.txt';
    const enc = encodeURIComponent(name);
    expect((await put(`0/run1/artifacts/sp%20ace/${enc}`, Buffer.from('uni'))).status).toBe(200);
    expect(existsSync(join(app.ctx.artifacts.root, '0/run1/artifacts/sp ace', name))).toBe(true);
    const down = await raw('GET', `${A}/0/run1/artifacts/sp%20ace/${enc}`);
    expect(down.status).toBe(200);
    expect(down.body.toString()).toBe('uni');
    // Werkzeug's form: an NFKD ASCII fallback (ü -> u, € dropped) plus RFC 5987 filename*.
    expect(down.headers['content-disposition']).toBe(`attachment; filename="my file u.txt"; filename*=UTF-8''${enc}`);
    const list = await raw('GET', `${A}?path=${encodeURIComponent('0/run1/artifacts/sp ace')}`);
    expect(list.json).toEqual({ files: [{ path: name, is_dir: false, file_size: 3 }] });
  });

  it('overwrites an existing file atomically', async () => {
    await put('0/run1/artifacts/over.txt', Buffer.from('first version'));
    await put('0/run1/artifacts/over.txt', Buffer.from('second'));
    expect((await raw('GET', `${A}/0/run1/artifacts/over.txt`)).body.toString()).toBe('second');
  });

  it('refuses to replace a directory with a file, and a file used as a directory (400)', async () => {
    const r1 = await put('0/run1/artifacts/bin', Buffer.from('x'));
    expect(r1.status).toBe(400);
    expect(r1.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const r2 = await put('0/run1/artifacts/over.txt/child', Buffer.from('x'));
    expect(r2.status).toBe(400);
    expect(statSync(join(app.ctx.artifacts.root, '0/run1/artifacts/bin')).isDirectory()).toBe(true);
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for a missing file and 400 for a directory', async () => {
    const missing = await raw('GET', `${A}/0/run1/artifacts/nope.txt`);
    expect(missing.status).toBe(404);
    expect(missing.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const missingDir = await raw('GET', `${A}/0/nope/artifacts/x.txt`);
    expect(missingDir.status).toBe(404);
    const dir = await raw('GET', `${A}/0/run1/artifacts/bin`);
    expect(dir.status).toBe(400);
    expect(dir.json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('serves HEAD with the real headers and no body', async () => {
    const r = await raw('HEAD', `${A}/0/run1/artifacts/d.json`);
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect(r.headers['content-disposition']).toBe('attachment; filename=d.json');
    expect(r.headers['content-length']).toBe(
      String(readFileSync(join(app.ctx.artifacts.root, '0/run1/artifacts/d.json')).length),
    );
  });

  it.runIf(existsSync('/proc/self/fd'))('leaks no file descriptors on HEAD or aborted downloads', async () => {
    await put('0/run1/artifacts/fd.bin', randomBytes(4 * 1024 * 1024));
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 10; i++) await raw('HEAD', `${A}/0/run1/artifacts/fd.bin`);
    const url = new URL(app.url);
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const req = request({ host: url.hostname, port: url.port, path: `${A}/0/run1/artifacts/fd.bin` }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
        req.end();
      });
    }
    let after = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 40 && after > before + 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = readdirSync('/proc/self/fd').length;
    }
    expect(after).toBeLessThanOrEqual(before + 2);
  });

  it('cleans up after a client that aborts mid-upload', async () => {
    const dir = join(app.ctx.artifacts.root, '0/run1/artifacts/aborted');
    const url = new URL(app.url);
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        method: 'PUT',
        path: `${A}/0/run1/artifacts/aborted/big.bin`,
        headers: { 'Content-Length': String(10_000_000) },
      });
      req.on('error', () => resolve());
      req.write(randomBytes(200_000), () => setTimeout(() => req.destroy(), 100));
    });
    for (let i = 0; i < 50 && existsSync(dir) && readdirSync(dir).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readdirSync(dir)).toEqual([]);
    // And the server is still fine.
    expect((await raw('GET', `${A}/0/run1/artifacts/d.json`)).status).toBe(200);
  });

  it('streams a 64 MB upload and download byte-exact', async () => {
    const chunk = randomBytes(1024 * 1024);
    const hash = createHash('sha256');
    const chunks = Array.from({ length: 64 }, (_, i) => {
      const c = Buffer.from(chunk);
      c.writeUInt32BE(i, 0);
      hash.update(c);
      return c;
    });
    const up = await raw('PUT', `${A}/0/run1/artifacts/large.bin`, Readable.from(chunks), {
      'Content-Length': String(64 * 1024 * 1024),
    });
    expect(up.status).toBe(200);
    const down = await raw('GET', `${A}/0/run1/artifacts/large.bin`);
    expect(down.body.length).toBe(64 * 1024 * 1024);
    expect(sha(down.body)).toBe(hash.digest('hex'));
  });

  it('takes concurrent uploads into the same new directories', async () => {
    const bodies = Array.from({ length: 24 }, (_, i) => randomBytes(1000 + i));
    const results = await Promise.all(bodies.map((b, i) => put(`5/conc/artifacts/a/b/c/f${i}.bin`, b)));
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 200));
    const same = await Promise.all(bodies.map((b) => put('5/conc/artifacts/same.bin', b)));
    expect(same.every((r) => r.status === 200)).toBe(true);
    const final = readFileSync(join(app.ctx.artifacts.root, '5/conc/artifacts/same.bin'));
    expect(bodies.some((b) => b.equals(final))).toBe(true);
    const list = await raw('GET', `${A}?path=5/conc/artifacts`);
    expect(list.json).toEqual({
      files: [
        { path: 'a', is_dir: true },
        { path: 'same.bin', is_dir: false, file_size: final.length },
      ],
    });
    for (let i = 0; i < bodies.length; i++) {
      expect(readFileSync(join(app.ctx.artifacts.root, `5/conc/artifacts/a/b/c/f${i}.bin`)).equals(bodies[i]!)).toBe(
        true,
      );
    }
  });

  it('works under /ajax-api/2.0 as well', async () => {
    const r = await raw('GET', `/ajax-api/2.0/mlflow-artifacts/artifacts/0/run1/artifacts/d.json`);
    expect(r.status).toBe(200);
  });
});

describe('mlflow-artifacts listing', () => {
  beforeAll(async () => {
    await put('1/r/artifacts/a.txt', Buffer.from('aaaa'));
    await put('1/r/artifacts/B.txt', Buffer.from('b'));
    await put('1/r/artifacts/sub/deep/c.bin', Buffer.from('ccc'));
  });

  it('lists base names sorted, directories without file_size', async () => {
    const r = await raw('GET', `${A}?path=1/r/artifacts`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      files: [
        { path: 'B.txt', is_dir: false, file_size: 1 },
        { path: 'a.txt', is_dir: false, file_size: 4 },
        { path: 'sub', is_dir: true },
      ],
    });
    const sub = await raw('GET', `${A}?path=1/r/artifacts/sub`);
    expect(sub.json).toEqual({ files: [{ path: 'deep', is_dir: true }] });
  });

  it('lists the root without a path, and {} for missing paths and files', async () => {
    const root = await raw('GET', A);
    expect(root.json.files).toEqual(
      expect.arrayContaining([
        { path: '0', is_dir: true },
        { path: '1', is_dir: true },
      ]),
    );
    expect((await raw('GET', `${A}?path=`)).json.files).toEqual(root.json.files);
    expect((await raw('GET', `${A}?path=1/nothing`)).json).toEqual({});
    expect((await raw('GET', `${A}?path=1/r/artifacts/a.txt`)).json).toEqual({});
  });

  it('hides uploads in progress', async () => {
    const url = new URL(app.url);
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'PUT',
      path: `${A}/1/r/artifacts/sub/slow.bin`,
      headers: { 'Content-Length': '1000000' },
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1000));
    await new Promise((r) => setTimeout(r, 150));
    const listing = await raw('GET', `${A}?path=1/r/artifacts/sub`);
    expect(listing.json).toEqual({ files: [{ path: 'deep', is_dir: true }] });
    req.destroy();
  });
});

describe('mlflow-artifacts delete', () => {
  it('deletes a file, a directory recursively, and ignores missing paths', async () => {
    await put('2/r/artifacts/x.txt', Buffer.from('x'));
    await put('2/r/artifacts/d/e/f.txt', Buffer.from('f'));
    expect((await raw('DELETE', `${A}/2/r/artifacts/x.txt`)).json).toEqual({});
    expect(existsSync(join(app.ctx.artifacts.root, '2/r/artifacts/x.txt'))).toBe(false);
    expect((await raw('DELETE', `${A}/2/r/artifacts/d`)).status).toBe(200);
    expect(existsSync(join(app.ctx.artifacts.root, '2/r/artifacts/d'))).toBe(false);
    expect((await raw('DELETE', `${A}/2/r/artifacts/never`)).status).toBe(200);
  });

  it('never deletes the artifact root itself', async () => {
    for (const p of [`${A}/`, `${A}/.`, `${A}/./`, `${A}/%2e`]) {
      const r = await raw('DELETE', p);
      expect(r.status, p).toBe(400);
    }
    expect(existsSync(app.ctx.artifacts.root)).toBe(true);
    expect(readdirSync(app.ctx.artifacts.root).length).toBeGreaterThan(0);
  });
});

describe('multipart upload endpoints (local storage does not support them, as in MLflow)', () => {
  const mpu = (op: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
    raw('POST', `/api/2.0/mlflow-artifacts/mpu/${op}/0/run1/artifacts`, Buffer.from(JSON.stringify(body)), headers);

  it('answers 501 NOT_IMPLEMENTED with the message the client falls back on', async () => {
    for (const [op, body] of [
      ['create', { path: '/tmp/x.bin', num_parts: 3 }],
      ['complete', { path: '/tmp/x.bin', upload_id: 'u', parts: [{ part_number: 1, etag: 'e' }] }],
      ['abort', { path: '/tmp/x.bin', upload_id: 'u' }],
    ] as const) {
      const r = await mpu(op, body);
      expect(r.status, op).toBe(501);
      expect(r.json).toEqual({
        error_code: 'NOT_IMPLEMENTED',
        message: 'Multipart upload is not supported for the current artifact repository',
      });
    }
  });

  it('validates like MLflow before that', async () => {
    const missing = await mpu('create', {});
    expect(missing.status).toBe(400);
    expect(missing.json.message).toBe(
      "Missing value for required parameter 'path'. See the API docs for more information about request parameters.",
    );
    const noParts = await mpu('complete', { path: 'x', upload_id: 'u' });
    expect(noParts.json.message).toContain("Missing value for required parameter 'parts'.");
    const badType = await mpu('create', { path: 'x' }, { 'Content-Type': 'text/plain' });
    expect(badType.json.message).toBe("Bad Request. Content-Type must be one of ['application/json'].");
    const bad = await raw('POST', '/api/2.0/mlflow-artifacts/mpu/create/..%2f..%2fetc', Buffer.from('{}'), {
      'Content-Type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });
});
