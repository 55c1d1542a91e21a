import type { Db } from './db';
import { MERGE_LATEST_POINT, type LatestUpsert } from './metrics';

/**
 * Bulk-import statements (importers/import-engine.ts drives them inside its own batched
 * transactions). Written for idempotency: run ids are kept, child rows use INSERT OR IGNORE or
 * change-detecting upserts, so importing the same source twice changes nothing and a newer copy
 * adds only what is new.
 *
 * Metric points go in through a multi-row INSERT (POINT_ROWS rows per call): binding one statement
 * per point costs more in the JS/C crossing than SQLite spends on the b-tree append.
 */

export const POINT_ROWS = 32;

export interface ImportRunRow {
  run_pk: number;
  run_uuid: string;
  experiment_id: number;
  name: string;
  status: string;
  end_time: number | null;
  lifecycle_stage: string;
  deleted_time: number | null;
  artifact_uri: string;
}

export interface ImportRunValues {
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: string;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
  source_type: string;
  source_name: string;
  entry_point_name: string;
  source_version: string;
  deleted_time: number | null;
}

/** `upsertLatest`'s parameters: those of live logging's (metrics.ts), over the points this import read. */
export interface LatestValues extends LatestUpsert {
  /** 1 when markSeriesImporting ran for this series during this import (its points spanned a commit). */
  marked: 0 | 1;
  /** Points of the series this import read (with `distinct`, all different points, all now stored). */
  read: number;
}

export interface LoggedModelValues {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: string;
  status_message: string | null;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
}

const pointRows = (n: number): string => Array(n).fill('(?, ?, ?, ?, ?, ?)').join(', ');

