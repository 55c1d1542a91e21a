import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';
import { sqliteOptions } from './native-binding';

export type Db = Database.Database;

/** Opens (creating if needed) the tracking database with the pragmas every connection needs. */
export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  const db = new Database(
    file,
    sqliteOptions({ readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false }),
  );
  // WAL lets read connections (UI queries, workers) run while the single writer commits.
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  db.pragma('mmap_size = 268435456');
  if (!options.readonly) migrate(db, MIGRATIONS);
  return db;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Map(
    (db.prepare('SELECT id, sha256 FROM schema_migrations').all() as { id: number; sha256: string }[]).map((r) => [
      r.id,
      r.sha256,
    ]),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, name, sha256, applied_at) VALUES (?, ?, ?, ?)');
  for (const m of migrations) {
    const hash = sha256(m.sql);
    const known = applied.get(m.id);
    if (known !== undefined) {
      if (known !== hash) {
        throw new Error(
          `Migration ${m.id} (${m.name}) differs from the one applied to this database; ` +
            'migrations are append-only: add a new one instead of editing an applied one.',
        );
      }
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, m.name, hash, Date.now());
    })();
  }
}
