import type { Db } from './db';

export interface MetricRow {
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}

/** A metric point prepared for storage: NaN becomes value 0 + is_nan 1 (see migration 001). */
export interface StoredPoint {
  keyId: number;
  value: number;
  isNan: 0 | 1;
  timestamp: number;
  step: number;
}

export const decodeValue = (value: number, isNan: number): number => (isNan ? NaN : value);

/** Parameters of `upsertLatest` (one series' newly inserted points of one batch). */
export interface LatestUpsert {
  run_pk: number;
  key_id: number;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
  min: number | null;
  max: number | null;
  n: number;
  /** 1 when the new points' steps are pairwise distinct. */
  distinct: 0 | 1;
  /** The smallest step among the new points. */
  min_step: number;
}

/**
 * The `DO UPDATE SET` assignments that fold an incoming series summary (`excluded`) into the stored
 * `latest_metrics` row, shared by live logging and imports: the latest point is replaced when the
 * new one's (step, timestamp, value) is strictly greater (MLflow's rule); min/max ignore a NULL
 * (an all-NaN batch) on either side.
 */
export const MERGE_LATEST_POINT = `
         step      = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.step ELSE step END,
         timestamp = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.timestamp ELSE timestamp END,
         is_nan    = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.is_nan ELSE is_nan END,
         value     = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.value ELSE value END,
         min_value = CASE WHEN excluded.min_value IS NULL THEN min_value ELSE MIN(COALESCE(min_value, excluded.min_value), excluded.min_value) END,
         max_value = CASE WHEN excluded.max_value IS NULL THEN max_value ELSE MAX(COALESCE(max_value, excluded.max_value), excluded.max_value) END`;

/** Named statements for metric history, latest values and interned metric keys. */
export function metricStatements(db: Db) {
  return {
    keyId: db.prepare<[string], { key_id: number }>('SELECT key_id FROM metric_keys WHERE key = ?'),
    insertKey: db.prepare('INSERT INTO metric_keys (key) VALUES (?)'),
    insertPoint: db.prepare(
      'INSERT OR IGNORE INTO metrics (run_pk, key_id, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    /**
     * Folds a run's newly inserted points of one key into `latest_metrics` (one statement per key
     * per batch, not per point): the latest point replaces the stored one when its
     * (step, timestamp, value) is strictly greater — MLflow's rule; min/max skip NaN (NULL when
     * the batch had only NaN); `n` inserted points are added to the count. `steps_distinct`
     * (migration 006) stays 1 only while each batch's new points have distinct steps (`distinct`)
     * all above the series' last step (`min_step` > the stored latest step, which is the series'
     * greatest step); SET expressions read the row as it was before this update.
     */
    upsertLatest: db.prepare<LatestUpsert>(
      `INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan, min_value, max_value, point_count,
         steps_distinct)
       VALUES (@run_pk, @key_id, @step, @timestamp, @value, @is_nan, @min, @max, @n, @distinct)
       ON CONFLICT (run_pk, key_id) DO UPDATE SET
         point_count = point_count + excluded.point_count,
         steps_distinct = CASE WHEN steps_distinct = 1 AND @distinct = 1 AND @min_step > step THEN 1 ELSE 0 END,
         ${MERGE_LATEST_POINT}`,
    ),
    latestForRun: db.prepare<[number], MetricRow>(
      `SELECT k.key, l.value, l.is_nan, l.timestamp, l.step FROM latest_metrics l
       JOIN metric_keys k ON k.key_id = l.key_id WHERE l.run_pk = ? ORDER BY k.key`,
    ),
    historyPage: db.prepare<{ run_pk: number; key_id: number; limit: number; offset: number }, MetricRow>(
      `SELECT value, is_nan, timestamp, step FROM metrics
       WHERE run_pk = @run_pk AND key_id = @key_id ORDER BY timestamp, step, value LIMIT @limit OFFSET @offset`,
    ),
    /**
     * What bulk-interval sampling needs to know of a series: first and last step (two seeks on the
     * primary key), point count and whether the writers proved its steps distinct (migration 006).
     */
    seriesShape: db.prepare<
      { run_pk: number; key_id: number },
      { min_step: number | null; max_step: number | null; n: number | null; steps_distinct: number | null }
    >(
      `SELECT (SELECT step FROM metrics WHERE run_pk = @run_pk AND key_id = @key_id ORDER BY step LIMIT 1) AS min_step,
              (SELECT step FROM metrics WHERE run_pk = @run_pk AND key_id = @key_id ORDER BY step DESC LIMIT 1) AS max_step,
              l.point_count AS n, l.steps_distinct
       FROM (SELECT 1) LEFT JOIN latest_metrics l ON l.run_pk = @run_pk AND l.key_id = @key_id`,
    ),
    /**
     * The points at the given steps (a JSON array), in MLflow's order (step, timestamp, value; then
     * is_nan, where MLflow leaves the order of a NaN and a 0 logged at the same instant open), at
     * most `limit`: one statement walking the primary key once per listed step. Rows as arrays
     * [step, timestamp, value, is_nan].
     */
    pointsAtSteps: db
      .prepare<[number, number, string, number], [number, number, number, number]>(
        `SELECT step, timestamp, value, is_nan FROM metrics
         WHERE run_pk = ? AND key_id = ? AND step IN (SELECT value FROM json_each(?))
         ORDER BY step, timestamp, value, is_nan LIMIT ?`,
      )
      .raw(),
    /** Number of distinct steps of a series in [start, end] (a scan of the primary-key range, in SQLite). */
    countDistinctSteps: db
      .prepare<[number, number, number, number], number>(
        'SELECT COUNT(DISTINCT step) FROM metrics WHERE run_pk = ? AND key_id = ? AND step BETWEEN ? AND ?',
      )
      .pluck(),
    /** Number of points of a series in [start, end] (= its distinct steps when steps_distinct is 1). */
    countPoints: db
      .prepare<[number, number, number, number], number>(
        'SELECT COUNT(*) FROM metrics WHERE run_pk = ? AND key_id = ? AND step BETWEEN ? AND ?',
      )
      .pluck(),
    /**
     * The distinct step `skip` places after the first distinct step above `after` (and <= `end`):
     * walking a series to its k-th step stays inside SQLite instead of listing every step.
     */
    nthDistinctStepAfter: db
      .prepare<[number, number, number, number, number], number>(
        `SELECT DISTINCT step FROM metrics WHERE run_pk = ? AND key_id = ? AND step > ? AND step <= ?
         ORDER BY step LIMIT 1 OFFSET ?`,
      )
      .pluck(),
    /** As nthDistinctStepAfter for a series whose steps are distinct (no de-duplication to do). */
    nthStepAfter: db
      .prepare<[number, number, number, number, number], number>(
        `SELECT step FROM metrics WHERE run_pk = ? AND key_id = ? AND step > ? AND step <= ?
         ORDER BY step LIMIT 1 OFFSET ?`,
      )
      .pluck(),
    /** Distinct steps of a series in [start, end], ascending, as plain numbers (covering index, no row objects). */
    distinctSteps: db
      .prepare<[number, number, number, number], number>(
        `SELECT DISTINCT step FROM metrics WHERE run_pk = ? AND key_id = ? AND step BETWEEN ? AND ? ORDER BY step`,
      )
      .pluck(),
  };
}

export type MetricStatements = ReturnType<typeof metricStatements>;
