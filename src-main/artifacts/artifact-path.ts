import { invalidParam, type MlflowError } from '../core/errors';

/**
 * Artifact paths arrive from URLs and query strings; before one touches the disk it goes through
 * the same gate as MLflow's `validate_path_is_safe`: percent-decoding repeated until stable (so
 * `%252e%252e` is caught), then refusal of `#`, `..` segments, absolute paths, drive letters and
 * backslashes. Control characters (NUL included) are escaped to `%xx` as MLflow's
 * `_escape_control_characters` does, so they never reach a file name yet the client's own names
 * work (`log_image(key=, step=)` uploads `k%step%0%timestamp%17...`, whose `%17` decodes to U+0017).
 * Runlens is stricter than MLflow on Linux in one place, on purpose: backslashes are refused
 * instead of being stored in file names, because on Windows a backslash is a separator.
 */

export const INVALID_PATH_MESSAGE = 'Invalid path';

const invalidPath = (): MlflowError => invalidParam(INVALID_PATH_MESSAGE);

/** Python's `urllib.parse.unquote`: decodes valid `%XX` runs as UTF-8 (bad bytes become U+FFFD). */
export function pyUnquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.alloc(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return bytes.toString('utf8');
  });
}

/** MLflow's `_decode`: unquote until the text stops changing, at most 10 rounds. */
function decodeUntilStable(text: string): string {
  let current = text;
  for (let i = 0; i < 10; i++) {
    const next = pyUnquote(current);
    if (next === current) return current;
    current = next;
  }
  throw invalidPath();
}

/** MLflow's `_escape_control_characters`: code points 0–31 and 127 become `%xx`. */
function escapeControlCharacters(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/** `file:` URIs are accepted as paths by MLflow (`local_file_uri_to_path`); keep only their path. */
function stripFileScheme(text: string): string {
  if (!/^file:/i.test(text)) return text;
  let rest = text.slice('file:'.length);
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return pyUnquote(rest);
}

/**
 * On Windows a `:` opens an alternate data stream, `CON`/`NUL`/... name devices whatever their
 * extension, and trailing dots or spaces are silently dropped (so `a.` would alias `a`).
 */
export function isPortableOnWindows(path: string): boolean {
  if (/[<>:"|?*]/.test(path)) return false;
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .every((s) => !/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s) && !/[. ]$/.test(s));
}

/**
 * Validates a client-supplied relative artifact path and returns it decoded (as MLflow returns it:
 * callers that echo paths back, like listings, use this form). Throws 400 "Invalid path".
 */
export function validatePathIsSafe(raw: string): string {
  const decoded = stripFileScheme(escapeControlCharacters(decodeUntilStable(raw)));
  if (decoded.includes('#')) throw invalidPath();
  if (decoded.includes('\\')) throw invalidPath();
  if (decoded.startsWith('/')) throw invalidPath();
  if (/^[A-Za-z]:/.test(decoded)) throw invalidPath();
  if (process.platform === 'win32' && !isPortableOnWindows(decoded)) throw invalidPath();
  if (decoded.split('/').includes('..')) throw invalidPath();
  return decoded;
}

/** The path's segments with empty and `.` segments dropped (what `os.path.normpath` leaves). */
export function pathSegments(safePath: string): string[] {
  return safePath.split('/').filter((s) => s !== '' && s !== '.');
}

/** Validates and normalizes: `a//b/./c/` becomes `a/b/c`; the root is `''`. */
export function normalizeArtifactPath(raw: string): string {
  return pathSegments(validatePathIsSafe(raw)).join('/');
}

/** `posixpath.join(a, b)` for a relative `b`. */
export function posixJoin(a: string, b: string): string {
  if (!a) return b;
  return a.endsWith('/') ? a + b : `${a}/${b}`;
}

/** Orders strings by code point, as Python's `sorted` does (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}
