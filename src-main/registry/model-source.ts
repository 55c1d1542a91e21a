import { resolve as resolvePath } from 'node:path';
import { invalidParam } from '../core/errors';

/**
 * Model version sources: the checks MLflow's `_create_model_version` handler runs on `source`
 * (no relative-path tricks in remote URIs; local paths only inside the run's / logged model's
 * artifact directory), and `models:/` URI parsing. URL handling follows Python's urllib.parse.
 */

export interface PyUrl {
  scheme: string;
  netloc: string;
  path: string;
  params: string;
  query: string;
  fragment: string;
}

const SCHEME_CHARS = /^[A-Za-z0-9+\-.]+$/;
const USES_PARAMS = new Set(['', 'ftp', 'hdl', 'prospero', 'http', 'imap', 'https', 'shttp', 'rtsp', 'rtspu', 'sip',
  'sips', 'mms', 'sftp', 'tel']); // prettier-ignore

/** `urllib.parse.urlparse(url)` */
export function pyUrlParse(input: string, allowFragments = true): PyUrl {
  let url = input.replace(/[\t\r\n]/g, '');
  // WHATWG C0 controls and space are stripped from the front, as urlsplit does.
  let lead = 0;
  while (lead < url.length && url.charCodeAt(lead) <= 0x20) lead++;
  url = url.slice(lead);
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  let params = '';
  const i = url.indexOf(':');
  if (i > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase();
    url = url.slice(i + 1);
  }
  if (url.startsWith('//')) {
    let end = url.length;
    for (const c of '/?#') {
      const at = url.indexOf(c, 2);
      if (at >= 0 && at < end) end = at;
    }
    netloc = url.slice(2, end);
    url = url.slice(end);
  }
  if (allowFragments && url.includes('#')) {
    fragment = url.slice(url.indexOf('#') + 1);
    url = url.slice(0, url.indexOf('#'));
  }
  if (url.includes('?')) {
    query = url.slice(url.indexOf('?') + 1);
    url = url.slice(0, url.indexOf('?'));
  }
  if (USES_PARAMS.has(scheme) && url.includes(';')) {
    const from = url.includes('/') ? url.lastIndexOf('/') : 0;
    const at = url.indexOf(';', from);
    if (at >= 0) {
      params = url.slice(at + 1);
      url = url.slice(0, at);
    }
  }
  return { scheme, netloc, path: url, params, query, fragment };
}

/** `ParseResult.hostname`: lower-cased host without user info or port, null when empty. */
export function pyHostname(netloc: string): string | null {
  const host = netloc.includes('@') ? netloc.slice(netloc.lastIndexOf('@') + 1) : netloc;
  let name: string;
  if (host.startsWith('[')) name = host.slice(1, host.includes(']') ? host.indexOf(']') : undefined);
  else name = host.includes(':') ? host.slice(0, host.indexOf(':')) : host;
  return name ? name.toLowerCase() : null;
}

/** `urllib.parse.unquote` (UTF-8, invalid sequences left as they are). */
export function pyUnquote(s: string): string {
  return s.replace(/(%[0-9a-fA-F]{2})+/g, (seq) => {
    const bytes = Buffer.from(seq.replace(/%/g, ''), 'hex');
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });
}

export const pyUnquotePlus = (s: string): string => pyUnquote(s.replace(/\+/g, ' '));

/** `mlflow.utils.uri.is_local_uri` (POSIX server). */
export function isLocalUri(uri: string): boolean {
  if (uri === 'databricks') return false;
  const parsed = pyUrlParse(uri);
  if (parsed.scheme === '') return true;
  const host = pyHostname(parsed.netloc);
  const remote = !!host && !(host === '.' || host.startsWith('localhost') || host.startsWith('127.0.0.1'));
  if (parsed.scheme === 'file') {
    if (remote) {
      // MLflow raises this without an error code (HTTP 500); it is the client's URI that is wrong.
      throw invalidParam(
        `${uri} is not a valid remote uri. For remote access on windows, please consider using a different ` +
          'scheme such as SMB (e.g. smb://<hostname>/<path>).',
      );
    }
    return true;
  }
  return false;
}