/** Named statements for the import engine, prepared once per connection. */
export function importStatements(db: Db) {
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),

    // ---- experiments
    experimentById: db.prepare<[number], { experiment_id: number; name: string; lifecycle_stage: string }>(
      'SELECT experiment_id, name, lifecycle_stage FROM experiments WHERE experiment_id = ?',
    ),
    experimentByName: db.prepare<[string], { experiment_id: number; name: string; lifecycle_stage: string }>(
      'SELECT experiment_id, name, lifecycle_stage FROM experiments WHERE name = ?',
    ),
    nextExperimentId: db.prepare<[], { next: number }>(
      'SELECT COALESCE(MAX(experiment_id) + 1, 1) AS next FROM experiments WHERE experiment_id < 9007199254740991',
    ),
    insertExperiment: db.prepare<{
      experiment_id: number;
      name: string;
      artifact_location: string;
      lifecycle_stage: string;
      creation_time: number;
      last_update_time: number;
    }>(
      `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
       VALUES (@experiment_id, @name, @artifact_location, @lifecycle_stage, @creation_time, @last_update_time)`,
    ),
    /** Only for experiments the source created: their lifecycle follows the source. */
    syncExperimentLifecycle: db.prepare(
      `UPDATE experiments SET lifecycle_stage = @lifecycle_stage, last_update_time = MAX(last_update_time, @last_update_time)
       WHERE experiment_id = @experiment_id AND lifecycle_stage IS NOT @lifecycle_stage`,
    ),
    upsertExperimentTag: db.prepare(
      `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
    ),

    // ---- runs
    runByUuid: db.prepare<[string], ImportRunRow>(
      `SELECT run_pk, run_uuid, experiment_id, name, status, end_time, lifecycle_stage, deleted_time, artifact_uri
       FROM runs WHERE run_uuid = ?`,
    ),
    insertRun: db.prepare<ImportRunValues>(
      `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage,
         artifact_uri, source_type, source_name, entry_point_name, source_version, deleted_time)
       VALUES (@run_uuid, @experiment_id, @name, @user_id, @status, @start_time, @end_time, @lifecycle_stage,
         @artifact_uri, @source_type, @source_name, @entry_point_name, @source_version, @deleted_time)`,
    ),
    /** A newer copy of a run: status, end time, name and lifecycle follow the source. */
    updateRun: db.prepare<{
      run_pk: number;
      name: string;
      status: string;
      end_time: number | null;
      lifecycle_stage: string;
      deleted_time: number | null;
    }>(
      `UPDATE runs SET name = @name, status = @status, end_time = @end_time, lifecycle_stage = @lifecycle_stage,
         deleted_time = @deleted_time
       WHERE run_pk = @run_pk AND (name IS NOT @name OR status IS NOT @status OR end_time IS NOT @end_time
         OR lifecycle_stage IS NOT @lifecycle_stage OR deleted_time IS NOT @deleted_time)`,
    ),
    setRunArtifactUri: db.prepare('UPDATE runs SET artifact_uri = ? WHERE run_pk = ? AND artifact_uri IS NOT ?'),
    insertParam: db.prepare('INSERT OR IGNORE INTO params (run_pk, key, value) VALUES (?, ?, ?)'),
    paramValue: db.prepare<[number, string], { value: string }>(
      'SELECT value FROM params WHERE run_pk = ? AND key = ?',
    ),
    upsertTag: db.prepare(
      `INSERT INTO tags (run_pk, key, value) VALUES (?, ?, ?)
       ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
    ),

    // ---- metrics
    metricKeyId: db.prepare<[string], { key_id: number }>('SELECT key_id FROM metric_keys WHERE key = ?'),
    insertMetricKey: db.prepare('INSERT OR IGNORE INTO metric_keys (key) VALUES (?)'),
    insertPoint: db.prepare(
      'INSERT OR IGNORE INTO metrics (run_pk, key_id, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertPoints: db.prepare(
      `INSERT OR IGNORE INTO metrics (run_pk, key_id, step, timestamp, value, is_nan) VALUES ${pointRows(POINT_ROWS)}`,
    ),
    /**
     * A series whose points are committed before its latest_metrics row is updated (a long series
     * spans several import transactions; a cancel stops between them) must not read as proven
     * distinct meanwhile: 1 becomes 2 ("proven before this import", which sampling treats as
     * unknown and live logging turns to 0), and a 2 left by an earlier, cancelled import becomes 0.
     */
    markSeriesImporting: db.prepare<[number, number]>(
      `UPDATE latest_metrics SET steps_distinct = CASE steps_distinct WHEN 1 THEN 2 ELSE 0 END
       WHERE run_pk = ? AND key_id = ? AND steps_distinct IN (1, 2)`,
    ),
    /**
     * One row per series, written once with the series' latest point and min/max computed by the
     * importer, merged with what a previous import (or live logging) left there; the point count
     * grows by the rows this import added (bulk-interval sampling reads it to spot dense series).
     * `steps_distinct` (migration 006): a new series is proven when the points read had distinct
     * steps (the added rows are among them); an existing proven one (2 when this import marked it,
     * see markSeriesImporting; its point count is then exact) stays proven when nothing was added,
     * or when the points read had distinct steps and either all lie above its last (= greatest)
     * step or they are the whole series (the stored rows include them and number as many: a
     * re-import of a grown file). SET expressions read the row as it was before this update.
     */
    upsertLatest: db.prepare<LatestValues>(
      `INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan, min_value, max_value, point_count,
         steps_distinct)
       VALUES (@run_pk, @key_id, @step, @timestamp, @value, @is_nan, @min, @max, @n, @distinct)
       ON CONFLICT (run_pk, key_id) DO UPDATE SET
         point_count = point_count + excluded.point_count,
         steps_distinct = CASE WHEN excluded.point_count = 0 THEN steps_distinct
                               WHEN steps_distinct = CASE WHEN @marked = 1 THEN 2 ELSE 1 END
                                    AND @distinct = 1
                                    AND (@min_step > step OR point_count + excluded.point_count = @read) THEN 1
                               ELSE 0 END,
         ${MERGE_LATEST_POINT}`,
    ),

    // ---- datasets, inputs, outputs
    datasetByKey: db.prepare<[number, string, string], { dataset_pk: number }>(
      'SELECT dataset_pk FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?',
    ),
    insertDataset: db.prepare<{
      dataset_uuid: string;
      experiment_id: number;
      name: string;
      digest: string;
      source_type: string;
      source: string;
      schema: string | null;
      profile: string | null;
    }>(
      `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
       VALUES (@dataset_uuid, @experiment_id, @name, @digest, @source_type, @source, @schema, @profile)`,
    ),
    insertDatasetInput: db.prepare(
      'INSERT OR IGNORE INTO run_dataset_inputs (run_pk, dataset_pk, input_uuid, tags_json) VALUES (?, ?, ?, ?)',
    ),
    insertModelInput: db.prepare('INSERT OR IGNORE INTO run_model_inputs (run_pk, model_id) VALUES (?, ?)'),
    upsertModelOutput: db.prepare(
      `INSERT INTO run_model_outputs (run_pk, model_id, step) VALUES (?, ?, ?)
       ON CONFLICT (run_pk, model_id) DO UPDATE SET step = excluded.step WHERE step IS NOT excluded.step`,
    ),

    // ---- logged models
    loggedModelExists: db.prepare<[string], { model_id: string }>(
      'SELECT model_id FROM logged_models WHERE model_id = ?',
    ),
    upsertLoggedModel: db.prepare<LoggedModelValues>(
      `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms,
         last_updated_timestamp_ms, status, status_message, lifecycle_stage, model_type, source_run_id)
       VALUES (@model_id, @experiment_id, @name, @artifact_location, @creation_timestamp_ms,
         @last_updated_timestamp_ms, @status, @status_message, @lifecycle_stage, @model_type, @source_run_id)
       ON CONFLICT (model_id) DO UPDATE SET
         status = excluded.status, status_message = excluded.status_message, lifecycle_stage = excluded.lifecycle_stage,
         last_updated_timestamp_ms = MAX(last_updated_timestamp_ms, excluded.last_updated_timestamp_ms)
       WHERE status IS NOT excluded.status OR status_message IS NOT excluded.status_message
         OR lifecycle_stage IS NOT excluded.lifecycle_stage OR last_updated_timestamp_ms < excluded.last_updated_timestamp_ms`,
    ),
    upsertLoggedModelParam: db.prepare(
      `INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
    ),
    upsertLoggedModelTag: db.prepare(
      `INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)
       ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
    ),
    insertLoggedModelMetric: db.prepare(
      `INSERT OR IGNORE INTO logged_model_metrics (model_id, key, step, timestamp, value, is_nan, run_id, dataset_name,
         dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
}

export type ImportStatements = ReturnType<typeof importStatements>;
