import { basename, dirname, extname, isAbsolute, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exists, isDirectory } from './safe-fs';

/**
 * Where imported artifacts live. Artifacts stay in place; only their URIs are fixed up:
 * - an absolute local location (`file://...` or a bare path, as MLflow 1.x wrote) that no longer
 *   exists is re-rooted into the dropped folder (the rsync-from-a-cluster case),
 * - `mlflow-artifacts:` URIs of an mlflow.db point into the server's artifact folder; when that
 *   folder sits next to the .db it is used, otherwise the URI is kept as is,
 * - remote URIs (s3://, gs://, dbfs:/, ...) are kept.
 */

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** Local path of a `file:` URI or an absolute path without scheme; null for anything else. */
export function localPathOf(uri: string): string | null {
  if (!uri) return null;
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // file://host/path (or malformed escapes): keep the path part.
      const m = /^file:(?:\/\/[^/]*)?(\/.*)$/.exec(uri);
      if (!m) return null;
      try {
        return decodeURIComponent(m[1]!);
      } catch {
        return m[1]!;
      }
    }
  }
  const scheme = SCHEME.exec(uri);
  // A one-letter "scheme" is a Windows drive letter.
  if (scheme && scheme[1]!.length > 1) return null;
  return isAbsolute(uri) ? uri : null;
}

export const toFileUri = (path: string): string => pathToFileURL(path).href;

const components = (p: string): string[] => p.split(/[\\/]+/).filter((c) => c && c !== '.');

/**
 * Finds the longest tail of `path` (at least `minTail` components) that exists under one of
 * `roots`, e.g. /home/ds/mlruns/1/abc/artifacts → <dropped>/1/abc/artifacts.
 */
function findTail(path: string, roots: readonly string[], minTail: number): string | null {
  const comps = components(path);
  for (let i = 0; i <= comps.length - minTail; i++) {
    const tail = comps.slice(i);
    for (const root of roots) {
      const candidate = join(root, ...tail);
      if (exists(candidate)) return candidate;
    }
  }
  return null;
}

const tailMatches = (path: string, expected: string, n: number): boolean => {
  const a = components(path).slice(-n).join('/');
  const b = components(expected).slice(-n).join('/');
  return a === b;
};

export interface Rerooted {
  uri: string;
  /** The local folder the URI now points at, if it exists (used by copyArtifacts). */
  localDir: string | null;
}

const localDirOf = (path: string | null): string | null => (path && isDirectory(path) ? path : null);

/**
 * Re-roots a location read from an mlruns folder. `expected` is where MLflow's layout puts it in
 * the dropped folder (e.g. `<run dir>/artifacts`); `tailLength` how many trailing components
 * identify it (2 for `<run_id>/artifacts`).
 */
export function rerootMlrunsLocation(uri: string, root: string, expected: string | null, tailLength = 2): Rerooted {
  const path = localPathOf(uri);
  if (path === null) return { uri, localDir: null };
  if (exists(path)) return { uri, localDir: localDirOf(path) };
  if (expected && tailMatches(path, expected, tailLength)) {
    return { uri: toFileUri(expected), localDir: localDirOf(expected) };
  }
  const found = findTail(path, [root, join(root, '.trash')], 2);
  if (found) return { uri: toFileUri(found), localDir: localDirOf(found) };
  return { uri, localDir: null };
}

/** The artifact folder an `mlflow server` kept next to its .db, if one is there. */
export function siblingArtifactsDir(dbFile: string): string | null {
  const dir = dirname(dbFile);
  const stem = basename(dbFile, extname(dbFile));
  for (const name of [`${stem}-artifacts`, `${stem}_artifacts`, 'mlartifacts', 'mlflow-artifacts', 'artifacts']) {
    const candidate = join(dir, name);
    if (isDirectory(candidate)) return candidate;
  }
  return null;
}

/** Path part of `mlflow-artifacts:/a/b` or `mlflow-artifacts://host:port/a/b`. */
function mlflowArtifactsPath(uri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
  return m ? m[1]! : null;
}

/** Re-roots a location read from an mlflow.db next to which `artifactsDir` may be. */
export function rerootDbLocation(uri: string, dbFile: string, artifactsDir: string | null): Rerooted {
  if (uri.startsWith('mlflow-artifacts:')) {
    const rel = mlflowArtifactsPath(uri);
    if (artifactsDir === null || rel === null) return { uri, localDir: null };
    const target = join(artifactsDir, ...components(rel));
    if (!target.startsWith(artifactsDir + sep) && target !== artifactsDir) return { uri, localDir: null };
    return { uri: toFileUri(target), localDir: localDirOf(target) };
  }
  const path = localPathOf(uri);
  if (path === null) return { uri, localDir: null };
  if (exists(path)) return { uri, localDir: localDirOf(path) };
  const roots = artifactsDir ? [artifactsDir, dirname(dbFile)] : [dirname(dbFile)];
  const found = findTail(path, roots, 2);
  if (found) return { uri: toFileUri(found), localDir: localDirOf(found) };
  return { uri, localDir: null };
}
