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
     * the batch had only NaN); `n` inserted points are added to the count.
     */
    upsertLatest: db.prepare(
      `INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan, min_value, max_value, point_count)
       VALUES (@run_pk, @key_id, @step, @timestamp, @value, @is_nan, @min, @max, @n)
       ON CONFLICT (run_pk, key_id) DO UPDATE SET
         point_count = point_count + excluded.point_count,
         step      = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.step ELSE step END,
         timestamp = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.timestamp ELSE timestamp END,
         is_nan    = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.is_nan ELSE is_nan END,
         value     = CASE WHEN (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value) THEN excluded.value ELSE value END,
         min_value = CASE WHEN excluded.min_value IS NULL THEN min_value ELSE MIN(COALESCE(min_value, excluded.min_value), excluded.min_value) END,
         max_value = CASE WHEN excluded.max_value IS NULL THEN max_value ELSE MAX(COALESCE(max_value, excluded.max_value), excluded.max_value) END`,
    ),
    latestForRun: db.prepare<[number], MetricRow>(
      `SELECT k.key, l.value, l.is_nan, l.timestamp, l.step FROM latest_metrics l
       JOIN metric_keys k ON k.key_id = l.key_id WHERE l.run_pk = ? ORDER BY k.key`,
    ),
    historyPage: db.prepare<{ run_pk: number; key_id: number; limit: number; offset: number }, MetricRow>(
      `SELECT value, is_nan, timestamp, step FROM metrics
       WHERE run_pk = @run_pk AND key_id = @key_id ORDER BY timestamp, step, value LIMIT @limit OFFSET @offset`,
    ),
    /** First and last step of a series: two index seeks. */
    stepBounds: db.prepare<{ run_pk: number; key_id: number }, { min_step: number | null; max_step: number | null }>(
      `SELECT (SELECT step FROM metrics WHERE run_pk = @run_pk AND key_id = @key_id ORDER BY step LIMIT 1) AS min_step,
              (SELECT step FROM metrics WHERE run_pk = @run_pk AND key_id = @key_id ORDER BY step DESC LIMIT 1) AS max_step`,
    ),
    /** Points in a series (kept in latest_metrics), to detect dense series without a scan. */
    pointCount: db.prepare<{ run_pk: number; key_id: number }, { n: number }>(
      'SELECT point_count AS n FROM latest_metrics WHERE run_pk = @run_pk AND key_id = @key_id',
    ),
    pointsAtStep: db.prepare<{ run_pk: number; key_id: number; step: number }, MetricRow>(
      `SELECT value, is_nan, timestamp, step FROM metrics
       WHERE run_pk = @run_pk AND key_id = @key_id AND step = @step ORDER BY timestamp, value`,
    ),
    /** Distinct steps of a series in order; used to pick evenly spaced sample steps. */
    distinctSteps: db.prepare<{ run_pk: number; key_id: number; start: number; end: number }, { step: number }>(
      `SELECT DISTINCT step FROM metrics
       WHERE run_pk = @run_pk AND key_id = @key_id AND step BETWEEN @start AND @end ORDER BY step`,
    ),
  };
}

export type MetricStatements = ReturnType<typeof metricStatements>;
