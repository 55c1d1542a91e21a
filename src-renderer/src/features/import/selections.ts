import { NOT_IMPORTABLE_MESSAGE } from '@contract/import-api';
import { folderPathFromFile, importBridge, pathOf } from './bridge';

/**
 * What the user handed us to import: a folder or a file, either as an absolute path (Electron,
 * read in place) or as files to upload (browser). Folder uploads keep each file's path relative
 * to the dropped folder's parent, so `mlruns-small/0/meta.yaml` recreates the folder on the server.
 */
export interface UploadFile {
  path: string;
  file: File;
}

export interface Selection {
  key: string;
  /** Folder or file name as the user sees it. */
  name: string;
  kind: 'folder' | 'file';
  /** Absolute path: imported where it is (no copy unless asked). */
  path?: string;
  /** Files to upload when there is no path (serve mode in a browser). */
  files?: UploadFile[];
  bytes: number;
  /** Entries the browser could not read while collecting a dropped folder. */
  unreadable?: { path: string; reason: string }[];
}

let seq = 0;
const nextKey = (): string => `sel-${++seq}`;

const baseName = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

export function selectionFromPath(path: string): Selection {
  return { key: nextKey(), name: baseName(path), kind: 'folder', path, bytes: 0 };
}

/** Files from `<input type=file webkitdirectory>`: one selection per picked folder. */
export function selectionsFromFolderInput(list: FileList): Selection[] {
  const files = [...list];
  const first = files[0];
  if (!first) return [];
  const rel = first.webkitRelativePath || first.name;
  const name = rel.split('/')[0] ?? first.name;
  const abs = pathOf(first);
  if (abs) {
    const folder = folderPathFromFile(abs, rel);
    if (folder) return [{ key: nextKey(), name, kind: 'folder', path: folder, bytes: 0 }];
  }
  return [
    {
      key: nextKey(),
      name,
      kind: 'folder',
      files: files.map((file) => ({ path: file.webkitRelativePath || file.name, file })),
      bytes: files.reduce((n, f) => n + f.size, 0),
    },
  ];
}

/** Files from a plain file input (an mlflow.db). */
export function selectionsFromFileInput(list: FileList): Selection[] {
  return [...list].map((file) => {
    const abs = pathOf(file);
    return abs
      ? { key: nextKey(), name: file.name, kind: 'file' as const, path: abs, bytes: file.size }
      : {
          key: nextKey(),
          name: file.name,
          kind: 'file' as const,
          files: [{ path: file.name, file }],
          bytes: file.size,
        };
  });
}

// ---------------------------------------------------------------- drops

const MAX_DEPTH = 64;
const MAX_FILES = 2_000_000;

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

const reasonOf = (err: unknown): string =>
  err instanceof DOMException ? `${err.name}: ${err.message}` : err instanceof Error ? err.message : String(err);

/** Every file under a dropped folder (the browser hands them out in batches of ~100). */
async function collect(root: FileSystemDirectoryEntry, onCount: (n: number) => void): Promise<Selection> {
  const files: UploadFile[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  let bytes = 0;
  const rel = (e: FileSystemEntry): string => e.fullPath.replace(/^\/+/, '');
  const walk = async (dir: FileSystemDirectoryEntry, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) {
      unreadable.push({ path: rel(dir), reason: 'folder nested too deep (symlink loop?): not uploaded' });
      return;
    }
    const reader = dir.createReader();
    for (;;) {
      let batch: FileSystemEntry[];
      try {
        batch = await readBatch(reader);
      } catch (err) {
        unreadable.push({ path: rel(dir), reason: `cannot read folder: ${reasonOf(err)}` });
        return;
      }
      if (!batch.length) return;
      for (const entry of batch) {
        if (files.length >= MAX_FILES) return;
        if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, depth + 1);
        else if (entry.isFile) {
          try {
            const file = await fileOf(entry as FileSystemFileEntry);
            files.push({ path: rel(entry), file });
            bytes += file.size;
            if (files.length % 200 === 0) onCount(files.length);
          } catch (err) {
            unreadable.push({ path: rel(entry), reason: `cannot read file: ${reasonOf(err)}` });
          }
        }
      }
    }
  };
  await walk(root, 0);
  onCount(files.length);
  return { key: nextKey(), name: root.name, kind: 'folder', files, bytes, unreadable };
}

/** True when a drag carries files from the desktop (not a drag of text or of an element in the page). */
export const dragHasFiles = (dt: DataTransfer | null): boolean => !!dt && [...dt.types].includes('Files');

/**
 * Reads a drop. Must be called during the `drop` event (the DataTransfer empties afterwards):
 * the entries are taken synchronously, the folders are walked afterwards.
 */
export function readDrop(dt: DataTransfer, onCount: (n: number) => void = () => undefined): Promise<Selection[]> {
  const bridge = importBridge();
  const pending: (Selection | Promise<Selection>)[] = [];
  const items = [...dt.items].filter((i) => i.kind === 'file');
  for (const item of items) {
    const file = item.getAsFile();
    const abs = bridge && file ? pathOf(file) : null;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (abs) {
      pending.push({
        key: nextKey(),
        name: baseName(abs),
        kind: entry?.isDirectory ? 'folder' : 'file',
        path: abs,
        bytes: entry?.isDirectory ? 0 : (file?.size ?? 0),
      });
    } else if (entry?.isDirectory) {
      pending.push(collect(entry as FileSystemDirectoryEntry, onCount));
    } else if (file) {
      pending.push({
        key: nextKey(),
        name: file.name,
        kind: 'file',
        files: [{ path: file.name, file }],
        bytes: file.size,
      });
    }
  }
  return Promise.all(pending);
}

// ---------------------------------------------------------------- checks before uploading

const SQLITE_HEADER = 'SQLite format 3\u0000';
const DB_NAME = /\.(db|sqlite|sqlite3)$/i;

async function isSqlite(file: Blob): Promise<boolean> {
  try {
    return (await file.slice(0, 16).text()) === SQLITE_HEADER;
  } catch {
    return false;
  }
}

/**
 * Catches the obvious mistakes before gigabytes travel: a folder with no `meta.yaml` and no .db
 * anywhere, or a file that is not SQLite. (Paths are checked by the server's inspect route.)
 */
export async function uploadProblem(sel: Selection): Promise<string | null> {
  const files = sel.files;
  if (!files) return null;
  if (sel.kind === 'file') {
    const f = files[0]?.file;
    return f && (await isSqlite(f)) ? null : `'${sel.name}' ${NOT_IMPORTABLE_MESSAGE} (not an SQLite database)`;
  }
  if (!files.length) return `'${sel.name}' is empty`;
  const plausible = files.some((f) => /(^|\/)meta\.yaml$/.test(f.path) || DB_NAME.test(f.path));
  return plausible ? null : `'${sel.name}' ${NOT_IMPORTABLE_MESSAGE} (no meta.yaml or .db file inside)`;
}
