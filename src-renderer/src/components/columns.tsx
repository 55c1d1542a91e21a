import { createColumnHelper, type ColumnDef, type SortingState } from '@tanstack/react-table';
import type { AttributeColumn, ColumnRef, RunRowData, RunStatus, SortSpec } from '@contract/ui-api';
import { formatDuration, formatMetric, formatStart, metricTitle, timeTitle } from '../lib/format';
import { LiveDuration } from './LiveDuration';

/** Column ids encode what the server sorts by: a:<attribute>, m:<metric>, p:<param>, t:<tag>. */
export function columnId(ref: ColumnRef): string {
  const prefix = { attribute: 'a', metric: 'm', param: 'p', tag: 't' }[ref.kind];
  return `${prefix}:${ref.key}`;
}

export function columnRef(id: string): ColumnRef | null {
  const key = id.slice(2);
  switch (id.slice(0, 2)) {
    case 'a:':
      return { kind: 'attribute', key: key as AttributeColumn };
    case 'm:':
      return { kind: 'metric', key };
    case 'p:':
      return { kind: 'param', key };
    case 't:':
      return { kind: 'tag', key };
    default:
      return null;
  }
}

export const toSorting = (sort: SortSpec[]): SortingState =>
  sort.map((s) => ({ id: columnId(s.column), desc: s.desc }));

export const fromSorting = (state: SortingState): SortSpec[] =>
  state.flatMap((s) => {
    const column = columnRef(s.id);
    return column ? [{ column, desc: s.desc }] : [];
  });

export interface ColumnMeta {
  numeric?: boolean;
  sticky?: boolean;
}

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

const col = createColumnHelper<RunRowData>();

/** Initial width that fits the key in the header (padding + sort arrow + ~7.6px per character). */
const widthForKey = (key: string): number => Math.round(Math.min(280, Math.max(104, 40 + key.length * 7.6)));

/** Attribute columns, then one column per metric (latest value) and per param. */
export function buildColumns(metrics: string[], params: string[]): ColumnDef<RunRowData, any>[] {
  const groups: ColumnDef<RunRowData, any>[] = [
    col.group({
      id: 'g:run',
      header: 'Run',
      columns: [
        col.accessor('name', {
          id: 'a:name',
          header: 'Name',
          size: 240,
          meta: { sticky: true } satisfies ColumnMeta,
          cell: (c) => (
            <span className="run-name" title={`${c.row.original.name}\nRun ID ${c.row.original.runId}`}>
              {c.getValue<string>()}
            </span>
          ),
        }),
        col.accessor('status', {
          id: 'a:status',
          header: 'Status',
          size: 112,
          cell: (c) => <StatusBadge status={c.getValue<RunStatus>()} />,
        }),
        col.accessor('startTime', {
          id: 'a:start_time',
          header: 'Started',
          size: 150,
          sortDescFirst: true,
          cell: (c) => (
            <span title={timeTitle(c.getValue<number | null>())}>{formatStart(c.getValue<number | null>())}</span>
          ),
        }),
        col.accessor((r) => (r.startTime !== null && r.endTime !== null ? r.endTime - r.startTime : null), {
          id: 'a:duration',
          header: 'Duration',
          size: 104,
          sortDescFirst: true,
          meta: { numeric: true } satisfies ColumnMeta,
          cell: (c) => {
            const r = c.row.original;
            if (r.status === 'RUNNING' && r.startTime !== null && r.endTime === null) {
              return <LiveDuration start={r.startTime} />;
            }
            return formatDuration(c.getValue<number | null>());
          },
        }),
      ],
    }),
  ];
  if (metrics.length) {
    groups.push(
      col.group({
        id: 'g:metrics',
        header: 'Metrics',
        columns: metrics.map((key) =>
          col.accessor((r) => r.metrics[key], {
            id: `m:${key}`,
            header: key,
            size: widthForKey(key),
            sortDescFirst: true,
            meta: { numeric: true } satisfies ColumnMeta,
            cell: (c) => {
              const v = c.getValue<RunRowData['metrics'][string] | undefined>();
              return <span title={metricTitle(v)}>{formatMetric(v)}</span>;
            },
          }),
        ),
      }),
    );
  }
  if (params.length) {
    groups.push(
      col.group({
        id: 'g:params',
        header: 'Parameters',
        columns: params.map((key) =>
          col.accessor((r) => r.params[key], {
            id: `p:${key}`,
            header: key,
            size: widthForKey(key),
            sortDescFirst: false,
            cell: (c) => {
              const v = c.getValue<string | undefined>() ?? '';
              return <span title={v}>{v}</span>;
            },
          }),
        ),
      }),
    );
  }
  return groups;
}
