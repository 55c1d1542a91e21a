import type { Db } from './db';
import type { Experiment, KeyValue } from '../core/entities';

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
}

/** Named statements for experiments and their tags. */
export function experimentStatements(db: Db) {
  const s = {
    byId: db.prepare<[number], ExperimentRow>('SELECT * FROM experiments WHERE experiment_id = ?'),
    byName: db.prepare<[string], ExperimentRow>('SELECT * FROM experiments WHERE name = ?'),
    tags: db.prepare<[number], KeyValue>('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key'),
    insert: db.prepare(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
       VALUES (@experiment_id, @name, @artifact_location, 'active', @now, @now)`,
    ),
    nextId: db.prepare<[], { next: number }>('SELECT COALESCE(MAX(experiment_id) + 1, 0) AS next FROM experiments'),
    setArtifactLocation: db.prepare('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?'),
    rename: db.prepare('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?'),
    setLifecycle: db.prepare(
      'UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?',
    ),
    touch: db.prepare('UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?'),
    setTag: db.prepare(
      `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
    ),
    deleteTag: db.prepare('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?'),
    setRunsLifecycle: db.prepare(
      'UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage != ?',
    ),
  };
  return s;
}

export type ExperimentStatements = ReturnType<typeof experimentStatements>;

export function toExperiment(row: ExperimentRow, tags: KeyValue[]): Experiment {
  const e: Experiment = {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location,
    lifecycle_stage: row.lifecycle_stage,
    last_update_time: row.last_update_time,
    creation_time: row.creation_time,
  };
  if (tags.length) e.tags = tags;
  return e;
}

export type { ExperimentRow };
