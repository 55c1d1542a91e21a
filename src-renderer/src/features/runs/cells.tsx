import type { ColumnRef, GroupItem, MetricAggregates, MetricValue, RunRowData, RunStatus } from '@contract/ui-api';
import { formatDuration, formatMetric, formatStart, metricTitle, timeTitle } from '../../lib/format';
import { LiveDuration } from '../../components/LiveDuration';

const STATUS_LABEL: Record<RunStatus, string> = {
  RUNNING: 'Running',
  SCHEDULED: 'Scheduled',
  FINISHED: 'Finished',
  FAILED: 'Failed',
  KILLED: 'Killed',
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`status status-${status.toLowerCase()}`}>
      <span className="status-dot" />
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

function metricOf(run: RunRowData, ref: Extract<ColumnRef, { kind: 'metric' }>): MetricValue | undefined {
  if (ref.agg === 'min') return run.metricMin?.[ref.key];
  if (ref.agg === 'max') return run.metricMax?.[ref.key];
  return run.metrics[ref.key];
}

/**
 * One cell's content (everything but the name cell, which the row draws itself). A plain function,
 * not a component: the row calls it so a cell's element is the same `<span>` as the placeholder's
 * skeleton, and React updates that span in place when the row's data arrives instead of replacing it.
 */
export function cellContent(run: RunRowData, col: ColumnRef, experimentName?: string): React.ReactElement | null {
  switch (col.kind) {
    case 'metric': {
      const v = metricOf(run, col);
      return <span title={metricTitle(v)}>{formatMetric(v)}</span>;
    }
    case 'param': {
      const v = run.params[col.key] ?? '';
      return <span title={v}>{v}</span>;
    }
    case 'tag': {
      const v = run.tags[col.key] ?? '';
      return <span title={v}>{v}</span>;
    }
    case 'attribute':
      switch (col.key) {
        case 'name':
          return <span>{run.name}</span>;
        case 'run_id':
          return <code className="mono-cell">{run.runId}</code>;
        case 'experiment_id':
          return <span title={`Experiment ${run.experimentId}`}>{experimentName ?? run.experimentId}</span>;
        case 'status':
          return <StatusBadge status={run.status} />;
        case 'user_id':
          return <span>{run.userId}</span>;
        case 'start_time':
          return <span title={timeTitle(run.startTime)}>{formatStart(run.startTime)}</span>;
        case 'end_time':
          return <span title={timeTitle(run.endTime)}>{formatStart(run.endTime)}</span>;
        case 'duration':
          if (run.status === 'RUNNING' && run.startTime !== null && run.endTime === null) {
            return <LiveDuration start={run.startTime} />;
          }
          return (
            <span>
              {formatDuration(run.startTime !== null && run.endTime !== null ? run.endTime - run.startTime : null)}
            </span>
          );
        case 'source': {
          const s = run.source ?? '';
          const short = s.split(/[\\/]/).pop() ?? s;
          return <span title={s}>{short}</span>;
        }
        case 'git_commit':
          return run.gitCommit ? (
            <code className="mono-cell" title={run.gitCommit}>
              {run.gitCommit.slice(0, 8)}
            </code>
          ) : null;
      }
  }
  return null;
}

const STAT_SYMBOL = { mean: 'μ', min: 'min', max: 'max', std: 'σ', count: 'n' } as const;

/** A group row's aggregate for a metric column: the chosen statistic, all of them on hover. */
export function AggregateCell({
  group,
  metric,
  stat,
}: {
  group: GroupItem;
  metric: string;
  stat: keyof typeof STAT_SYMBOL;
}) {
  const a: MetricAggregates | undefined = group.aggregates[metric];
  if (!a || a.count === 0) return null;
  const v = a[stat];
  const title = `${metric} over ${a.count} run${a.count === 1 ? '' : 's'}\nmean ${fmt(a.mean)}\nmin ${fmt(a.min)}\nmax ${fmt(a.max)}\nstd ${fmt(a.std)}`;
  return (
    <span className="aggregate" title={title}>
      <span className="aggregate-symbol">{STAT_SYMBOL[stat]}</span> {v === null ? '–' : fmt(v)}
    </span>
  );
}

const fmt = (v: number | null): string => (v === null ? '–' : formatMetric(v));
