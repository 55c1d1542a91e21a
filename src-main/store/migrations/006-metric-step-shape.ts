/**
 * Bulk-interval sampling (TrackingStore.getMetricHistoryBulkInterval) needs to know whether a
 * series has one point per step. The point count alone cannot tell: steps 0,0,2,3 have as many
 * points as steps 0..3. `steps_distinct` records what the writers proved when the points arrived:
 *   1    every point of the series has a step of its own (so distinct steps = point_count, and the
 *        series is gap-free exactly when point_count = max step - min step + 1);
 *   0    not proven (a repeated step, or points that arrived at or below the series' last step);
 *   2    was proven, and an import has committed points of the series it has not folded in yet
 *        (import-writer.ts markSeriesImporting; left behind by a cancelled import: not proven);
 *   NULL the row predates this column: unknown.
 * Anything but 1 sends the series down the exact (distinct-steps) path.
 */
export default /* sql */ `
ALTER TABLE latest_metrics ADD COLUMN steps_distinct INTEGER;
`;
