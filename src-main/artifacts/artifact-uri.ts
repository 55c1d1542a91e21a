import { isAbsolute, resolve, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validatePathIsSafe } from './artifact-path';

/**
 * Where a run's or logged model's `artifact_uri` points, seen from this server:
 * - `proxied`: served from our own artifact root (`mlflow-artifacts:/<path>`, or an http(s) URL of
 *   an `/api/2.0/mlflow-artifacts/artifacts/<path>` route, which MLflow's server also treats as its own);
 * - `local`: a folder on this machine (`file:///abs`, `/abs/path`, `C:\\...`), e.g. imported runs
 *   that keep their artifacts where they are;
 * - `remote`: anything else (s3://, gs://, dbfs:/, ...), which Runlens does not fetch.
 */
export type ArtifactUriTarget =
  { kind: 'proxied'; path: string } | { kind: 'local'; dir: string } | { kind: 'remote'; uri: string };

const PROXY_ROUTE_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/';

/** The path component of a URI (`urlparse(uri).path`): after scheme and netloc, before `?`/`#`. */
function uriPath(afterScheme: string): string {
  let rest = afterScheme;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return rest.split(/[?#]/, 1)[0] ?? '';
}

/**
 * Classifies an artifact URI. A proxied path is validated like any client path (an experiment's
 * artifact_location is client-supplied), so it throws 400 "Invalid path" if it tries to escape.
 */
export function classifyArtifactUri(uri: string): ArtifactUriTarget {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'mlflow-artifacts') {
    const path = uriPath(uri.slice(scheme.length + 1)).replace(/^\/+/, '');
    return { kind: 'proxied', path: validatePathIsSafe(path) };
  }
  if (scheme === 'http' || scheme === 'https') {
    const path = uriPath(uri.slice(scheme.length + 1));
    const at = path.indexOf(PROXY_ROUTE_ANCHOR);
    if (at < 0) return { kind: 'remote', uri };
    return {
      kind: 'proxied',
      path: validatePathIsSafe(path.slice(at + PROXY_ROUTE_ANCHOR.length).replace(/^\/+/, '')),
    };
  }
  if (scheme === 'file') {
    try {
      return { kind: 'local', dir: resolve(fileURLToPath(uri)) };
    } catch {
      return { kind: 'remote', uri };
    }
  }
  // A Windows drive path parses as a one-letter scheme.
  if (scheme !== undefined && scheme.length === 1 && /^[A-Za-z]:[\\/]/.test(uri)) {
    return process.platform === 'win32' ? { kind: 'local', dir: win32.resolve(uri) } : { kind: 'remote', uri };
  }
  if (scheme === undefined && isAbsolute(uri)) return { kind: 'local', dir: resolve(uri) };
  // Relative paths meant the old server's working directory; nothing sensible to resolve here.
  return { kind: 'remote', uri };
}
