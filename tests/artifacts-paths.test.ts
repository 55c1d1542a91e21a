import { describe, expect, it } from 'vitest';
import {
  isPortableOnWindows,
  normalizeArtifactPath,
  pyUnquote,
  validatePathIsSafe,
  compareCodePoints,
} from '../src-main/artifacts/artifact-path';
import { guessMimeType } from '../src-main/artifacts/mime-type';
import { classifyArtifactUri } from '../src-main/artifacts/artifact-uri';
import { contentDisposition } from '../src-main/artifacts/artifact-download';

const invalid = (p: string) => () => validatePathIsSafe(p);

describe('validatePathIsSafe (MLflow utils/uri.py, stricter on backslash and control chars)', () => {
  it('accepts ordinary relative paths and returns them decoded', () => {
    expect(validatePathIsSafe('0/abc/artifacts/model/MLmodel')).toBe('0/abc/artifacts/model/MLmodel');
    expect(validatePathIsSafe('my%20file%20%C3%BC.txt')).toBe('my file ü.txt');
    expect(validatePathIsSafe('')).toBe('');
    expect(validatePathIsSafe('a/./b')).toBe('a/./b');
    expect(validatePathIsSafe('a..b/..c')).toBe('a..b/..c');
  });

  it.each([
    '..',
    '../x',
    'a/../../x',
    'a/..',
    '%2e%2e/x',
    '%2E%2E%2Fx',
    '%252e%252e/x',
    '%25252e%25252e%25252fx',
    '/etc/passwd',
    '%2Fetc%2Fpasswd',
    '//etc/passwd',
    'file:///etc/passwd',
    'file://host/x',
    'a#b',
    'a%23b',
    'a\\b',
    'a%5Cb',
    '..%5Cx',
    'C:/x',
    'c:x',
  ])('refuses %j', (p) => {
    expect(invalid(p)).toThrowError(
      expect.objectContaining({ message: 'Invalid path', errorCode: 'INVALID_PARAMETER_VALUE' }),
    );
  });

  it('escapes control characters to %xx as MLflow does, so none reaches a file name', () => {
    expect(validatePathIsSafe('a%00b')).toBe('a%00b');
    expect(validatePathIsSafe('a\u0000b')).toBe('a%00b');
    expect(validatePathIsSafe('a%0Ab')).toBe('a%0ab');
    // log_image(key=, step=) names: `%17` decodes to U+0017 and comes back escaped.
    expect(validatePathIsSafe('images/k%25step%250%25timestamp%251795490058325%25u.png')).toBe(
      'images/k%step%0%timestamp%1795490058325%u.png',
    );
  });

  it('refuses paths that never stop decoding', () => {
    expect(invalid('%' + '25'.repeat(12) + '41')).toThrow('Invalid path');
  });

  it('unquotes like Python (invalid escapes kept, bad UTF-8 replaced)', () => {
    expect(pyUnquote('100%.txt')).toBe('100%.txt');
    expect(pyUnquote('a%zz%41')).toBe('a%zzA');
    expect(pyUnquote('%ff')).toBe('\ufffd');
  });

  it('normalizes empty and dot segments', () => {
    expect(normalizeArtifactPath('a//b/./c/')).toBe('a/b/c');
    expect(normalizeArtifactPath('./')).toBe('');
  });

  it('sorts by code point like Python', () => {
    const names = ['\u{1F600}', '\uFF21', 'b', 'B', 'a'];
    expect([...names].sort(compareCodePoints)).toEqual(['B', 'a', 'b', '\uFF21', '\u{1F600}']);
  });
});

describe('Windows-only name rules', () => {
  it('refuses device names, stream colons and trailing dots or spaces', () => {
    expect(isPortableOnWindows('model/MLmodel')).toBe(true);
    expect(isPortableOnWindows('a/con.txt/b')).toBe(false);
    expect(isPortableOnWindows('NUL')).toBe(false);
    expect(isPortableOnWindows('lpt1.log')).toBe(false);
    expect(isPortableOnWindows('a:stream')).toBe(false);
    expect(isPortableOnWindows('dir./x')).toBe(false);
    expect(isPortableOnWindows('x ')).toBe(false);
    expect(isPortableOnWindows('console.txt')).toBe(true);
  });
});

