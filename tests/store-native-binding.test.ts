import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src-main/store/db';

// The Electron shell hands the core a better-sqlite3 addon built for Electron's ABI through
// RUNLENS_SQLITE_BINDING (scripts/electron-native.js). Here Node's own build stands in for it, copied
// elsewhere so that loading it proves the variable is honoured rather than the default path.
const nodeBuild = join(
  dirname(require.resolve('better-sqlite3/package.json')),
  'build',
  'Release',
  'better_sqlite3.node',
);

let dir: string;
const saved = process.env.RUNLENS_SQLITE_BINDING;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-binding-'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.RUNLENS_SQLITE_BINDING;
  else process.env.RUNLENS_SQLITE_BINDING = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('native binding override', () => {
  it('opens the store with the addon RUNLENS_SQLITE_BINDING names', () => {
    const copy = join(dir, 'electron-abi.node');
    copyFileSync(nodeBuild, copy);
    process.env.RUNLENS_SQLITE_BINDING = copy;
    const db = openDatabase(join(dir, 'runlens.db'));
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).not.toEqual({ n: 0 });
    db.close();
  });

  it('fails loudly, not silently with another addon, when the named addon is missing', () => {
    process.env.RUNLENS_SQLITE_BINDING = join(dir, 'missing.node');
    expect(() => openDatabase(join(dir, 'runlens.db'))).toThrow(/missing\.node|Cannot find|ENOENT/);
  });
});
