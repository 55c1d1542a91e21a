import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnSizingState,
  type Header,
  type Updater,
} from '@tanstack/react-table';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import type { ColumnRef, GroupItem, RowItem, RunItem, SortSpec } from '@contract/ui-api';
import { href } from '../../app/router';
import { columnLabel, columnRef, defaultWidth, isNumericColumn, type ColumnId } from './columns-model';
import { useRuns } from './runs-store';
import { useRunColors } from './run-colors';
import { AggregateCell, cellContent } from './cells';

export const ROW_HEIGHT = 32;
const HEADER_HEIGHT = 44;
const SELECT_ID = '__select';
const SELECT_WIDTH = 36;
const NO_DATA: RowItem[] = [];
/** Columns fetched beyond those in view, on each side, and the step the fetched range moves by. */
const COLUMN_MARGIN = 8;
const COLUMN_STEP = 8;
/** Rows rendered beyond the viewport on each side, so a slow scroll never uncovers an unrendered row. */
const OVERSCAN = 8;

interface ColumnMeta {
  ref: ColumnRef | null;
  numeric: boolean;
}

/** A laid-out column for rendering: where it sits and how wide it is. */
interface Col {
  id: string;
  width: number;
  /** Sticky left offset (pinned columns). */
  left?: number;
  ref: ColumnRef | null;
  numeric: boolean;
  last?: boolean;
}

const KIND_LABEL = { attribute: '', metric: 'metric', param: 'param', tag: 'tag' } as const;

/** The sort order a first click picks: biggest first for numbers and times, A→Z otherwise. */
function firstDesc(ref: ColumnRef): boolean {
  return (
    ref.kind === 'metric' || (ref.kind === 'attribute' && ['start_time', 'end_time', 'duration'].includes(ref.key))
  );
}

const sameRef = (a: ColumnRef, b: ColumnRef): boolean =>
  a.kind === b.kind &&
  a.key === b.key &&
  (a.kind === 'metric' ? (a.agg ?? 'latest') : '') === (b.kind === 'metric' ? (b.agg ?? 'latest') : '');

/** Click: sort by this column (first direction → other direction → off). Shift: add to the sort keys. */
export function nextSort(sort: SortSpec[], ref: ColumnRef, multi: boolean): SortSpec[] {
  const i = sort.findIndex((s) => sameRef(s.column, ref));
  const start = firstDesc(ref);
  if (i < 0) return multi ? [...sort, { column: ref, desc: start }] : [{ column: ref, desc: start }];
  const current = sort[i]!;
  const next = current.desc === start ? { column: ref, desc: !start } : null;
  if (!multi) return next ? [next] : [];
  const out = [...sort];
  if (next) out[i] = next;
  else out.splice(i, 1);
  return out;
}

interface GridProps {
  onOpenRun: (runId: string) => void;
  onRowMenu: (event: React.MouseEvent, index: number) => void;
  onHeaderMenu: (event: React.MouseEvent, id: ColumnId) => void;
  experimentNames: Record<string, string>;
}

/**
 * The runs spreadsheet: rows virtualized (react-virtual, fixed row height) and columns too (only
 * the columns in view are rendered; pinned ones stick to the left). tanstack-table owns the column
 * model: order, pinning, sizing (drag to resize), sorting state.
 */