describe('guessMimeType (mlflow/utils/mime_type_utils.py)', () => {
  it.each([
    ['MLmodel', 'text/plain'],
    // MLflow's constants are MLMODEL_FILE_NAME = "MLmodel" and MLPROJECT_FILE_NAME = "mlproject".
    ['model/mlproject', 'text/plain'],
    ['model/MLproject', 'application/octet-stream'],
    ['x.mlproject', 'text/plain'],
    ['d.json', 'text/plain'],
    ['conf.yaml', 'text/plain'],
    ['x.csv', 'text/plain'],
    ['fig.png', 'image/png'],
    ['img.JPG', 'image/jpeg'],
    ['p.svg', 'image/svg+xml'],
    ['page.html', 'text/html'],
    ['model.pkl', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
    ['a.tar.gz', 'application/x-tar'],
    ['a.gz', 'application/octet-stream'],
    ['notes.txt.gz', 'text/plain'],
    ['.bashrc', 'application/octet-stream'],
  ])('%s -> %s', (name, type) => {
    expect(guessMimeType(name)).toBe(type);
  });
});

describe('classifyArtifactUri', () => {
  it('maps mlflow-artifacts URIs to paths under the root', () => {
    expect(classifyArtifactUri('mlflow-artifacts:/1/abc/artifacts')).toEqual({
      kind: 'proxied',
      path: '1/abc/artifacts',
    });
    expect(classifyArtifactUri('mlflow-artifacts://host:5000/1/abc/artifacts')).toEqual({
      kind: 'proxied',
      path: '1/abc/artifacts',
    });
    expect(classifyArtifactUri('mlflow-artifacts:')).toEqual({ kind: 'proxied', path: '' });
    expect(classifyArtifactUri('http://h:1/api/2.0/mlflow-artifacts/artifacts/2/r/artifacts')).toEqual({
      kind: 'proxied',
      path: '2/r/artifacts',
    });
  });

  it('maps local folders and leaves remote stores alone', () => {
    expect(classifyArtifactUri('file:///data/mlruns/0/r/artifacts')).toEqual({
      kind: 'local',
      dir: '/data/mlruns/0/r/artifacts',
    });
    expect(classifyArtifactUri('file:///data/my%20runs')).toEqual({ kind: 'local', dir: '/data/my runs' });
    expect(classifyArtifactUri('/data/mlruns/0/r/artifacts')).toEqual({
      kind: 'local',
      dir: '/data/mlruns/0/r/artifacts',
    });
    expect(classifyArtifactUri('s3://bucket/x').kind).toBe('remote');
    expect(classifyArtifactUri('https://example.com/x').kind).toBe('remote');
    expect(classifyArtifactUri('relative/dir').kind).toBe('remote');
  });

  it('refuses a proxied location that escapes the root', () => {
    expect(() => classifyArtifactUri('mlflow-artifacts:/../../etc')).toThrow('Invalid path');
    expect(() => classifyArtifactUri('mlflow-artifacts:/%2e%2e/x')).toThrow('Invalid path');
  });
});

describe('contentDisposition', () => {
  it('matches MLflow for plain names and stays a valid header otherwise', () => {
    expect(contentDisposition('model.pkl')).toBe('attachment; filename=model.pkl');
    // `%`, `'` and `*` are token characters too (Werkzeug leaves them unquoted): log_image names.
    expect(contentDisposition('dog%step%100%timestamp%100%u%compressed.webp')).toBe(
      'attachment; filename=dog%step%100%timestamp%100%u%compressed.webp',
    );
    expect(contentDisposition("it's*.txt")).toBe("attachment; filename=it's*.txt");
    // Flask's send_file (UI routes) quotes other ASCII names; the proxy route's f-string never quotes.
    expect(contentDisposition('sp ace.txt')).toBe('attachment; filename="sp ace.txt"');
    expect(contentDisposition('a"b\\c.txt')).toBe('attachment; filename="a\\"b\\\\c.txt"');
    expect(contentDisposition('sp ace.txt', 'raw')).toBe('attachment; filename=sp ace.txt');
    // Beyond ASCII (MLflow's server fails there): Werkzeug's NFKD fallback plus RFC 5987.
    for (const style of ['raw', 'quoted'] as const) {
      expect(contentDisposition('my file ü.txt', style)).toBe(
        `attachment; filename="my file u.txt"; filename*=UTF-8''my%20file%20%C3%BC.txt`,
      );
      expect(contentDisposition('模型.bin', style)).toBe(
        `attachment; filename=.bin; filename*=UTF-8''%E6%A8%A1%E5%9E%8B.bin`,
      );
    }
  });
});
