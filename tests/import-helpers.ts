import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';

export const FIXTURES = resolve(__dirname, 'fixtures');
export const MLRUNS = join(FIXTURES, 'mlruns-small');
export const MLFLOW_DB = join(FIXTURES, 'mlflow-small.db');
export const DB_ARTIFACTS = join(FIXTURES, 'mlflow-small-artifacts');

export interface TestStore {
  dir: string;
  db: Db;
  tracking: TrackingStore;
  close(): void;
}

/** A fresh Runlens store (all migrations, Default experiment) in a temp dir. */
export function freshStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'runlens-import-'));
  const db = openDatabase(join(dir, 'runlens.db'));
  const tracking = new TrackingStore(db);
  return {
    dir,
    db,
    tracking,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Copies fixtures into a temp dir (tests that damage or change a source work on a copy). */
export function copyToTemp(...paths: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'runlens-src-'));
  for (const p of paths) cpSync(p, join(dir, p.split('/').pop()!), { recursive: true });
  return dir;
}

/** A hash of a tree: every path, file content, mode and symlink target (to prove nothing changed). */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  const visit = (p: string, rel: string): void => {
    const st = lstatSync(p);
    h.update(`${rel}\0${st.mode}\0${st.size}\0${st.mtimeMs}\0`);
    if (st.isSymbolicLink()) h.update(readlinkSync(p));
    else if (st.isDirectory()) for (const name of readdirSync(p).sort()) visit(join(p, name), `${rel}/${name}`);
    else if (st.isFile()) h.update(readFileSync(p));
  };
  visit(root, '');
  return h.digest('hex');
}

/** Hash of the folder holding a single file plus its siblings (a .db must not get -wal/-shm). */
export const hashDir = hashTree;

export const count = (db: Db, sql: string, ...args: unknown[]): number =>
  Number(
    (db
      .prepare(sql)
      .pluck()
      .get(...args) as number | bigint | undefined) ?? 0,
  );

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(p);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = join(p, name);
      if (lstatSync(full).isDirectory()) visit(full);
      else out.push(full);
    }
  };
  visit(dir);
  return out;
}

export const localPath = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

/**
 * Builds the import worker (the file electron-vite builds as its `import-worker` entry) into a
 * temp dir, so tests run the real worker thread code.
 */
let builtWorker: string | null = null;

export function buildImportWorker(): string {
  if (builtWorker) return builtWorker;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  // Inside the repo (out/ is git-ignored) so `require('better-sqlite3')` resolves at run time.
  const dir = join(__dirname, '..', 'out', 'test');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `import-worker-${process.pid}.js`);
  // Test processes may be killed before 'exit': remove bundles of processes that are gone.
  for (const name of readdirSync(dir)) {
    const pid = Number(/^import-(?:worker|cli)-(\d+)\.js$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(dir, name), { force: true });
    }
  }
  esbuild.buildSync({
    entryPoints: [join(__dirname, '..', 'src-main', 'importers', 'import-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['better-sqlite3'],
    outfile,
    logLevel: 'warning',
  });
  builtWorker = outfile;
  process.once('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}
