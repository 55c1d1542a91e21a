import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isSqliteFile } from './mlflow-db-reader';
import { describeError, exists, listDir } from './safe-fs';
import type { SourceKind } from './import-types';

export interface DetectedSource {
  kind: SourceKind;
  /** The folder or file to read. */
  path: string;
  /** Real path: identifies the source across imports (experiment mappings are kept per key). */
  key: string;
}

/** An mlruns folder has experiment folders with meta.yaml (or only a .trash / models registry). */
export function looksLikeMlruns(dir: string): boolean {
  const entries = listDir(dir, () => undefined) ?? [];
  return entries.some(
    (e) =>
      e.isDir &&
      ((e.name !== 'models' && !e.name.startsWith('.') && exists(join(e.path, 'meta.yaml'))) ||
        e.name === '.trash' ||
        (e.name === 'models' &&
          (listDir(e.path, () => undefined) ?? []).some((m) => exists(join(m.path, 'meta.yaml'))))),
  );
}

/**
 * What a dropped path is: an mlruns folder, an mlflow.db file, or a folder holding either (a
 * project folder with `mlruns/` and/or `mlflow.db` next to the code).
 */
export function detectSources(input: string): DetectedSource[] | { error: string } {
  const path = resolve(input);
  let isDir: boolean;
  try {
    const st = statSync(path);
    isDir = st.isDirectory();
    if (!isDir && !st.isFile()) return { error: 'not a folder or a file' };
  } catch (err) {
    return { error: describeError(err) };
  }
  const make = (kind: SourceKind, p: string): DetectedSource => {
    let key = p;
    try {
      key = realpathSync(p);
    } catch {
      // keep the resolved path
    }
    return { kind, path: p, key };
  };
  if (!isDir) {
    return isSqliteFile(path)
      ? [make('mlflow-db', path)]
      : { error: 'not an SQLite database (expected an mlflow.db file)' };
  }
  if (looksLikeMlruns(path)) return [make('mlruns', path)];
  const found: DetectedSource[] = [];
  const inner = join(path, 'mlruns');
  if (exists(inner) && looksLikeMlruns(inner)) found.push(make('mlruns', inner));
  for (const e of listDir(path, () => undefined) ?? []) {
    if (e.isFile && /\.(db|sqlite|sqlite3)$/i.test(e.name) && isSqliteFile(e.path))
      found.push(make('mlflow-db', e.path));
  }
  return found.length ? found : { error: 'no mlruns folder or mlflow.db found here' };
}
