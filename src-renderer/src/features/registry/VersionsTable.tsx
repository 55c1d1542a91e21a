import { useState } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from '@tanstack/react-table';
import { MODEL_STAGES, type ModelVersion } from '@contract/registry-api';
import { AliasChip, StageBadge, When } from './Badges';
import { RunLink } from './RunLink';
import { versionHref } from './registry-route';
import { canonicalStage, loggedModelIdOf } from './registry-format';

const firstLine = (s: string | undefined): string => (s ?? '').trim().split('\n')[0] ?? '';

const columns: ColumnDef<ModelVersion>[] = [
  {
    id: 'version',
    header: 'Version',
    accessorFn: (v) => Number(v.version),
    cell: ({ row }) => (
      <a className="rg-version-link" href={versionHref(row.original.name, row.original.version)}>
        Version {row.original.version}
      </a>
    ),
  },
  {
    id: 'stage',
    header: 'Stage',
    accessorFn: (v) => MODEL_STAGES.indexOf(canonicalStage(v.current_stage)),
    cell: ({ row }) => <StageBadge stage={row.original.current_stage} />,
  },
  {
    id: 'aliases',
    header: 'Aliases',
    enableSorting: false,
    cell: ({ row }) =>
      row.original.aliases?.length ? (
        <span className="rg-chips">
          {row.original.aliases.map((a) => (
            <AliasChip key={a} alias={a} />
          ))}
        </span>
      ) : (
        <span className="muted">—</span>
      ),
  },
  {
    id: 'source',
    header: 'Source run',
    enableSorting: false,
    cell: ({ row }) => {
      const modelId = loggedModelIdOf(row.original.source);
      return (
        <span className="rg-source-cell">
          <RunLink runId={row.original.run_id} />
          {modelId && (
            <span className="rg-logged-model muted" title={`Logged model ${modelId}`}>
              logged model
            </span>
          )}
        </span>
      );
    },
  },
  {
    id: 'created',
    header: 'Registered',
    accessorFn: (v) => v.creation_timestamp ?? 0,
    cell: ({ row }) => <When ms={row.original.creation_timestamp} />,
  },
  {
    id: 'description',
    header: 'Description',
    enableSorting: false,
    cell: ({ row }) => <span className="rg-ellipsis muted">{firstLine(row.original.description) || '—'}</span>,
  },
];

/** All versions of one model; sorted in the page (they are all loaded). */
export function VersionsTable({ versions }: { versions: ModelVersion[] }) {
  const [sorting, setSorting] = useState<SortingState>([{ id: 'version', desc: true }]);
  const table = useReactTable({
    data: versions,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    enableMultiSort: false,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  if (!versions.length) return <p className="muted rg-placeholder">No versions yet.</p>;
  return (
    <div className="rg-table-scroll">
      <table className="rg-table compact" aria-label="Versions">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    className={`rg-col-${header.column.id}`}
                    aria-sort={sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {header.column.getCanSort() ? (
                      <button type="button" className="rg-sort" onClick={header.column.getToggleSortingHandler()}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span className={`rg-sort-mark${sorted ? ' active' : ''}`}>{sorted === 'asc' ? '↑' : '↓'}</span>
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-version={row.original.version}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={`rg-col-${cell.column.id}`}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
