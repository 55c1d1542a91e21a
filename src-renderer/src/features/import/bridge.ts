import { IMPORT_BRIDGE_GLOBAL, type ImportBridge } from '@contract/import-api';

/**
 * The Electron preload's import bridge (absent in a browser tab). With it, dropped and picked
 * files resolve to absolute paths and are imported in place; without it they are uploaded.
 */
export function importBridge(): ImportBridge | null {
  const candidate = (window as unknown as Record<string, unknown>)[IMPORT_BRIDGE_GLOBAL] as
    Partial<ImportBridge> | undefined;
  return candidate && typeof candidate.pathForFile === 'function' ? (candidate as ImportBridge) : null;
}

/** Absolute path of a dropped/picked file or folder, or null (browser, or not a local file). */
export function pathOf(file: File): string | null {
  const path = importBridge()?.pathForFile(file);
  return typeof path === 'string' && path ? path : null;
}

/**
 * The picked folder's own path from one of its files: `/home/me/mlruns/0/meta.yaml` with relative
 * path `mlruns/0/meta.yaml` gives `/home/me/mlruns` (either separator: Windows paths use `\`).
 */
export function folderPathFromFile(absFile: string, relativePath: string): string | null {
  const depth = relativePath.split('/').length - 1;
  if (depth < 1) return null;
  let path = absFile;
  for (let i = 0; i < depth; i++) {
    const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    if (cut <= 0) return null;
    path = path.slice(0, cut);
  }
  return path;
}
