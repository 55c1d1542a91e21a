import type { Db } from './db';
import type { KeyValue, RunInfo, RunStatus } from '../core/entities';

export interface RunRow {
  run_pk: number;
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: 'active' | 'deleted';
  artifact_uri: string;
  deleted_time: number | null;
}

/** Named statements for runs, params and tags. */
export function runStatements(db: Db) {
  return {
    byUuid: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE run_uuid = ?'),
    byPk: db.prepare<[number], RunRow>('SELECT * FROM runs WHERE run_pk = ?'),
    insert: db.prepare(
      `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, lifecycle_stage, artifact_uri)
       VALUES (@run_uuid, @experiment_id, @name, @user_id, 'RUNNING', @start_time, 'active', @artifact_uri)`,
    ),
    update: db.prepare(
      `UPDATE runs SET status = COALESCE(@status, status), end_time = COALESCE(@end_time, end_time),
       name = COALESCE(@name, name) WHERE run_pk = @run_pk`,
    ),
    rename: db.prepare('UPDATE runs SET name = ? WHERE run_pk = ?'),
    setLifecycle: db.prepare('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_pk = ?'),
    params: db.prepare<[number], KeyValue>('SELECT key, value FROM params WHERE run_pk = ? ORDER BY key'),
    param: db.prepare<[number, string], { value: string }>('SELECT value FROM params WHERE run_pk = ? AND key = ?'),
    insertParam: db.prepare('INSERT INTO params (run_pk, key, value) VALUES (?, ?, ?)'),
    tags: db.prepare<[number], KeyValue>('SELECT key, value FROM tags WHERE run_pk = ? ORDER BY key'),
    tag: db.prepare<[number, string], { value: string }>('SELECT value FROM tags WHERE run_pk = ? AND key = ?'),
    setTag: db.prepare(
      `INSERT INTO tags (run_pk, key, value) VALUES (?, ?, ?)
       ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteTag: db.prepare('DELETE FROM tags WHERE run_pk = ? AND key = ?'),
    /** Runs deleted before a cutoff, for `mlflow gc`-style cleanup. */
    deletedBefore: db.prepare<[number], { run_uuid: string }>(
      "SELECT run_uuid FROM runs WHERE lifecycle_stage = 'deleted' AND COALESCE(deleted_time, 0) <= ?",
    ),
  };
}

export type RunStatements = ReturnType<typeof runStatements>;

export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name,
    experiment_id: String(row.experiment_id),
    user_id: row.user_id,
    status: row.status,
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  };
  if (row.start_time !== null) info.start_time = row.start_time;
  if (row.end_time !== null) info.end_time = row.end_time;
  return info;
}
