import type { Db } from './db';

export interface RmRow {
  rm_pk: number;
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

export interface MvRow {
  rm_pk: number;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string | null;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  model_id: string | null;
}

/** A version joined with its model's name (search results span models). */
export interface NamedMvRow extends MvRow {
  name: string;
}

export interface TagRow {
  key: string;
  value: string | null;
}

export interface AliasRow {
  alias: string;
  version: number;
}

const DELETED = "'Deleted_Internal'";

/** Named statements for the model registry tables (schema: migrations/002-registry.ts). */
export function registryStatements(db: Db) {
  return {
    // ------------------------------------------------------------ registered models
    rmByName: db.prepare<[string], RmRow>('SELECT * FROM registered_models WHERE name = ?'),
    rmByPk: db.prepare<[number], RmRow>('SELECT * FROM registered_models WHERE rm_pk = ?'),
    rmAll: db.prepare<[], RmRow>('SELECT * FROM registered_models'),
    rmCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM registered_models'),
    rmInsert: db.prepare<[string, number | null, number | null, string | null]>(
      `INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)`,
    ),
    rmUpdateAll: db.prepare<[number | null, number | null, string | null, number]>(
      `UPDATE registered_models SET creation_time = ?, last_updated_time = ?, description = ? WHERE rm_pk = ?`,
    ),
    rmRename: db.prepare<[string, number, number]>(
      'UPDATE registered_models SET name = ?, last_updated_time = ? WHERE rm_pk = ?',
    ),
    rmSetDescription: db.prepare<[string | null, number, number]>(
      'UPDATE registered_models SET description = ?, last_updated_time = ? WHERE rm_pk = ?',
    ),
    rmTouch: db.prepare<[number, number]>('UPDATE registered_models SET last_updated_time = ? WHERE rm_pk = ?'),
    rmDelete: db.prepare<[number]>('DELETE FROM registered_models WHERE rm_pk = ?'),

    rmTags: db.prepare<[number], TagRow>('SELECT key, value FROM registered_model_tags WHERE rm_pk = ? ORDER BY rowid'),
    rmTagsAll: db.prepare<[], TagRow & { rm_pk: number }>(
      'SELECT rm_pk, key, value FROM registered_model_tags ORDER BY rowid',
    ),
    rmTagUpsert: db.prepare<[number, string, string | null]>(
      `INSERT INTO registered_model_tags (rm_pk, key, value) VALUES (?, ?, ?)
       ON CONFLICT (rm_pk, key) DO UPDATE SET value = excluded.value`,
    ),
    rmTagDelete: db.prepare<[number, string]>('DELETE FROM registered_model_tags WHERE rm_pk = ? AND key = ?'),

    aliases: db.prepare<[number], AliasRow>(
      'SELECT alias, version FROM registered_model_aliases WHERE rm_pk = ? ORDER BY alias',
    ),
    alias: db.prepare<[number, string], AliasRow>(
      'SELECT alias, version FROM registered_model_aliases WHERE rm_pk = ? AND alias = ?',
    ),
    aliasUpsert: db.prepare<[number, string, number]>(
      `INSERT INTO registered_model_aliases (rm_pk, alias, version) VALUES (?, ?, ?)
       ON CONFLICT (rm_pk, alias) DO UPDATE SET version = excluded.version`,
    ),
    aliasDelete: db.prepare<[number, string]>('DELETE FROM registered_model_aliases WHERE rm_pk = ? AND alias = ?'),

    // ------------------------------------------------------------ model versions
    mv: db.prepare<[number, number], MvRow>('SELECT * FROM model_versions WHERE rm_pk = ? AND version = ?'),
    mvActive: db.prepare<[number, number], MvRow>(
      `SELECT * FROM model_versions WHERE rm_pk = ? AND version = ? AND current_stage != ${DELETED}`,
    ),
    /** Every version of a model, deleted ones included, oldest first (MLflow's load order). */
    mvsOfModel: db.prepare<[number], MvRow>('SELECT * FROM model_versions WHERE rm_pk = ? ORDER BY version'),
    mvCount: db.prepare<[], { n: number }>(
      `SELECT COUNT(*) AS n FROM model_versions WHERE current_stage != ${DELETED}`,
    ),
    mvMaxVersion: db.prepare<[number], { max: number | null }>(
      'SELECT MAX(version) AS max FROM model_versions WHERE rm_pk = ?',
    ),
    mvSearchAll: db.prepare<[], NamedMvRow>(
      `SELECT mv.*, rm.name AS name FROM model_versions mv JOIN registered_models rm ON rm.rm_pk = mv.rm_pk
       WHERE mv.current_stage != ${DELETED}`,
    ),
    mvSearchByModel: db.prepare<[string], NamedMvRow>(
      `SELECT mv.*, rm.name AS name FROM model_versions mv JOIN registered_models rm ON rm.rm_pk = mv.rm_pk
       WHERE rm.name = ? AND mv.current_stage != ${DELETED}`,
    ),
    mvSearchByRun: db.prepare<[string], NamedMvRow>(
      `SELECT mv.*, rm.name AS name FROM model_versions mv JOIN registered_models rm ON rm.rm_pk = mv.rm_pk
       WHERE mv.run_id = ? AND mv.current_stage != ${DELETED}`,
    ),
    mvInsert: db.prepare(
      `INSERT INTO model_versions (rm_pk, version, creation_time, last_updated_time, description, user_id,
         current_stage, source, storage_location, run_id, run_link, status, status_message, model_id)
       VALUES (@rm_pk, @version, @creation_time, @last_updated_time, @description, @user_id,
         @current_stage, @source, @storage_location, @run_id, @run_link, @status, @status_message, @model_id)`,
    ),
    mvUpdateAll: db.prepare(
      `UPDATE model_versions SET creation_time = @creation_time, last_updated_time = @last_updated_time,
         description = @description, user_id = @user_id, current_stage = @current_stage, source = @source,
         storage_location = @storage_location, run_id = @run_id, run_link = @run_link, status = @status,
         status_message = @status_message, model_id = @model_id
       WHERE rm_pk = @rm_pk AND version = @version`,
    ),
    mvSetDescription: db.prepare<[string | null, number, number, number]>(
      'UPDATE model_versions SET description = ?, last_updated_time = ? WHERE rm_pk = ? AND version = ?',
    ),
    mvSetStage: db.prepare<[string, number, number, number]>(
      'UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE rm_pk = ? AND version = ?',
    ),
    /** transition-stage with archive_existing_versions: the others in the target stage go to Archived. */
    mvArchiveOthers: db.prepare<[number, number, number, string]>(
      `UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ?
       WHERE rm_pk = ? AND version != ? AND current_stage = ?`,
    ),
    /** MLflow's delete: keep the row (numbers are never reused) but redact what it pointed to. */
    mvRedact: db.prepare<[number, number, number]>(
      `UPDATE model_versions SET current_stage = ${DELETED}, last_updated_time = ?, description = NULL,
         user_id = NULL, source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID',
         run_link = 'REDACTED-RUN-LINK', status_message = NULL
       WHERE rm_pk = ? AND version = ?`,
    ),
    /** rename: MLflow rewrites every version's name and bumps its last_updated_time. */
    mvTouchModel: db.prepare<[number, number]>('UPDATE model_versions SET last_updated_time = ? WHERE rm_pk = ?'),

    mvTags: db.prepare<[number, number], TagRow>(
      'SELECT key, value FROM model_version_tags WHERE rm_pk = ? AND version = ? ORDER BY rowid',
    ),
    mvTagsOfModel: db.prepare<[number], TagRow & { version: number }>(
      'SELECT version, key, value FROM model_version_tags WHERE rm_pk = ? ORDER BY rowid',
    ),
    mvTagsAll: db.prepare<[], TagRow & { rm_pk: number; version: number }>(
      'SELECT rm_pk, version, key, value FROM model_version_tags ORDER BY rowid',
    ),
    mvTagUpsert: db.prepare<[number, number, string, string | null]>(
      `INSERT INTO model_version_tags (rm_pk, version, key, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (rm_pk, version, key) DO UPDATE SET value = excluded.value`,
    ),
    mvTagDelete: db.prepare<[number, number, string]>(
      'DELETE FROM model_version_tags WHERE rm_pk = ? AND version = ? AND key = ?',
    ),
    /** Models any of whose versions carry the prompt marker; search hides them by default. */
    promptModelsByVersionTag: db.prepare<[], { rm_pk: number }>(
      `SELECT DISTINCT rm_pk FROM model_version_tags WHERE key = 'mlflow.prompt.is_prompt' AND value = 'true'`,
    ),
  };
}

export type RegistryStatements = ReturnType<typeof registryStatements>;