export function RunsGrid({ onOpenRun, onRowMenu, onHeaderMenu, experimentNames }: GridProps) {
  const total = useRuns((s) => s.total);
  const pages = useRuns((s) => s.pages);
  const pageColumns = useRuns((s) => s.pageColumns);
  const settings = useRuns((s) => s.settings);
  const keys = useRuns((s) => s.keys);
  const differing = useRuns((s) => s.differing);
  const selection = useRuns((s) => s.selection);
  const cursor = useRuns((s) => s.cursor);
  const fresh = useRuns((s) => s.fresh);
  const scrollReset = useRuns((s) => s.scrollReset);
  const colors = useRunColors((s) => s.colors);
  const scrollRef = useRef<HTMLDivElement>(null);

  const ids = useMemo(
    () => useRuns.getState().displayedColumns(),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recomputed when what it reads changes
    [settings.columns, settings.onlyDiffering, keys, differing],
  );
  const refs = useMemo(() => new Map(ids.map((id) => [id, columnRef(id)])), [ids]);

  const columns = useMemo<ColumnDef<RowItem>[]>(
    () => [
      { id: SELECT_ID, size: SELECT_WIDTH, enableResizing: false, meta: { ref: null, numeric: false } },
      ...ids.map((id) => {
        const ref = refs.get(id) ?? null;
        return {
          id,
          header: ref ? columnLabel(ref) : id,
          size: ref ? defaultWidth(ref) : 120,
          minSize: 56,
          maxSize: 1200,
          meta: { ref, numeric: ref ? isNumericColumn(ref) : false } satisfies ColumnMeta,
        };
      }),
    ],
    [ids, refs],
  );
  const pinned = useMemo(
    () => [SELECT_ID, ...settings.pinnedColumns.filter((id) => ids.includes(id))],
    [settings.pinnedColumns, ids],
  );
  const sizing = settings.widths as ColumnSizingState;
  const onColumnSizingChange = useCallback((updater: Updater<ColumnSizingState>) => {
    const s = useRuns.getState();
    const next = typeof updater === 'function' ? updater(s.settings.widths) : updater;
    s.update({ widths: { ...next } });
  }, []);

  const columnOrder = useMemo(() => [SELECT_ID, ...ids], [ids]);
  const columnPinning = useMemo(() => ({ left: pinned }), [pinned]);
  const tableState = useMemo(
    () => ({ columnOrder, columnPinning, columnSizing: sizing }),
    [columnOrder, columnPinning, sizing],
  );
  const table = useReactTable({
    data: NO_DATA,
    columns,
    state: tableState,
    onColumnSizingChange,
    columnResizeMode: 'onChange',
    getCoreRowModel: getCoreRowModel(),
  });

  const leftHeaders = table.getLeftLeafHeaders();
  const centerHeaders = table.getCenterLeafHeaders();
  const leftCols: Col[] = useMemo(() => {
    let x = 0;
    return leftHeaders.map((h, i) => {
      const meta = h.column.columnDef.meta as ColumnMeta;
      const col: Col = { id: h.id, width: h.getSize(), left: x, ref: meta.ref, numeric: meta.numeric };
      if (i === leftHeaders.length - 1) col.last = true;
      x += col.width;
      return col;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- sizes and pinning are in the deps
  }, [pinned, sizing, columns]);
  const leftWidth = leftCols.reduce((a, c) => a + c.width, 0);
  const centerAll: Col[] = useMemo(
    () =>
      centerHeaders.map((h) => {
        const meta = h.column.columnDef.meta as ColumnMeta;
        return { id: h.id, width: h.getSize(), ref: meta.ref, numeric: meta.numeric };
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- sizes and pinning are in the deps
    [pinned, sizing, columns],
  );
  const offsets = useMemo(() => {
    const o = [0];
    for (const c of centerAll) o.push(o[o.length - 1]! + c.width);
    return o;
  }, [centerAll]);
  const totalWidth = leftWidth + offsets[offsets.length - 1]!;

  // Horizontal window: which center columns are in view (state changes only when that set does).
  const [hRange, setHRange] = useState<[number, number]>([0, 12]);
  const updateHRange = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const from = el.scrollLeft;
    const to = el.scrollLeft + el.clientWidth - leftWidth;
    let a = 0;
    while (a < centerAll.length && offsets[a + 1]! < from) a++;
    let b = a;
    while (b < centerAll.length && offsets[b]! < to) b++;
    const next: [number, number] = [Math.max(0, a - 2), Math.min(centerAll.length, b + 2)];
    setHRange((prev) => (prev[0] === next[0] && prev[1] === next[1] ? prev : next));
  }, [centerAll, offsets, leftWidth]);
  useLayoutEffect(updateHRange, [updateHRange]);

  // Each row's pinned cells are one sticky box, and every sticky box in a composited scroller is a
  // compositor layer, rebuilt on every scrolled frame (the costliest part of a frame in software
  // raster). Scrolled all the way left, sticky boxes sit where they would anyway: while a scroll
  // is under way there, they are laid out in place (.unstuck), no layers; they stick again as
  // soon as the view moves sideways, and once scrolling stops (ready for a sideways scroll).
  const unstickTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(unstickTimer.current), []);
  const onScroll = useCallback(() => {
    updateHRange();
    const el = scrollRef.current;
    if (!el) return;
    el.classList.toggle('unstuck', el.scrollLeft === 0);
    clearTimeout(unstickTimer.current);
    unstickTimer.current = setTimeout(() => el.classList.remove('unstuck'), 150);
  }, [updateHRange]);
  useEffect(() => {
    window.addEventListener('resize', updateHRange);
    return () => window.removeEventListener('resize', updateHRange);
  }, [updateHRange]);
  const centerCols = useMemo(() => centerAll.slice(hRange[0], hRange[1]), [centerAll, hRange]);

  // Only the columns near the viewport are fetched: tell the store which, in steps of a few
  // columns so scrolling sideways refetches rows now and then, not at every column.
  useEffect(() => {
    const a = Math.max(0, Math.floor((hRange[0] - COLUMN_MARGIN) / COLUMN_STEP) * COLUMN_STEP);
    const b = Math.min(centerAll.length, Math.ceil((hRange[1] + COLUMN_MARGIN) / COLUMN_STEP) * COLUMN_STEP);
    useRuns
      .getState()
      .showColumns([...leftCols.filter((c) => c.id !== SELECT_ID), ...centerAll.slice(a, b)].map((c) => c.id));
  }, [hRange, centerAll, leftCols]);
  const padLeft = offsets[hRange[0]] ?? 0;

  // Overscanned rows only pay off when the next frame shows them. A fling moves further than the
  // overscan every frame, so while one is under way only the rows in view are rendered (the
  // overscanned ones cost about as much as the visible ones in style, layout and paint, for
  // nothing); once scrolling stops, or while it is slow, the full overscan comes back.
  const [scrolling, setScrolling] = useState(false);
  const lastStart = useRef(0);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const jump = Math.abs(range.startIndex - lastStart.current);
      lastStart.current = range.startIndex;
      return defaultRangeExtractor(scrolling && jump > OVERSCAN ? { ...range, overscan: 1 } : range);
    },
    [scrolling],
  );
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    rangeExtractor,
    onChange: (v) => setScrolling(v.isScrolling),
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    useRuns.getState().showRange(first, last);
  }, [first, last]);

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [scrollReset]);

  // Runs arrived above the viewport: keep the rows on screen in place (before paint, no jump).
  const scrollShift = useRuns((s) => s.scrollShift);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && scrollShift.rows) el.scrollTop += scrollShift.rows * ROW_HEIGHT;
  }, [scrollShift]);

  // A column just added (column chooser): scroll sideways until it shows.
  const revealColumn = useRuns((s) => s.revealColumn);
  useEffect(() => {
    const el = scrollRef.current;
    if (!revealColumn || !el) return;
    const i = centerAll.findIndex((c) => c.id === revealColumn);
    if (i < 0) return;
    const left = offsets[i]!;
    const right = offsets[i + 1]!;
    if (left < el.scrollLeft || right > el.scrollLeft + el.clientWidth - leftWidth) {
      el.scrollLeft = Math.max(0, right - (el.clientWidth - leftWidth) + 24);
    }
    updateHRange();
    useRuns.getState().reveal(null);
  }, [revealColumn, centerAll, offsets, leftWidth, updateHRange]);

  // Keep the keyboard cursor in view.
  const lastCursor = useRef(cursor);
  useEffect(() => {
    if (lastCursor.current === cursor) return;
    lastCursor.current = cursor;
    if (cursor < first + 1 || cursor > last - 1) virtualizer.scrollToIndex(cursor, { align: 'auto' });
  }, [cursor, first, last, virtualizer]);

  const onRowClick = useCallback((e: React.MouseEvent, index: number) => {
    const s = useRuns.getState();
    const item = s.itemAt(index);
    if (!item) return;
    if (item.type === 'group') {
      s.setCursor(index);
      s.toggleGroup(item.key);
      return;
    }
    if (e.shiftKey) void s.selectRange(index, e.ctrlKey || e.metaKey);
    else if (e.ctrlKey || e.metaKey) s.toggleSelect(index);
    else s.selectOnly(index);
    scrollRef.current?.focus({ preventScroll: true });
  }, []);

  const allSelected = useRuns((s) => s.selection.size > 0 && s.selection.size >= s.runCount);
  // One array for every group row, so a scrolled frame does not re-render the group rows it keeps.
  const groupLabels = useMemo(() => settings.groupBy.map(columnLabel), [settings.groupBy]);

  return (
    <div
      className="grid-scroll"
      ref={scrollRef}
      role="grid"
      aria-rowcount={total}
      aria-colcount={ids.length}
      aria-label="Runs"
      aria-multiselectable="true"
      tabIndex={0}
      data-testid="runs-grid"
      onScroll={onScroll}
    >
      <div className="grid" style={{ width: totalWidth, height: virtualizer.getTotalSize() + HEADER_HEIGHT }}>
        <div className="grid-head" role="row" style={{ width: totalWidth, height: HEADER_HEIGHT }}>
          {leftHeaders.map((h, i) =>
            h.id === SELECT_ID ? (
              <div key={h.id} className="cell head select-cell pinned" style={{ width: SELECT_WIDTH, left: 0 }}>
                <input
                  type="checkbox"
                  aria-label="Select all runs in the view"
                  checked={allSelected}
                  ref={(el) => {
                    if (el) el.indeterminate = !allSelected && selection.size > 0;
                  }}
                  onChange={() => {
                    const s = useRuns.getState();
                    if (s.selection.size) s.clearSelection();
                    else void s.selectAll();
                  }}
                />
              </div>
            ) : (
              <HeaderCell
                key={h.id}
                header={h}
                col={leftCols[i]!}
                sort={settings.sort}
                onMenu={onHeaderMenu}
                ids={ids}
              />
            ),
          )}
          <div className="spacer" style={{ width: padLeft }} />
          {centerCols.map((c) => {
            const h = centerHeaders[hRange[0] + centerCols.indexOf(c)]!;
            return <HeaderCell key={c.id} header={h} col={c} sort={settings.sort} onMenu={onHeaderMenu} ids={ids} />;
          })}
        </div>
        <div className="grid-body" role="rowgroup">
          {items.map((vi) => {
            // Keys by slot, not by index: the rendered rows are consecutive, so index modulo their
            // count is unique, and a row scrolling in reuses the DOM of the one scrolling out.
            const slot = `r${vi.index % items.length}`;
            const item = pages.get(Math.floor(vi.index / 100))?.[vi.index % 100];
            const top = vi.start + HEADER_HEIGHT;
            if (item?.type === 'group') {
              return (
                <GroupRow
                  key={slot}
                  index={vi.index}
                  top={top}
                  group={item}
                  left={leftCols}
                  center={centerCols}
                  padLeft={padLeft}
                  width={totalWidth}
                  isCursor={cursor === vi.index}
                  stat={settings.groupStat}
                  labels={groupLabels}
                  onClick={onRowClick}
                />
              );
            }
            return (
              <RunRow
                key={slot}
                index={vi.index}
                top={top}
                item={item}
                left={leftCols}
                center={centerCols}
                padLeft={padLeft}
                width={totalWidth}
                selected={!!item && selection.has(item.run.runId)}
                isCursor={!!item && cursor === vi.index}
                fresh={!!item && fresh.has(item.run.runId)}
                hidden={!!item && settings.showHidden && settings.hiddenRuns.includes(item.run.runId)}
                loaded={item && pageColumns.get(Math.floor(vi.index / 100))}
                color={item && colors[item.run.runId]}
                experimentName={item && experimentNames[item.run.experimentId]}
                onClick={onRowClick}
                onOpen={onOpenRun}
                onMenu={onRowMenu}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

const HeaderCell = memo(function HeaderCell({
  header,
  col,
  sort,
  onMenu,
  ids,
}: {
  header: Header<RowItem, unknown>;
  col: Col;
  sort: SortSpec[];
  onMenu: GridProps['onHeaderMenu'];
  ids: ColumnId[];
}) {
  const ref = col.ref!;
  const idx = sort.findIndex((s) => sameRef(s.column, ref));
  const sorted = idx >= 0 ? (sort[idx]!.desc ? 'desc' : 'asc') : null;
  const [dropSide, setDropSide] = useState<'before' | 'after' | null>(null);
  const label = columnLabel(ref);
  const kind = ref.kind === 'attribute' ? '' : KIND_LABEL[ref.kind];
  const indicator = (
    <span className={`sort-indicator${sorted ? ' active' : ''}`} aria-hidden="true">
      {sorted === 'desc' ? '↓' : sorted === 'asc' ? '↑' : '↕'}
      {sorted && sort.length > 1 ? <sup>{idx + 1}</sup> : null}
    </span>
  );
  return (
    <div
      className={`cell head${col.numeric ? ' numeric' : ''}${col.left !== undefined ? ' pinned' : ''}${col.last ? ' pinned-last' : ''}${sorted ? ' sorted' : ''}${dropSide ? ` drop-${dropSide}` : ''}`}
      style={{ width: col.width, left: col.left }}
      role="columnheader"
      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
      data-column-id={col.id}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData('text/x-runlens-column', col.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('text/x-runlens-column')) return;
        e.preventDefault();
        const r = e.currentTarget.getBoundingClientRect();
        setDropSide(e.clientX < r.left + r.width / 2 ? 'before' : 'after');
      }}
      onDragLeave={() => setDropSide(null)}
      onDrop={(e) => {
        e.preventDefault();
        const side = dropSide;
        setDropSide(null);
        const moved = e.dataTransfer.getData('text/x-runlens-column');
        if (!moved || moved === col.id) return;
        moveColumn(moved, col.id, side === 'after', ids);
      }}
      onContextMenu={(e) => {
        e.preventDefault();
        onMenu(e, col.id);
      }}
    >
      <button
        type="button"
        className="sort-button"
        onClick={(e) => {
          const s = useRuns.getState();
          s.update({ sort: nextSort(s.settings.sort, ref, e.shiftKey) });
        }}
        aria-label={label}
        title={`${kind ? `${kind} ` : ''}${label}\nClick to sort, shift-click to add a sort key, drag to move`}
      >
        {col.numeric && indicator}
        <span className="head-text">
          {kind && <span className="head-kind">{kind}</span>}
          <span className="head-label">{label}</span>
        </span>
        {!col.numeric && indicator}
      </button>
      <button
        type="button"
        className="head-menu-button"
        aria-label={`Column menu for ${label}`}
        onClick={(e) => onMenu(e, col.id)}
      >
        ⋯
      </button>
      {header.column.getCanResize() && (
        <div
          className={`resizer${header.column.getIsResizing() ? ' resizing' : ''}`}
          onMouseDown={(e) => {
            // The header is draggable (to reorder): without this, pressing the handle starts a
            // native drag of the column, mouse moves stop reaching the resizer and the drop
            // reorders columns while the resize stays armed until the next click.
            e.preventDefault();
            e.stopPropagation();
            header.getResizeHandler()(e);
          }}
          onTouchStart={header.getResizeHandler()}
          onDragStart={(e) => {
            e.preventDefault();
            e.stopPropagation();
          }}
          onDoubleClick={() => {
            const s = useRuns.getState();
            const widths = { ...s.settings.widths };
            delete widths[col.id];
            s.update({ widths });
          }}
          onClick={(e) => e.stopPropagation()}
          role="separator"
          aria-orientation="vertical"
          aria-label={`Resize ${label}`}
        />
      )}
    </div>
  );
});

/** Moves a column before/after another in the view's column list (materializing automatic columns). */
export function moveColumn(moved: ColumnId, target: ColumnId, after: boolean, displayed: ColumnId[]): void {
  const s = useRuns.getState();
  const list = [...(s.settings.columns ?? displayed)].filter((id) => id !== moved);
  let at = list.indexOf(target);
  if (at < 0) return;
  if (after) at++;
  list.splice(at, 0, moved);
  s.update({ columns: list });
}

function cellClass(c: Col, extra = ''): string {
  return `cell${c.numeric ? ' numeric' : ''}${c.left !== undefined ? ' pinned' : ''}${c.last ? ' pinned-last' : ''}${extra}`;
}

interface RowLayout {
  top: number;
  left: Col[];
  center: Col[];
  padLeft: number;
  width: number;
}

/** A row whose page has not arrived: the same elements as a run row's, so its data fills them in place. */
function placeholderRow({ top, left, center, padLeft, width }: RowLayout) {
  return (
    <div className="grid-row body-row placeholder" style={{ transform: `translateY(${top}px)`, width }}>
      <div className="pinned-cells">
        {left.map((c) => (
          <div key={c.id} className={cellClass(c)} style={{ width: c.width }}>
            {c.id !== SELECT_ID && <span className="skeleton" />}
          </div>
        ))}
      </div>
      <div className="spacer" style={{ width: padLeft }} />
      {center.map((c) => (
        <div key={c.id} className={cellClass(c)} style={{ width: c.width }}>
          <span className="skeleton" />
        </div>
      ))}
    </div>
  );
}

interface RunRowProps extends RowLayout {
  index: number;
  /** Undefined while its page is being fetched: drawn as a placeholder. */
  item: RunItem | undefined;
  selected: boolean;
  isCursor: boolean;
  fresh: boolean;
  hidden: boolean;
  /** Data columns fetched for this row's page (others are drawn as placeholders). */
  loaded: ReadonlySet<ColumnId> | undefined;
  color: string | undefined;
  experimentName: string | undefined;
  onClick: (e: React.MouseEvent, index: number) => void;
  onOpen: (runId: string) => void;
  onMenu: (e: React.MouseEvent, index: number) => void;
}

const RunRow = memo(function RunRow(p: RunRowProps) {
  const { item, index } = p;
  if (!item) return placeholderRow(p);
  const run = item.run;
  const cell = (c: Col) => {
    if (c.id === SELECT_ID) {
      return (
        <div key={c.id} className={cellClass(c, ' select-cell')} style={{ width: c.width }}>
          <span
            role="checkbox"
            aria-checked={p.selected}
            aria-label={`Select ${run.name}`}
            className={`row-check${p.selected ? ' on' : ''}`}
            onClick={(e) => {
              e.stopPropagation();
              useRuns.getState().toggleSelect(index);
            }}
          />
        </div>
      );
    }
    if (c.ref?.kind === 'attribute' && c.ref.key === 'name') {
      return (
        <div key={c.id} className={cellClass(c, ' name-cell')} style={{ width: c.width }} role="gridcell">
          <span className="color-chip" style={{ background: p.color ?? 'transparent' }} aria-hidden="true" />
          <span className="indent" style={{ width: item.depth * 16 }} />
          {item.childCount > 0 ? (
            <button
              type="button"
              className={`expander${item.expanded ? ' open' : ''}`}
              aria-label={`${item.expanded ? 'Collapse' : 'Expand'} ${item.childCount} nested runs`}
              aria-expanded={item.expanded}
              onClick={(e) => {
                e.stopPropagation();
                useRuns.getState().toggleExpanded(run.runId);
              }}
            >
              ▸
            </button>
          ) : item.depth > 0 ? (
            <span className="tree-leaf" aria-hidden="true" />
          ) : null}
          {item.pinned && (
            <span className="pin-mark" title="Pinned" aria-label="Pinned">
              ⚲
            </span>
          )}
          <a
            className="run-name"
            href={href('experiments', run.experimentId, 'runs', run.runId)}
            title={`${run.name}\nRun ID ${run.runId}`}
            onClick={(e) => {
              if (e.shiftKey || e.ctrlKey || e.metaKey) {
                e.preventDefault();
                return;
              }
              e.preventDefault();
              e.stopPropagation();
              useRuns.getState().selectOnly(index);
              p.onOpen(run.runId);
            }}
          >
            {run.name || <span className="muted">(unnamed)</span>}
          </a>
          {item.childCount > 0 && <span className="child-count">{item.childCount}</span>}
        </div>
      );
    }
    const pending = c.ref !== null && c.ref.kind !== 'attribute' && !p.loaded?.has(c.id);
    return (
      <div key={c.id} className={cellClass(c)} style={{ width: c.width }} role="gridcell">
        {pending ? <span className="skeleton" /> : c.ref && cellContent(run, c.ref, p.experimentName)}
      </div>
    );
  };
  return (
    <div
      className={`grid-row body-row${p.selected ? ' selected' : ''}${p.isCursor ? ' cursor' : ''}${p.fresh ? ' fresh' : ''}${p.hidden ? ' is-hidden' : ''}${run.lifecycleStage === 'deleted' ? ' is-deleted' : ''}`}
      role="row"
      aria-rowindex={index + 1}
      aria-selected={p.selected}
      data-run-id={run.runId}
      data-index={index}
      style={{ transform: `translateY(${p.top}px)`, width: p.width }}
      onMouseDown={(e) => {
        if (e.shiftKey) e.preventDefault(); // no text selection on shift-click
      }}
      onClick={(e) => p.onClick(e, index)}
      onDoubleClick={() => p.onOpen(run.runId)}
      onContextMenu={(e) => {
        e.preventDefault();
        p.onMenu(e, index);
      }}
    >
      <div className="pinned-cells">{p.left.map(cell)}</div>
      <div className="spacer" style={{ width: p.padLeft }} />
      {p.center.map(cell)}
    </div>
  );
});

interface GroupRowProps extends RowLayout {
  index: number;
  group: GroupItem;
  isCursor: boolean;
  stat: 'mean' | 'min' | 'max' | 'std' | 'count';
  labels: string[];
  onClick: (e: React.MouseEvent, index: number) => void;
}

const GroupRow = memo(function GroupRow(p: GroupRowProps) {
  const { group } = p;
  const title = group.values.map((v, i) => `${p.labels[i] ?? ''} = ${v === null ? '(none)' : v}`).join(' · ');
  const labelCol = p.left[1]?.id ?? p.center[0]?.id;
  const cell = (c: Col) => {
    if (c.id === SELECT_ID)
      return <div key={c.id} className={cellClass(c, ' select-cell')} style={{ width: c.width }} />;
    if (c.id === labelCol) {
      return (
        <div key={c.id} className={cellClass(c, ' group-label-cell')} style={{ width: c.width }} title={title}>
          <span className={`expander${group.collapsed ? '' : ' open'}`} aria-hidden="true">
            ▸
          </span>
          <span className="group-label">
            {group.values.length === 1 && <span className="muted group-key">{p.labels[0]} </span>}
            {group.values.map((v, k) => (
              <span key={k} className="group-value">
                {k > 0 && <span className="muted group-sep"> · </span>}
                {v === null ? <em className="muted">none</em> : v}
              </span>
            ))}
          </span>
          <span className="group-count">{group.count.toLocaleString()}</span>
        </div>
      );
    }
    const ref = c.ref;
    return (
      <div key={c.id} className={cellClass(c)} style={{ width: c.width }}>
        {ref?.kind === 'metric' && !ref.agg && <AggregateCell group={group} metric={ref.key} stat={p.stat} />}
      </div>
    );
  };
  return (
    <div
      className={`grid-row body-row group-row${p.isCursor ? ' cursor' : ''}${group.collapsed ? ' collapsed' : ''}`}
      role="row"
      aria-rowindex={p.index + 1}
      aria-expanded={!group.collapsed}
      data-group-key={group.key}
      data-index={p.index}
      style={{ transform: `translateY(${p.top}px)`, width: p.width }}
      onClick={(e) => p.onClick(e, p.index)}
    >
      <div className="pinned-cells">{p.left.map(cell)}</div>
      <div className="spacer" style={{ width: p.padLeft }} />
      {p.center.map(cell)}
    </div>
  );
});