/** `local_file_uri_to_path`: `file:` URIs to paths, percent-decoded. */
export function localFileUriToPath(uri: string): string {
  const path = uri.startsWith('file:') ? pyUrlParse(uri).path : uri;
  return pyUnquote(path);
}

const isWithin = (dir: string, path: string): boolean =>
  path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

function nonLocalSourceMessage(source: string): string {
  return (
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, ` +
    'objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references ' +
    'present. Please provide an absolute path.'
  );
}

/**
 * `_validate_non_local_source_contains_relative_paths`: after repeated unquoting, the URI's path
 * must already be absolute and normalized (no `..`, `.`, NUL, or empty path).
 */
export function validateNonLocalSource(source: string): void {
  let s = source;
  for (let u = pyUnquotePlus(s); u !== s; u = pyUnquotePlus(s)) s = u;
  const path = pyUrlParse(s).path.replace(/\/+$/, '').replace(/\/+/g, '/');
  if (path.includes('\0') || s.split('/').some((p) => p === '..')) throw invalidParam(nonLocalSourceMessage(source));
  // pathlib's resolve(): relative paths become absolute under the server's cwd, so only an
  // absolute, already-normal path survives unchanged.
  const resolved = path.startsWith('/') ? resolvePath(path) : null;
  if (resolved !== path) throw invalidParam(nonLocalSourceMessage(source));
}

function localSourceError(source: string, owner: 'run_id' | 'model_id'): never {
  const what = owner === 'run_id' ? 'run_id' : 'model_id';
  throw invalidParam(
    `Invalid model version source: '${source}'. To use a local path as a model version source, the ${what} ` +
      'request parameter has to be specified and the local path has to be contained within the artifact ' +
      `directory of the run specified by the ${what}.`,
  );
}

/**
 * `_validate_source_run` / `_validate_source_model`. `artifactRootOf` looks the run (or logged
 * model) up and returns its artifact URI; it throws MLflow's not-found error itself.
 */
export function validateSource(
  source: string,
  ownerId: string,
  owner: 'run_id' | 'model_id',
  artifactRootOf: (id: string) => string,
): void {
  if (!isLocalUri(source)) {
    validateNonLocalSource(source);
    return;
  }
  if (!ownerId) localSourceError(source, owner);
  const root = artifactRootOf(ownerId);
  const resolvedSource = resolvePath(localFileUriToPath(source));
  if (isLocalUri(root)) {
    const rootDir = resolvePath(localFileUriToPath(root));
    if (isWithin(rootDir, resolvedSource)) return;
  }
  localSourceError(resolvedSource, owner);
}

// ------------------------------------------------------------------ models:/ URIs

export interface ParsedModelUri {
  modelId?: string;
  name?: string;
  version?: string;
  stage?: string;
  alias?: string;
}

function improperModelUri(uri: string): string {
  return (
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or ` +
    "'models:/name@alias' where suffix is a version, stage, or the string 'latest' and where alias is a " +
    'registered model alias. Only one of suffix or alias can be defined at a time.'
  );
}

/** `_parse_model_uri`: `models:/<model_id>`, `models:/name/<version|stage|latest>`, `models:/name@alias`. */
export function parseModelUri(uri: string): ParsedModelUri {
  const parsed = pyUrlParse(uri, false);
  // MLflow raises these without an error code (HTTP 500); the URI is the client's mistake.
  if (parsed.scheme !== 'models') throw invalidParam(improperModelUri(uri));
  const path = parsed.path;
  if (!path.startsWith('/') || path.length <= 1) throw invalidParam(improperModelUri(uri));
  const parts = path.replace(/^\/+/, '').split('/');
  if (parts.length > 2 || parts[0]!.trim() === '') throw invalidParam(improperModelUri(uri));
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (suffix.trim() === '') throw invalidParam(improperModelUri(uri));
    if (/^\d+$/.test(suffix)) return { name, version: suffix };
    if (suffix.toLowerCase() === 'latest') return { name };
    return { name, stage: suffix };
  }
  if (path.includes('@')) {
    const at = parts[0]!.lastIndexOf('@');
    const alias = at >= 0 ? parts[0]!.slice(at + 1) : '';
    if (at < 0 || alias.trim() === '') throw invalidParam(improperModelUri(uri));
    return { name: parts[0]!.slice(0, at), alias };
  }
  return { modelId: parts[0]! };
}
