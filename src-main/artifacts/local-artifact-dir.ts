import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlflowError, invalidParam, notFound } from '../core/errors';
import { INVALID_PATH_MESSAGE, compareCodePoints, normalizeArtifactPath } from './artifact-path';

/** One entry of a directory listing (a direct child). `size` is null for directories. */
export interface ArtifactEntry {
  name: string;
  isDir: boolean;
  size: number | null;
}

export interface OpenedArtifact {
  size: number;
  mtimeMs: number;
  /** The file's base name (for Content-Disposition and the MIME type). */
  name: string;
  /**
   * Streams the file, or the inclusive byte range `start`..`end`; the file is closed when the
   * stream ends or is destroyed. Call once, or call `close()` instead when sending no body.
   */
  createStream(range?: { start: number; end: number }): Readable;
  close(): Promise<void>;
}

export interface WriteOptions {
  /** Refuse bodies larger than this (the error is thrown before anything is renamed into place). */
  maxBytes?: number;
  tooLargeMessage?: string;
  /** Called with the byte count once the body is on disk, before the rename; may throw. */
  beforeCommit?: (size: number) => void;
}

/** Uploads land under this name next to their target and are renamed when complete. */
const TEMP_PREFIX = '.runlens-upload-';

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + sep));
}

/**
 * Turns a filesystem error into MLflow's error model: what a client caused (missing files, a file
 * where a directory should be, names too long) is 4xx; permission problems are 403 so the Python
 * client does not retry for minutes; only genuine disk failures (ENOSPC, EIO...) stay 500.
 */
