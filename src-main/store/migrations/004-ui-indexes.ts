/**
 * UI support: persistent view state (filters, columns, sort, grouping, widths per experiment; run
 * colors), kept in the data dir so it survives restarts and moves of the data dir, and an index
 * that makes per-experiment active-run counts (the sidebar, refreshed on every live change) a
 * covering index range instead of one table row read per run.
 */
export default /* sql */ `
CREATE TABLE ui_state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX runs_by_experiment_stage ON runs (experiment_id, lifecycle_stage, start_time);
`;
