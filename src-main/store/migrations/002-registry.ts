/**
 * Model registry schema (MLflow's registered_models, model_versions, their tags and aliases).
 *
 * Registered models get an integer surrogate key `rm_pk` so a rename is one UPDATE and every child
 * row follows it. Model versions are never removed by "delete": like MLflow's SQL store they are
 * kept with stage `Deleted_Internal` and redacted fields, so version numbers are never reused.
 * Tag tables keep a rowid because MLflow lists tags in the order they were first set.
 * `model_id` is the logged model a version was registered from (MLflow 3); the REST API does not
 * return it, but the UI links versions to logged models through it.
 */
export default /* sql */ `
CREATE TABLE registered_models (
  rm_pk             INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  creation_time     INTEGER,
  last_updated_time INTEGER,
  description       TEXT
);

CREATE TABLE registered_model_tags (
  rm_pk INTEGER NOT NULL REFERENCES registered_models (rm_pk) ON DELETE CASCADE,
  key   TEXT NOT NULL,
  value TEXT,
  UNIQUE (rm_pk, key)
);

CREATE TABLE model_versions (
  rm_pk             INTEGER NOT NULL REFERENCES registered_models (rm_pk) ON DELETE CASCADE,
  version           INTEGER NOT NULL,
  creation_time     INTEGER,
  last_updated_time INTEGER,
  description       TEXT,
  user_id           TEXT,
  current_stage     TEXT NOT NULL DEFAULT 'None',
  source            TEXT,
  storage_location  TEXT,
  run_id            TEXT,
  run_link          TEXT,
  status            TEXT NOT NULL DEFAULT 'READY',
  status_message    TEXT,
  model_id          TEXT,
  PRIMARY KEY (rm_pk, version)
) WITHOUT ROWID;
CREATE INDEX model_versions_by_run ON model_versions (run_id);
CREATE INDEX model_versions_by_model ON model_versions (model_id);

CREATE TABLE model_version_tags (
  rm_pk   INTEGER NOT NULL,
  version INTEGER NOT NULL,
  key     TEXT NOT NULL,
  value   TEXT,
  UNIQUE (rm_pk, version, key),
  FOREIGN KEY (rm_pk, version) REFERENCES model_versions (rm_pk, version) ON DELETE CASCADE
);

CREATE TABLE registered_model_aliases (
  rm_pk   INTEGER NOT NULL REFERENCES registered_models (rm_pk) ON DELETE CASCADE,
  alias   TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (rm_pk, alias)
) WITHOUT ROWID;
`;
