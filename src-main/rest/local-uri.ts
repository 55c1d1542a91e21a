import { isAbsolute } from 'node:path';

/**
 * MLflow's `resolve_uri_if_local` (run by its store on a new experiment's artifact_location): a
 * relative local path (`my_dir`, `file:my_dir`) is made absolute against the server's working
 * directory, as `mlflow server` does; other URIs are kept as given.
 */
export function resolveUriIfLocal(uri: string, cwd: string = process.cwd()): string {
  const scheme = uriScheme(uri);
  if (scheme === '') {
    const path = safeUnquote(uri);
    return isAbsolute(path) ? uri : joinPosix(cwd, path);
  }
  if (scheme !== 'file') return uri;
  // file:relative (no authority): urlparse gives the path after "file:"; query kept, fragments are refused earlier
  const rest = uri.slice('file:'.length);
  if (rest.startsWith('//')) return uri; // file://host/abs or file:///abs: absolute
  const q = rest.indexOf('?');
  const path = safeUnquote(q === -1 ? rest : rest.slice(0, q));
  if (isAbsolute(path)) return uri;
  return `file://${joinPosix(cwd, path)}${q === -1 ? '' : rest.slice(q)}`;
}

/** Python's urlsplit scheme: letters first, then letters, digits, `+-.`, before a `:`; lowercased. */
function uriScheme(uri: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  return m ? m[1]!.toLowerCase() : '';
}

function safeUnquote(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** pathlib's `cwd.joinpath(p).as_posix()`: empty and `.` parts dropped, `..` kept. */
function joinPosix(cwd: string, rel: string): string {
  const parts = `${cwd}/${rel}`.split('/').filter((p) => p !== '' && p !== '.');
  return '/' + parts.join('/');
}
