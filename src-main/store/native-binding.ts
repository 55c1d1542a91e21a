import type Database from 'better-sqlite3';

/**
 * better-sqlite3's compiled addon. One `.node` file is built for one ABI: `npm install` builds it
 * for Node (tests, serve mode, CLI), and Electron's main process needs a build for Electron's ABI.
 * `scripts/start.js` prepares that second build and passes its path in RUNLENS_SQLITE_BINDING, so
 * every connection — the writer, the UI query worker, the import worker — loads the right one.
 */
export function sqliteOptions(options: Database.Options = {}): Database.Options {
  const binding = process.env.RUNLENS_SQLITE_BINDING;
  return binding ? { ...options, nativeBinding: binding } : options;
}
