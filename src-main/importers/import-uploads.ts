import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlflowError, invalidParam, notFound } from '../core/errors';
import { INVALID_PATH_MESSAGE, isPortableOnWindows } from '../artifacts/artifact-path';

/**
 * Browser uploads for import (serve mode, where the page cannot name paths on this machine): the
 * files of a dropped/picked folder or an mlflow.db are streamed one request each into a fresh temp
 * folder `<dataDir>/import-uploads/<upload_id>/`, then imported from there (artifacts copied into
 * the store) and the temp folder is deleted.
 *
 * Relative paths are checked segment by segment and kept byte-exact. Unlike artifact paths
 * (`validatePathIsSafe`), they are NOT percent-decoded: mlruns folders hold files whose names
 * contain literal `%xx` (MLflow's `log_image` names images `key%step%25%timestamp%...`), and
 * decoding would rename them. The same refusals apply otherwise: empty, `.` and `..` segments,
 * absolute paths, drive letters, backslashes, control characters, and names Windows cannot hold.
 * The resolved target and its real parent must lie inside the upload folder.
 */

export const UPLOADS_DIR_NAME = 'import-uploads';
/** Files being received are written under this prefix and renamed when complete. */
const PART_PREFIX = '.runlens-part-';
/** Leftover uploads of an earlier process are removed once this old. */
const STALE_MS = 60 * 60 * 1000;
const UPLOAD_ID = /^[0-9a-f]{32}$/;

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + sep));
}

/** Validates an uploaded file's relative path and returns its segments (exact, not decoded). */
export function uploadPathSegments(raw: unknown): string[] {
  const bad = (): MlflowError => invalidParam(`${INVALID_PATH_MESSAGE}: '${String(raw).slice(0, 300)}'`);
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096) throw bad();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw) || raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw bad();
  const segments = raw.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || Buffer.byteLength(s) > 255 || s.startsWith(PART_PREFIX)) throw bad();
  }
  if (process.platform === 'win32' && !isPortableOnWindows(raw)) throw bad();
  return segments;
}

function fsProblem(e: unknown, relPath: string): never {
  if (e instanceof MlflowError) throw e;
  switch (errno(e)) {
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      throw invalidParam(`Path conflicts with another uploaded file or folder: '${relPath}'`);
    case 'ENAMETOOLONG':
      throw invalidParam(`File name too long: '${relPath}'`);
    case 'ENOSPC':
    case 'EDQUOT':
      throw new MlflowError(`No space left on device while writing '${relPath}'`, 'INTERNAL_ERROR');
    default:
      throw e;
  }
}

interface Upload {
  readonly dir: string;
  state: 'receiving' | 'importing';
  files: number;
  bytes: number;
}

export class ImportUploads {
  readonly root: string;
  private readonly uploads = new Map<string, Upload>();

  constructor(dataDir: string) {
    this.root = join(dataDir, UPLOADS_DIR_NAME);
  }

  /** A fresh, empty upload folder; also clears stale leftovers of earlier processes. */
  async create(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    await this.sweep();
    const id = randomUUID().replace(/-/g, '');
    const dir = join(this.root, id);
    await mkdir(dir);
    this.uploads.set(id, { dir, state: 'receiving', files: 0, bytes: 0 });
    return id;
  }

  private get(id: unknown): { id: string; upload: Upload } {
    const key = typeof id === 'string' ? id : '';
    const upload = UPLOAD_ID.test(key) ? this.uploads.get(key) : undefined;
    if (!upload) throw notFound(`Upload with id=${key.slice(0, 64)} not found`);
    return { id: key, upload };
  }

  /** Streams one file of the upload to disk (temp name, renamed when complete); returns its size. */
  async writeFile(id: unknown, relPath: unknown, body: Readable): Promise<number> {
    const { upload } = this.get(id);
    if (upload.state !== 'receiving') throw invalidParam('This upload was already imported');
    const segments = uploadPathSegments(relPath);
    const rel = segments.join('/');
    const root = await realpath(upload.dir);
    const target = join(root, ...segments);
    if (!isInside(target, root) || target === root) throw invalidParam(INVALID_PATH_MESSAGE);
    const parent = dirname(target);
    let tmp: string | null = null;
    try {
      await mkdir(parent, { recursive: true });
      // Only this class writes here (no symlinks), but check anyway before writing.
      if (!isInside(await realpath(parent), root)) throw invalidParam(INVALID_PATH_MESSAGE);
      if (await lstat(target).catch(() => null)) throw invalidParam(`'${rel}' was already uploaded`);
      tmp = join(parent, `${PART_PREFIX}${randomBytes(8).toString('hex')}`);
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      const { size } = await stat(tmp);
      await rename(tmp, target);
      tmp = null;
      upload.files++;
      upload.bytes += size;
      return size;
    } catch (e) {
      if (tmp) await rm(tmp, { force: true }).catch(() => undefined);
      return fsProblem(e, rel);
    }
  }

  /**
   * Marks the upload as being imported (no more files) and returns its folder and the absolute
   * paths of its top-level items (a dropped folder, a .db file...), which are what gets imported.
   */
  async seal(id: unknown): Promise<{ dir: string; items: string[] }> {
    const { upload } = this.get(id);
    if (upload.state !== 'receiving') throw invalidParam('This upload was already imported');
    upload.state = 'importing';
    const names = (await readdir(upload.dir)).filter((n) => !n.startsWith(PART_PREFIX)).sort();
    return { dir: upload.dir, items: names.map((n) => join(upload.dir, n)) };
  }

  /** Deletes the upload's folder (after its import, or when abandoned). */
  async discard(id: unknown, opts: { force?: boolean } = {}): Promise<void> {
    const { id: key, upload } = this.get(id);
    if (upload.state === 'importing' && !opts.force) throw invalidParam('This upload is being imported');
    this.uploads.delete(key);
    await rm(upload.dir, { recursive: true, force: true });
  }

  private async sweep(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return;
    }
    const now = Date.now();
    for (const name of names) {
      if (this.uploads.has(name)) continue;
      const path = join(this.root, name);
      try {
        if (now - (await stat(path)).mtimeMs > STALE_MS) await rm(path, { recursive: true, force: true });
      } catch {
        // Gone already or not ours to remove: leave it.
      }
    }
  }
}

const perContext = new WeakMap<object, ImportUploads>();

/** The uploads of one running app (keyed by its context, so tests with several apps stay apart). */
export function uploadsFor(ctx: { dataDir: string }): ImportUploads {
  let u = perContext.get(ctx);
  if (!u) {
    u = new ImportUploads(ctx.dataDir);
    perContext.set(ctx, u);
  }
  return u;
}
