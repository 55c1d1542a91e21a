import { useEffect, useMemo, useRef } from 'react';
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type Cell,
  type Header,
  type OnChangeFn,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { RunRowData } from '@contract/ui-api';
import { useApp } from '../state/store';
import { buildColumns, fromSorting, toSorting, type ColumnMeta } from './columns';

const ROW_HEIGHT = 34;

function cellClass(meta: ColumnMeta | undefined, extra = ''): string {
  return ['cell', meta?.numeric ? 'numeric' : '', meta?.sticky ? 'sticky' : '', extra].filter(Boolean).join(' ');
}

function HeaderCell({ header }: { header: Header<RunRowData, unknown> }) {
  const meta = header.column.columnDef.meta as ColumnMeta | undefined;
  const isGroup = header.subHeaders.length > 0 || header.isPlaceholder;
  const sorted = header.column.getIsSorted();
  const sortIndex = header.column.getSortIndex();
  const multi = header.getContext().table.getState().sorting.length > 1;
  const style = { width: header.getSize() };
  const indicator = (
    <span className={`sort-indicator${sorted ? ' active' : ''}`} aria-hidden="true">
      {sorted === 'desc' ? '↓' : sorted === 'asc' ? '↑' : '↕'}
      {sorted && multi ? <sup>{sortIndex + 1}</sup> : null}
    </span>
  );
  if (isGroup) {
    return (
      <div className={cellClass(undefined, 'group-head')} style={style} role="columnheader">
        {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
      </div>
    );
  }
  return (
    <div
      className={cellClass(meta, 'head')}
      style={style}
      role="columnheader"
      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
    >
      <button
        type="button"
        className="sort-button"
        onClick={header.column.getToggleSortingHandler()}
        title={`Sort by ${String(header.column.columnDef.header)} (shift-click to add a sort key)`}
      >
        {/* Numbers are right-aligned: the indicator goes first so labels line up with values. */}
        {meta?.numeric && indicator}
        <span className="head-label">{flexRender(header.column.columnDef.header, header.getContext())}</span>
        {!meta?.numeric && indicator}
      </button>
      {header.column.getCanResize() && (
        <div
          className={`resizer${header.column.getIsResizing() ? ' resizing' : ''}`}
          onMouseDown={header.getResizeHandler()}
          onTouchStart={header.getResizeHandler()}
          onDoubleClick={() => header.column.resetSize()}
          role="separator"
          aria-orientation="vertical"
        />
      )}
    </div>
  );
}

function BodyCell({ cell }: { cell: Cell<RunRowData, unknown> }) {
  const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
  return (
    <div className={cellClass(meta)} style={{ width: cell.column.getSize() }} role="gridcell">
      {flexRender(cell.column.columnDef.cell, cell.getContext())}
    </div>
  );
}

/**
 * The runs of the selected experiment: tanstack-table for columns, sorting and sizing;
 * react-virtual for rows. Only the window of rows around the viewport is ever loaded; rows
 * outside it render as placeholders until their window arrives.
 */
export function RunsTable() {
  const runs = useApp((s) => s.runs);
  const setSort = useApp((s) => s.setSort);
  const showRange = useApp((s) => s.showRange);
  const scrollRef = useRef<HTMLDivElement>(null);

  const columns = useMemo(() => buildColumns(runs.columns.metrics, runs.columns.params), [runs.columns]);
  const sorting = useMemo(() => toSorting(runs.sort), [runs.sort]);
  const onSortingChange: OnChangeFn<SortingState> = (updater) => {
    const next = typeof updater === 'function' ? updater(sorting) : updater;
    setSort(fromSorting(next));
    scrollRef.current?.scrollTo({ top: 0 });
  };

  const table = useReactTable({
    data: runs.rows,
    columns,
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: true,
    getRowId: (r) => r.runId,
    getCoreRowModel: getCoreRowModel(),
    columnResizeMode: 'onChange',
    defaultColumn: { minSize: 60, maxSize: 900 },
  });

  const virtualizer = useVirtualizer({
    count: runs.total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    showRange(first, last);
  }, [first, last, showRange]);

  const rows = table.getRowModel().rows;
  const leafColumns = table.getVisibleLeafColumns();
  const totalWidth = table.getTotalSize();

  return (
    <div className="grid-scroll" ref={scrollRef} role="grid" aria-rowcount={runs.total} aria-label="Runs">
      <div className="grid" style={{ width: totalWidth }}>
        <div className="grid-head" role="rowgroup">
          {table.getHeaderGroups().map((group) => (
            <div className="grid-row head-row" role="row" key={group.id}>
              {group.headers.map((h) => (
                <HeaderCell key={h.id} header={h} />
              ))}
            </div>
          ))}
        </div>
        <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index - runs.offset];
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            if (!row || item.index < runs.offset) {
              return (
                <div className="grid-row body-row placeholder" role="row" key={item.key} style={style}>
                  {leafColumns.map((c) => (
                    <div
                      key={c.id}
                      className={cellClass(c.columnDef.meta as ColumnMeta | undefined)}
                      style={{ width: c.getSize() }}
                    >
                      <span className="skeleton" />
                    </div>
                  ))}
                </div>
              );
            }
            return (
              <div
                className={`grid-row body-row${runs.fresh.has(row.id) ? ' fresh' : ''}`}
                role="row"
                aria-rowindex={item.index + 1}
                data-run-id={row.id}
                key={item.key}
                style={style}
              >
                {row.getVisibleCells().map((cell) => (
                  <BodyCell key={cell.id} cell={cell} />
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
