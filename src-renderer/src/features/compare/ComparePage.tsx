import { useEffect, useState } from 'react';
import type { RunRowData } from '@contract/ui-api';
import { getApi } from '../../api/client';
import { describeError } from '../../state/app-store';
import { href, type Location } from '../../app/router';
import { formatMetric } from '../../lib/format';
import { StatusBadge } from '../runs/cells';
import { useRunColors } from '../runs/run-colors';

/**
 * Placeholder of the compare view (the charts issue fills it): the selected runs side by side
 * with the metrics and params where they differ.
 */
export function ComparePage({ location }: { location: Location }) {
  const runIds = (location.query.get('runs') ?? '').split(',').filter(Boolean);
  const experimentIds = (location.query.get('experiments') ?? '').split(',').filter((s) => /^\d+$/.test(s));
  const [runs, setRuns] = useState<RunRowData[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const colors = useRunColors((s) => s.colors);
  const key = `${runIds.join(',')}|${experimentIds.join(',')}`;
  useEffect(() => {
    let alive = true;
    void (async () => {
      try {
        const keys = await getApi().experimentKeys(experimentIds, 'all');
        const w = await getApi().runsWindow({
          experimentIds,
          lifecycle: 'all',
          runIds,
          sort: [],
          offset: 0,
          limit: 500,
          columns: { metrics: keys.metrics.slice(0, 200), params: keys.params.slice(0, 200), tags: [] },
        });
        if (alive) setRuns(w.items.flatMap((i) => (i.type === 'run' ? [i.run] : [])));
      } catch (err) {
        if (alive) setError(describeError(err));
      }
    })();
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key captures ids
  }, [key]);
  const differs = (get: (r: RunRowData) => unknown) =>
    runs && new Set(runs.map((r) => JSON.stringify(get(r) ?? null))).size > 1;
  const metricKeys = runs ? [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort() : [];
  const paramKeys = runs
    ? [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort().filter((k) => differs((r) => r.params[k]))
    : [];
  return (
    <section className="pane compare-page">
      <header className="pane-header">
        <div className="pane-title">
          <h1>Compare {runIds.length} runs</h1>
          <div className="pane-meta muted">
            <span>Charts arrive with the compare view; for now the runs side by side.</span>
            {experimentIds.length > 0 && <a href={href('experiments', experimentIds.join(','))}>Back to runs</a>}
          </div>
        </div>
      </header>
      {error && <div className="banner error">{error}</div>}
      {runs && (
        <div className="compare-scroll">
          <table className="compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th />
                {runs.map((r) => (
                  <th key={r.runId}>
                    <span className="color-chip" style={{ background: colors[r.runId] ?? 'transparent' }} />
                    <a href={href('experiments', r.experimentId, 'runs', r.runId)}>{r.name}</a>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th>Status</th>
                {runs.map((r) => (
                  <td key={r.runId}>
                    <StatusBadge status={r.status} />
                  </td>
                ))}
              </tr>
              {metricKeys.map((k) => (
                <tr key={`m:${k}`}>
                  <th>
                    <span className="head-kind">metric</span> {k}
                  </th>
                  {runs.map((r) => (
                    <td key={r.runId} className="numeric">
                      {formatMetric(r.metrics[k])}
                    </td>
                  ))}
                </tr>
              ))}
              {paramKeys.map((k) => (
                <tr key={`p:${k}`}>
                  <th>
                    <span className="head-kind">param</span> {k}
                  </th>
                  {runs.map((r) => (
                    <td key={r.runId}>{r.params[k] ?? ''}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
