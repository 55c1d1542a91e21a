/**
 * Tracking schema. Child tables key on the integer `runs.run_pk` and interned metric keys
 * (`metric_keys.key_id`) rather than 32-char run UUIDs and key strings: the metric history is by far
 * the largest table, and narrow WITHOUT ROWID rows keep inserts and range scans fast.
 *
 * Metric values: NaN is stored as value 0 with is_nan = 1 (SQLite turns a bound NaN into NULL, and
 * a primary-key column cannot be NULL); ±Infinity is stored as-is (SQLite keeps IEEE infinities).
 */
export default /* sql */ `
CREATE TABLE experiments (
  experiment_id     INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  artifact_location TEXT NOT NULL,
  lifecycle_stage   TEXT NOT NULL DEFAULT 'active',
  creation_time     INTEGER NOT NULL,
  last_update_time  INTEGER NOT NULL
);
CREATE INDEX experiments_by_creation ON experiments (creation_time);

CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
  key           TEXT NOT NULL,
  value         TEXT,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

CREATE TABLE runs (
  run_pk           INTEGER PRIMARY KEY,
  run_uuid         TEXT NOT NULL UNIQUE,
  experiment_id    INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name             TEXT NOT NULL DEFAULT '',
  user_id          TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL DEFAULT 'RUNNING',
  start_time       INTEGER,
  end_time         INTEGER,
  lifecycle_stage  TEXT NOT NULL DEFAULT 'active',
  artifact_uri     TEXT NOT NULL,
  source_type      TEXT NOT NULL DEFAULT 'UNKNOWN',
  source_name      TEXT NOT NULL DEFAULT '',
  entry_point_name TEXT NOT NULL DEFAULT '',
  source_version   TEXT NOT NULL DEFAULT '',
  deleted_time     INTEGER
);
CREATE INDEX runs_by_experiment_time ON runs (experiment_id, start_time DESC, run_uuid);

CREATE TABLE params (
  run_pk INTEGER NOT NULL REFERENCES runs (run_pk) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key ON params (key, value);

CREATE TABLE tags (
  run_pk INTEGER NOT NULL REFERENCES runs (run_pk) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_pk, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags (key, value);

CREATE TABLE metric_keys (
  key_id INTEGER PRIMARY KEY,
  key    TEXT NOT NULL UNIQUE
);

CREATE TABLE metrics (
  run_pk    INTEGER NOT NULL,
  key_id    INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL NOT NULL,
  is_nan    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_pk, key_id, step, timestamp, value, is_nan)
) WITHOUT ROWID;

-- One row per (run, key): the latest point by (step, timestamp, value), as MLflow defines it,
-- plus running min/max (NaN excluded) and the point count, so the runs table and chart sampling
-- can use them without reading the history.
CREATE TABLE latest_metrics (
  run_pk    INTEGER NOT NULL,
  key_id    INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  value     REAL NOT NULL,
  is_nan    INTEGER NOT NULL DEFAULT 0,
  min_value REAL,
  max_value REAL,
  point_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_pk, key_id)
) WITHOUT ROWID;
CREATE INDEX latest_metrics_by_key ON latest_metrics (key_id, is_nan, value);

CREATE TABLE datasets (
  dataset_pk   INTEGER PRIMARY KEY,
  dataset_uuid TEXT NOT NULL UNIQUE,
  experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name         TEXT NOT NULL,
  digest       TEXT NOT NULL,
  source_type  TEXT NOT NULL,
  source       TEXT NOT NULL,
  schema       TEXT,
  profile      TEXT,
  UNIQUE (experiment_id, name, digest)
);

CREATE TABLE run_dataset_inputs (
  run_pk     INTEGER NOT NULL REFERENCES runs (run_pk) ON DELETE CASCADE,
  dataset_pk INTEGER NOT NULL REFERENCES datasets (dataset_pk),
  input_uuid TEXT NOT NULL,
  tags_json  TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (run_pk, dataset_pk)
) WITHOUT ROWID;
CREATE INDEX run_dataset_inputs_by_dataset ON run_dataset_inputs (dataset_pk);

CREATE TABLE logged_models (
  model_id         TEXT PRIMARY KEY,
  experiment_id    INTEGER NOT NULL REFERENCES experiments (experiment_id),
  name             TEXT NOT NULL,
  artifact_location TEXT NOT NULL,
  creation_timestamp_ms     INTEGER NOT NULL,
  last_updated_timestamp_ms INTEGER NOT NULL,
  status           TEXT NOT NULL DEFAULT 'PENDING',
  status_message   TEXT,
  lifecycle_stage  TEXT NOT NULL DEFAULT 'active',
  model_type       TEXT,
  source_run_id    TEXT
) WITHOUT ROWID;
CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, creation_timestamp_ms);

CREATE TABLE logged_model_params (
  model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;

CREATE TABLE logged_model_tags (
  model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;

CREATE TABLE logged_model_metrics (
  model_id       TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
  key            TEXT NOT NULL,
  step           INTEGER NOT NULL,
  timestamp      INTEGER NOT NULL,
  value          REAL NOT NULL,
  is_nan         INTEGER NOT NULL DEFAULT 0,
  run_id         TEXT NOT NULL DEFAULT '',
  dataset_name   TEXT NOT NULL DEFAULT '',
  dataset_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (model_id, key, step, timestamp, value, is_nan, run_id, dataset_name, dataset_digest)
) WITHOUT ROWID;

-- Logged models consumed by a run (inputs) and produced by it (outputs, with the step).
CREATE TABLE run_model_inputs (
  run_pk   INTEGER NOT NULL REFERENCES runs (run_pk) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  PRIMARY KEY (run_pk, model_id)
) WITHOUT ROWID;

CREATE TABLE run_model_outputs (
  run_pk   INTEGER NOT NULL REFERENCES runs (run_pk) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  step     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_pk, model_id)
) WITHOUT ROWID;
`;