export function fsError(e: unknown, relPath: string): never {
  if (e instanceof MlflowError) throw e;
  switch (errno(e)) {
    case 'ENOENT':
      throw notFound(`No such file or directory: '${relPath}'`);
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
    case 'ENOTEMPTY':
      throw invalidParam(`Path conflicts with an existing file or directory: '${relPath}'`);
    case 'ENAMETOOLONG':
      throw invalidParam(`File name too long: '${relPath}'`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      throw new MlflowError(`Permission denied for artifact '${relPath}'`, 'PERMISSION_DENIED');
    case 'ENOSPC':
    case 'EDQUOT':
      throw new MlflowError(`No space left on device while writing '${relPath}'`, 'INTERNAL_ERROR');
    default:
      throw e;
  }
}

/**
 * A directory of artifacts on local disk, with every operation confined to `boundary` (by default
 * the directory itself): client paths are validated like MLflow's `validate_path_is_safe`, and
 * symlinks are resolved and checked before anything is read, listed, created or deleted, so no
 * request can reach a file outside. Uploads stream to a temporary file in the target directory and
 * are renamed into place, so readers never see half-written files and aborted uploads leave nothing.
 */
export class LocalArtifactDir {
  /** Absolute directory the relative artifact paths start from. */
  readonly root: string;
  /** Absolute directory no resolved path may leave (the artifact store's root). */
  readonly boundary: string;

  constructor(root: string, boundary?: string) {
    this.root = resolve(root);
    this.boundary = boundary === undefined ? this.root : resolve(boundary);
    if (!isInside(this.root, this.boundary)) throw new Error(`${this.root} is not inside ${this.boundary}`);
  }

  /** A directory below this one (same boundary); `relPath` is validated. */
  subdir(relPath: string): LocalArtifactDir {
    return new LocalArtifactDir(this.resolve(relPath), this.boundary);
  }

  /**
   * Validates `relPath` and returns its absolute path (lexically; symlinks are checked by the I/O
   * methods). Throws 400 "Invalid path" for anything that could escape.
   */
  resolve(relPath: string): string {
    const norm = normalizeArtifactPath(relPath);
    return norm ? join(this.root, ...norm.split('/')) : this.root;
  }

  /** The real path of `abs` if it exists, checked to lie inside the boundary; null when missing. */
  private async realInside(abs: string, relPath: string): Promise<string | null> {
    let real: string;
    try {
      real = await realpath(abs);
    } catch (e) {
      // A name too long for the filesystem cannot exist: it lists as empty and deletes as a no-op,
      // as in MLflow (only creating it is an error).
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR' || errno(e) === 'ENAMETOOLONG') return null;
      return fsError(e, relPath);
    }
    if (!isInside(real, await this.realBoundary())) throw invalidParam(INVALID_PATH_MESSAGE);
    return real;
  }

  private async realBoundary(): Promise<string> {
    try {
      return await realpath(this.boundary);
    } catch (e) {
      if (errno(e) === 'ENOENT') return this.boundary;
      return fsError(e, '');
    }
  }

  /** Stats the file or directory at `relPath`, or null when it does not exist. */
  async stat(relPath: string): Promise<{ isDir: boolean; size: number; mtimeMs: number } | null> {
    const real = await this.realInside(this.resolve(relPath), relPath);
    if (real === null) return null;
    try {
      const st = await stat(real);
      return { isDir: st.isDirectory(), size: st.isDirectory() ? 0 : st.size, mtimeMs: st.mtimeMs };
    } catch (e) {
      if (errno(e) === 'ENOENT') return null;
      return fsError(e, relPath);
    }
  }

  /**
   * Direct children of the directory at `relPath` (root when empty), sorted by name as MLflow sorts.
   * A missing path or a file lists as empty, like MLflow's local repository. Symlinks pointing
   * outside the boundary and in-progress uploads are left out.
   */
  async list(relPath: string | null = ''): Promise<ArtifactEntry[]> {
    const rel = relPath ?? '';
    const real = await this.realInside(this.resolve(rel), rel);
    if (real === null) return [];
    let dirents;
    try {
      if (!(await stat(real)).isDirectory()) return [];
      dirents = await readdir(real, { withFileTypes: true });
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
      return fsError(e, rel);
    }
    const boundary = await this.realBoundary();
    const entries = await Promise.all(
      dirents.map(async (d): Promise<ArtifactEntry | null> => {
        if (d.name.startsWith(TEMP_PREFIX)) return null;
        const full = join(real, d.name);
        try {
          if (d.isSymbolicLink() && !isInside(await realpath(full), boundary)) return null;
          const st = await stat(full);
          return st.isDirectory()
            ? { name: d.name, isDir: true, size: null }
            : { name: d.name, isDir: false, size: st.size };
        } catch {
          return null; // vanished meanwhile, or a dangling symlink
        }
      }),
    );
    return entries.filter((e): e is ArtifactEntry => e !== null).sort((a, b) => compareCodePoints(a.name, b.name));
  }

  /** Opens a regular file for streaming. 404 when missing; 400 for a directory. */
  async openRead(relPath: string): Promise<OpenedArtifact> {
    const abs = this.resolve(relPath);
    const real = await this.realInside(abs, relPath);
    if (real === null) throw notFound(`No such file or directory: '${relPath}'`);
    try {
      // Stat before opening: opening a FIFO would block until a writer appears.
      const before = await stat(real);
      if (before.isDirectory()) throw invalidParam(`Artifact path '${relPath}' is a directory, not a file`);
      if (!before.isFile()) throw invalidParam(`Artifact path '${relPath}' is not a regular file`);
      const handle = await open(real, 'r');
      const st = await handle.stat();
      if (!st.isFile() || st.ino !== before.ino) {
        await handle.close();
        throw notFound(`No such file or directory: '${relPath}'`);
      }
      const name = abs.slice(abs.lastIndexOf(sep) + 1);
      return {
        size: st.size,
        mtimeMs: st.mtimeMs,
        name,
        createStream: (range) => handle.createReadStream(range ? { start: range.start, end: range.end } : {}),
        close: () => handle.close(),
      };
    } catch (e) {
      return fsError(e, relPath);
    }
  }

  /**
   * Creates the directories leading to `segments` one at a time from the boundary, refusing to pass
   * through a symlink that leads outside (so `mkdir -p` can never create anything out there).
   * Returns the real path of the final directory.
   */
  private async ensureDir(segments: readonly string[], relPath: string): Promise<string> {
    try {
      await mkdir(this.boundary, { recursive: true });
    } catch (e) {
      fsError(e, relPath);
    }
    const boundary = await this.realBoundary();
    const fromBoundary = relative(this.boundary, this.root).split(sep).filter(Boolean);
    let current = boundary;
    for (const seg of [...fromBoundary, ...segments]) {
      const next = join(current, seg);
      try {
        const st = await lstat(next);
        if (st.isSymbolicLink()) {
          const target = await realpath(next);
          if (!isInside(target, boundary)) throw invalidParam(INVALID_PATH_MESSAGE);
          if (!(await stat(target)).isDirectory()) throw invalidParam(`'${relPath}': a path component is a file`);
          current = target;
        } else if (st.isDirectory()) {
          current = next;
        } else {
          throw invalidParam(`'${relPath}': a path component is a file`);
        }
      } catch (e) {
        if (errno(e) !== 'ENOENT') fsError(e, relPath);
        try {
          await mkdir(next);
        } catch (e2) {
          if (errno(e2) !== 'EEXIST') fsError(e2, relPath);
          // Created concurrently by another upload: it is a directory only if lstat says so.
          if (!(await lstat(next)).isDirectory()) throw invalidParam(`'${relPath}': a path component is a file`);
        }
        current = next;
      }
    }
    return current;
  }

  /**
   * Streams `body` into the file at `relPath` (creating parent directories) and returns its size.
   * The bytes go to a temporary file beside the target, renamed over it once complete; on any
   * failure (client abort, size limit, disk error) the temporary file is removed.
   */
  async write(relPath: string, body: Readable, opts: WriteOptions = {}): Promise<number> {
    const norm = normalizeArtifactPath(relPath);
    if (!norm) throw invalidParam(INVALID_PATH_MESSAGE);
    const segments = norm.split('/');
    const name = segments.pop()!;
    const dir = await this.ensureDir(segments, relPath);
    const tmp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}.tmp`);
    let size = 0;
    const { maxBytes } = opts;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (maxBytes !== undefined && size > maxBytes) {
          done(invalidParam(opts.tooLargeMessage ?? `Artifact is larger than ${maxBytes} bytes`));
        } else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx' }));
      opts.beforeCommit?.(size);
      const target = join(dir, name);
      const existing = await lstat(target).catch(() => null);
      if (existing?.isDirectory()) throw invalidParam(`Cannot overwrite directory '${relPath}' with a file`);
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      return fsError(e, relPath);
    }
    return size;
  }

  /**
   * Deletes the file or directory (recursively) at `relPath`; a symlink is removed, never followed.
   * Missing paths are not an error, as in MLflow. The boundary itself can never be deleted.
   */
  async delete(relPath: string): Promise<void> {
    const abs = this.resolve(relPath);
    if (abs === this.boundary) throw invalidParam(INVALID_PATH_MESSAGE);
    const cut = abs.lastIndexOf(sep);
    const parent = await this.realInside(abs.slice(0, cut) || sep, relPath);
    if (parent === null) return;
    const target = join(parent, abs.slice(cut + 1));
    if (target === (await this.realBoundary())) throw invalidParam(INVALID_PATH_MESSAGE);
    try {
      const st = await lstat(target);
      if (st.isDirectory()) await rm(target, { recursive: true, force: true });
      else await unlink(target);
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENAMETOOLONG') return;
      fsError(e, relPath);
    }
  }
}
