/**
 * Import bookkeeping (see importers/): which folders/files were imported, how their experiment ids
 * map onto ours, and the report of every import run.
 *
 * An import source is keyed by the real path of the dropped folder or `.db` file, so importing the
 * same (or a newer copy at the same place) reuses its experiment mapping instead of matching names
 * again. `created` tells whether the experiment was created by that source (its lifecycle then
 * follows the source on re-import) or merged into one that already existed by name.
 */
export default /* sql */ `
CREATE TABLE import_sources (
  source_key        TEXT PRIMARY KEY,
  kind              TEXT NOT NULL,
  first_imported_at INTEGER NOT NULL,
  last_imported_at  INTEGER NOT NULL,
  last_report_id    TEXT
) WITHOUT ROWID;

CREATE TABLE import_experiment_map (
  source_key           TEXT NOT NULL REFERENCES import_sources (source_key) ON DELETE CASCADE,
  source_experiment_id TEXT NOT NULL,
  experiment_id        INTEGER NOT NULL,
  name                 TEXT NOT NULL,
  created              INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (source_key, source_experiment_id)
) WITHOUT ROWID;

CREATE TABLE import_reports (
  report_id   TEXT PRIMARY KEY,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  status      TEXT NOT NULL,
  paths_json  TEXT NOT NULL,
  report_json TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX import_reports_by_start ON import_reports (started_at);
`;
