import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError, DEFAULT_PORT } from '../src-main/shells/cli-args';
import { defaultDataDir, resolveDataDir } from '../src-main/shells/data-dir';
import { serve, type Output } from '../src-main/shells/cli';
import { describeListenError, startUiServer, type UiServer } from '../src-main/shells/ui-server';
import { CONTENT_SECURITY_POLICY } from '../src-main/shells/security';

/** GET with the path sent byte for byte (fetch would normalize `..` away before sending). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('runlens command line', () => {
  it('parses serve with defaults, flags and env', () => {
    expect(parseCliArgs(['serve'], {})).toEqual({
      command: 'serve',
      port: DEFAULT_PORT,
      host: '127.0.0.1',
      dataDir: undefined,
    });
    expect(parseCliArgs(['serve', '--port', '6000', '--host=0.0.0.0', '--data-dir', '/d'], {})).toEqual({
      command: 'serve',
      port: 6000,
      host: '0.0.0.0',
      dataDir: '/d',
    });
    expect(parseCliArgs(['serve'], { RUNLENS_PORT: '7000' })).toMatchObject({ port: 7000 });
    expect(parseCliArgs(['serve', '--port', '0'], { RUNLENS_PORT: '7000' })).toMatchObject({ port: 0 });
  });

  it('parses import, help and version', () => {
    expect(parseCliArgs(['import', 'mlruns', 'db.sqlite', '--data-dir', 'x'], {})).toEqual({
      command: 'import',
      paths: ['mlruns', 'db.sqlite'],
      dataDir: 'x',
    });
    expect(parseCliArgs([], {})).toEqual({ command: 'help' });
    expect(parseCliArgs(['serve', '--help'], {})).toEqual({ command: 'help' });
    expect(parseCliArgs(['--version'], {})).toEqual({ command: 'version' });
  });

  it('rejects mistakes with a usage error', () => {
    const bad = [
      ['serve', '--port', '70000'],
      ['serve', '--port', 'abc'],
      ['serve', '--port'],
      ['serve', '--bogus'],
      ['serve', 'extra'],
      ['import'],
      ['import', 'x', '--port', '1'],
      ['frobnicate'],
    ];
    for (const argv of bad) expect(() => parseCliArgs(argv, {}), argv.join(' ')).toThrow(UsageError);
    expect(() => parseCliArgs(['serve'], { RUNLENS_PORT: 'nope' })).toThrow(/RUNLENS_PORT/);
  });
});

describe('data directory', () => {
  it('follows each OS convention', () => {
    expect(defaultDataDir({}, 'linux', '/home/ana')).toBe('/home/ana/.local/share/Runlens');
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, 'linux', '/home/ana')).toBe('/xdg/Runlens');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/ana')).toBe('/home/ana/.local/share/Runlens');
    expect(defaultDataDir({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Application Support/Runlens');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ana')).toContain(
      'Runlens',
    );
  });

  it('prefers --data-dir, then RUNLENS_DATA_DIR', () => {
    expect(resolveDataDir('/flag', { RUNLENS_DATA_DIR: '/env' })).toBe('/flag');
    expect(resolveDataDir(undefined, { RUNLENS_DATA_DIR: '/env' })).toBe('/env');
  });
});

describe('serve mode', () => {
  let dir: string;
  let server: UiServer;
  let rendererDir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlens-shell-'));
    rendererDir = join(dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body>UI</body></html>');
    writeFileSync(join(rendererDir, 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(join(rendererDir, '.env'), 'SECRET=1');
    writeFileSync(join(rendererDir, 'assets', '.secret'), 'SECRET=2');
    writeFileSync(join(dir, 'outside.txt'), 'outside');
    server = await startUiServer({
      dataDir: join(dir, 'data'),
      host: '127.0.0.1',
      port: 0,
      shell: 'serve',
      rendererDir,
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html with the token and a strict CSP, and the built assets', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await res.text()).toContain(`<meta name="runlens-token" content="${server.token}">`);
    const asset = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves assets written after startup (a rebuild while serving keeps working)', async () => {
    writeFileSync(join(rendererDir, 'assets', 'app-def456.js'), 'console.log(2)');
    const res = await fetch(`${server.url}/assets/app-def456.js`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log(2)');
  });

  it('never serves files outside the renderer folder, or dotfiles', async () => {
    const attempts = [
      '/../outside.txt',
      '/%2e%2e/outside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/assets/%2e%2e%2f%2e%2e%2foutside.txt',
      '/assets/..\\..\\outside.txt',
      '/.env',
      '/%2eenv',
      '/assets/.secret',
      '/assets/%2esecret',
      '/assets/../.env',
      '/assets/%2e%2e/.env',
      '/assets/..%5c.env',
      '/assets//etc/passwd',
      '//etc/passwd',
    ];
    for (const path of attempts) {
      const { status, body } = await rawGet(server.url, path);
      expect([403, 404], path).toContain(status);
      expect(body).not.toContain('outside');
      expect(body).not.toContain('SECRET');
    }
  });

  it('explains a taken port in one sentence instead of a stack trace', async () => {
    const port = Number(new URL(server.url).port);
    const lines: string[] = [];
    const io: Output = { out: (l) => lines.push(l), err: (l) => lines.push(l) };
    const result = await serve({ port, host: '127.0.0.1', dataDir: join(dir, 'other') }, io);
    expect(result).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is already in use.*--port`));
  });

  it('describes other listen errors and leaves unknown ones alone', () => {
    expect(describeListenError({ code: 'EACCES' }, '127.0.0.1', 80)).toMatch(/Not allowed/);
    expect(describeListenError({ code: 'EADDRNOTAVAIL' }, '10.9.9.9', 5000)).toMatch(/not available/);
    expect(describeListenError(new Error('boom'), '127.0.0.1', 5000)).toBeNull();
  });

  it('serve prints the URL and the export line, on a free port', async () => {
    const lines: string[] = [];
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const free = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const started = await serve(
      { port: free, host: '127.0.0.1', dataDir: join(dir, 'served') },
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    );
    expect(started).not.toBeNull();
    await started!.close();
    expect(lines[0]).toMatch(new RegExp(`is serving at http://127\\.0\\.0\\.1:${free}$`));
    expect(lines).toContain(`  Log from a script:  export MLFLOW_TRACKING_URI=http://127.0.0.1:${free}`);
  });
});
