import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Read-only file access for importers that never throws: every failure becomes a short reason
 * for the import report. Nothing here opens a file for writing.
 */

export type IssueFn = (path: string, reason: string) => void;

export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symlink loop';
    case 'ENOENT':
      return 'not found';
    case 'EISDIR':
      return 'is a directory where a file was expected';
    case 'ENOTDIR':
      return 'is a file where a directory was expected';
    case 'EIO':
      return 'I/O error';
    default:
      return e?.message ? String(e.message) : String(err);
  }
}

export interface DirEntry {
  name: string;
  path: string;
  isDir: boolean;
  isFile: boolean;
  /** The entry itself is a symlink (isDir/isFile tell what it points at). */
  isLink: boolean;
  /** Bytes, when asked for (`sizes`) or when a stat was needed anyway; else -1. */
  size: number;
}

/**
 * Entries of a directory with symlinks followed (as MLflow's os.listdir/isdir do). Unreadable
 * entries are reported and left out; null when the directory itself cannot be read.
 */
export function listDir(
  dir: string,
  issue: IssueFn,
  options: { missingOk?: boolean; sizes?: boolean } = {},
): DirEntry[] | null {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(options.missingOk && code === 'ENOENT')) issue(dir, describeError(err));
    return null;
  }
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: DirEntry[] = [];
  for (const d of dirents) {
    const path = join(dir, d.name);
    // Only symlinks (and unknown types) need a stat to learn what they point at.
    if (!options.sizes && (d.isDirectory() || d.isFile())) {
      out.push({ name: d.name, path, isDir: d.isDirectory(), isFile: d.isFile(), isLink: false, size: -1 });
      continue;
    }
    let st: Stats;
    try {
      st = statSync(path);
    } catch (err) {
      issue(path, describeError(err));
      continue;
    }
    out.push({
      name: d.name,
      path,
      isDir: st.isDirectory(),
      isFile: st.isFile(),
      isLink: d.isSymbolicLink(),
      size: st.size,
    });
  }
  return out;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * All regular files under `dir`, as paths relative to it with `/` separators (metric, param and tag
 * keys containing `/` are stored as sub-folders). Symlinked folders are followed, unless one leads
 * back to a folder being walked or already walked: that is a loop, reported instead of walked.
 * Real paths are only computed when a symlinked folder shows up (rare), not for every folder.
 */
export function walkFiles(
  dir: string,
  issue: IssueFn,
  options: { sizes?: boolean } = {},
): { rel: string; path: string; size: number }[] {
  const out: { rel: string; path: string; size: number }[] = [];
  const stack: string[] = [];
  const reals = new Map<string, string>();
  const linked = new Set<string>();
  const realOf = (p: string): string => {
    let r = reals.get(p);
    if (r === undefined) reals.set(p, (r = realpathSync.native(p)));
    return r;
  };
  const visit = (abs: string, rel: string, viaLink: boolean): void => {
    if (viaLink) {
      try {
        const real = realOf(abs);
        if (linked.has(real) || stack.some((a) => realOf(a) === real)) {
          issue(abs, 'symlink loop (folder already visited)');
          return;
        }
        linked.add(real);
      } catch (err) {
        issue(abs, describeError(err));
        return;
      }
    }
    const entries = listDir(abs, issue, { sizes: options.sizes, missingOk: rel === '' });
    if (!entries) return;
    stack.push(abs);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDir) visit(e.path, r, e.isLink);
      else if (e.isFile) out.push({ rel: r, path: e.path, size: e.size });
      else issue(e.path, 'not a regular file');
    }
    stack.pop();
  };
  // A run without params/, a model without tags/...: nothing to read, nothing to report.
  visit(dir, '', false);
  return out;
}

/** Files under `dir` as key/value pairs (params, tags): the key is the relative path. */
export function readKeyValues(dir: string, issue: IssueFn): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const f of walkFiles(dir, issue)) {
    const value = readText(f.path, issue);
    if (value !== null) out.push({ key: f.rel, value });
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Largest text file read whole (params, tags, meta.yaml); larger ones are reported. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * Reads a small text file. Null (and an issue) for unreadable files, files that are not valid
 * UTF-8 or contain NUL bytes (binary data where text was expected), or oversized ones.
 */
export function readText(path: string, issue: IssueFn): string | null {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO or device where a file was expected must not hang the import.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    issue(path, describeError(err));
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      issue(path, 'not a regular file');
      return null;
    }
    if (st.size > MAX_TEXT_BYTES) {
      issue(path, `file too large for a text value (${st.size} bytes)`);
      return null;
    }
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, null);
      if (n === 0) break;
      off += n;
    }
    const bytes = buf.subarray(0, off);
    if (bytes.includes(0)) {
      issue(path, 'binary data where text was expected');
      return null;
    }
    try {
      return utf8.decode(bytes);
    } catch {
      issue(path, 'binary data where text was expected (not UTF-8)');
      return null;
    }
  } catch (err) {
    issue(path, describeError(err));
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams a file as latin1 text chunks (bytes map 1:1 to chars; metric lines are ASCII), so a
 * huge metric file never sits in memory whole. Throws the fs error (the caller reports it).
 */
export function* fileChunks(path: string, chunkBytes: number): Generator<string> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    const size = st.size;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, size || 1)));
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      yield buf.toString('latin1', 0, n);
      // A regular file of known size is done without the extra read that returns 0.
      if (size > 0 && total >= size) break;
    }
  } finally {
    closeSync(fd);
  }
}
