/**
 * The bench/search store, shared with bench/queries: one experiment (id 1) of `runs` runs × 50
 * params × 50 metrics (latest values only) + 3 tags each, and a second experiment (id 2) of 500
 * runs sharing those keys. Metric keys m0…m49; params p0…p49 (p3 = 'x0'…'x11', the others numbers).
 * Built with bulk SQL in about 40 s for 100,000 runs.
 */
import type { Db } from '../src-main/store/db';

export const PARAMS = 50;
export const METRICS = 50;
export const EXPERIMENT = 1;
export const SMALL_EXPERIMENT = 2;
export const SMALL_RUNS = 500;

/**
 * Deterministic pseudo-random in [0, 1) from two integers, in SQL: a multiplicative hash squared
 * modulo a prime, so values of different keys of one run are not correlated.
 */
const rnd = (a: string, b: string): string => {
  const h = `((${a} * 2654435761 + ${b} * 40503 + 12345) % 1000003)`;
  return `(((${h} * ${h} + ${b} * 7919) % 1000003) / 1000003.0)`;
};

export function buildSearchStore(db: Db, RUNS: number): void {
  const t0 = Date.now();
  // Secondary indexes are rebuilt after the bulk load: sorting once beats random inserts.
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('params', 'tags', 'latest_metrics')",
    )
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
             VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 0, 0), (${EXPERIMENT}, 'bench', 'mlflow-artifacts:/1', 'active', 1, 1),
                    (${SMALL_EXPERIMENT}, 'small', 'mlflow-artifacts:/2', 'active', 2, 2)`);
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${RUNS + SMALL_RUNS})
      INSERT INTO runs (run_pk, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
      SELECT i, lower(hex(randomblob(16))), CASE WHEN i <= ${RUNS} THEN ${EXPERIMENT} ELSE ${SMALL_EXPERIMENT} END,
             'run-' || i, 'user' || (i % 10),
             CASE WHEN i % 7 = 0 THEN 'FAILED' ELSE 'FINISHED' END,
             1700000000000 + (i / 3) * 1000, 1700000000000 + i * 1000 + 500,
             CASE WHEN i % 50 = 0 THEN 'deleted' ELSE 'active' END, 'mlflow-artifacts:/1/' || i || '/artifacts'
      FROM s`);
    db.exec(`WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${METRICS - 1})
      INSERT OR IGNORE INTO metric_keys (key) SELECT 'm' || j FROM k`);
    db.exec(`WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < ${PARAMS - 1})
      INSERT INTO params (run_pk, key, value)
      SELECT r.run_pk, 'p' || k.j,
             CASE WHEN k.j = 3 THEN 'x' || CAST(${rnd('r.run_pk', 'k.j')} * 12 AS INTEGER)
                  ELSE CAST(CAST(${rnd('r.run_pk', 'k.j')} * 1000 AS INTEGER) AS TEXT) END
      FROM runs r, k`);
    // A few NaN and missing values so the NaN/missing segments of metric sorts are exercised.
    db.exec(`INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan, min_value, max_value)
      SELECT r.run_pk, mk.key_id, 10, 1700000000000,
             CASE WHEN r.run_pk % 997 = 0 THEN 0 ELSE ${rnd('r.run_pk', 'mk.key_id + 100')} END,
             CASE WHEN r.run_pk % 997 = 0 THEN 1 ELSE 0 END, NULL, NULL
      FROM runs r, metric_keys mk WHERE mk.key LIKE 'm%' AND (r.run_pk % 1009 != 0 OR mk.key_id % 2 = 0)`);
    db.exec(`INSERT INTO tags (run_pk, key, value) SELECT run_pk, 'mlflow.runName', name FROM runs`);
    db.exec(`INSERT INTO tags (run_pk, key, value) SELECT run_pk, 'mlflow.user', user_id FROM runs`);
    db.exec(`INSERT INTO tags (run_pk, key, value) SELECT run_pk, 'team', 'team' || (run_pk % 20) FROM runs`);
  })();
  for (const ix of indexes) db.exec(ix.sql);
  console.log(
    `built ${RUNS} + ${SMALL_RUNS} runs × ${PARAMS} params × ${METRICS} metrics in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}
