import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ColumnRef, ExperimentSummary } from '@contract/ui-api';
import { getApi } from '../../api/client';
import { describeError, useApp } from '../../state/app-store';
import { href, navigate } from '../../app/router';
import { Menu, type Anchor, type MenuItem } from '../../components/Popover';
import { EmptyState } from '../../components/EmptyState';
import { plural } from '../../lib/format';
import { ExperimentHeader } from '../experiments/ExperimentHeader';
import { isRun, useRuns } from './runs-store';
import { RunsGrid, nextSort } from './RunsGrid';
import { Toolbar } from './Toolbar';
import { RunDetailPanel } from './RunDetailPanel';
import { ConfirmDialog, ShortcutsDialog, TagDialog } from './dialogs';
import { RUN_PALETTE, useRunColors } from './run-colors';
import { columnLabel, columnRef, type ColumnId } from './columns-model';
import { copyText, downloadText } from './download';
import { pythonSnippet } from './python-snippet';

type Dialogs = { kind: 'tags' } | { kind: 'delete' } | { kind: 'shortcuts' } | null;
type Menus = { kind: 'row'; anchor: Anchor } | { kind: 'header'; anchor: Anchor; id: ColumnId } | null;

const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/**
 * The runs of one experiment (or several, compared): header, toolbar, the spreadsheet, the
 * selection's actions, and the run detail panel when the route names a run.
 */
export function RunsPage({ experimentIds, runId }: { experimentIds: string[]; runId: string | null }) {
  const experiments = useApp((s) => s.experiments);
  const notify = useApp((s) => s.notify);
  const trackingUri = useApp((s) => s.info?.trackingUri ?? window.location.origin);
  const open = useRuns((s) => s.open);
  const status = useRuns((s) => s.status);
  const total = useRuns((s) => s.total);
  const runCount = useRuns((s) => s.runCount);
  const settings = useRuns((s) => s.settings);
  const selection = useRuns((s) => s.selection);
  const loadError = useRuns((s) => s.loadError);
  const loadColors = useRunColors((s) => s.load);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [menu, setMenu] = useState<Menus>(null);

  const key = experimentIds.join(',');
  useEffect(() => {
    open(key ? key.split(',') : []);
  }, [key, open]);
  useEffect(() => {
    void loadColors();
  }, [loadColors]);

  const shown: ExperimentSummary[] = useMemo(
    () => experimentIds.flatMap((id) => experiments.filter((e) => e.experimentId === id)),
    [experimentIds, experiments],
  );
  const names = useMemo(() => Object.fromEntries(experiments.map((e) => [e.experimentId, e.name])), [experiments]);

  const openRun = useCallback(
    (id: string) => {
      navigate(href('experiments', experimentIds.join(','), 'runs', id));
    },
    [experimentIds],
  );
  const closeRun = useCallback(() => navigate(href('experiments', experimentIds.join(','))), [experimentIds]);

  // ------------------------------------------------------------------ actions on the selection

  const selected = useCallback(() => [...useRuns.getState().selection], []);
  const act = useCallback(
    async (label: string, task: () => Promise<unknown>) => {
      try {
        await task();
        notify(label);
      } catch (err) {
        notify(describeError(err), 'error');
      }
    },
    [notify],
  );
  const setPinned = (ids: string[], on: boolean) => {
    const s = useRuns.getState();
    const pinned = s.settings.pinnedRuns.filter((id) => !ids.includes(id));
    s.update({ pinnedRuns: on ? [...pinned, ...ids] : pinned }, { keepScroll: true });
  };
  const setHidden = (ids: string[], on: boolean) => {
    const s = useRuns.getState();
    const hidden = s.settings.hiddenRuns.filter((id) => !ids.includes(id));
    s.update({ hiddenRuns: on ? [...hidden, ...ids] : hidden }, { keepScroll: true });
    if (on && !s.settings.showHidden) s.clearSelection();
  };
  const setDeleted = (ids: string[], deleted: boolean) =>
    act(`${deleted ? 'Deleted' : 'Restored'} ${plural(ids.length, 'run')}`, async () => {
      await getApi().setRunsDeleted({ runIds: ids, deleted });
      useRuns.getState().clearSelection();
    });
  const compare = (ids: string[]) =>
    navigate(`/compare-runs?runs=${ids.map(encodeURIComponent).join(',')}&experiments=${experimentIds.join(',')}`);
  const copyIds = (ids: string[]) =>
    void copyText(ids.join('\n')).then((ok) =>
      notify(ok ? `Copied ${plural(ids.length, 'run ID')}` : 'Copy failed', ok ? 'info' : 'error'),
    );

  const exportView = useCallback(
    async (format: 'csv' | 'tsv' | 'json') => {
      const s = useRuns.getState();
      const columns = s
        .displayedColumns()
        .map(columnRef)
        .filter((c): c is ColumnRef => c !== null);
      if (!columns.some((c) => c.kind === 'attribute' && c.key === 'run_id')) {
        columns.splice(1, 0, { kind: 'attribute', key: 'run_id' });
      }
      try {
        const text = await getApi().exportRuns({ query: s.query(), columns, format });
        const name = (shown.length === 1 ? shown[0]!.name : 'runs').replace(/[^\w.-]+/g, '_');
        downloadText(
          text,
          `${name}.${format}`,
          format === 'json' ? 'application/json' : format === 'csv' ? 'text/csv' : 'text/tab-separated-values',
        );
      } catch (err) {
        notify(describeError(err), 'error');
      }
    },
    [shown, notify],
  );
  const copyPython = () => {
    const text = pythonSnippet(useRuns.getState().query(), trackingUri);
    void copyText(text).then((ok) => notify(ok ? 'Copied a Python snippet that reproduces this view' : 'Copy failed'));
  };

  // ------------------------------------------------------------------ keyboard

  const onGridKey = (e: React.KeyboardEvent) => {
    const s = useRuns.getState();
    if (isTyping(e.target) || s.total === 0) return;
    const page = Math.max(1, Math.floor(((e.currentTarget as HTMLElement).clientHeight - 44) / 32) - 1);
    const move = (to: number) => {
      e.preventDefault();
      const index = Math.max(0, Math.min(s.total - 1, to));
      if (e.shiftKey) void s.selectRange(index);
      else s.setCursor(index);
    };
    const item = s.itemAt(s.cursor);
    switch (e.key) {
      case 'ArrowDown':
        return move(s.cursor + 1);
      case 'ArrowUp':
        return move(s.cursor - 1);
      case 'PageDown':
        return move(s.cursor + page);
      case 'PageUp':
        return move(s.cursor - page);
      case 'Home':
        return move(0);
      case 'End':
        return move(s.total - 1);
      case ' ':
        e.preventDefault();
        if (isRun(item)) s.toggleSelect(s.cursor);
        else if (item) s.toggleGroup(item.key);
        return;
      case 'Enter':
        e.preventDefault();
        if (isRun(item)) openRun(item.run.runId);
        else if (item) s.toggleGroup(item.key);
        return;
      case 'ArrowRight':
      case 'ArrowLeft': {
        const open = e.key === 'ArrowRight';
        if (isRun(item) && item.childCount > 0 && item.expanded !== open) {
          e.preventDefault();
          s.toggleExpanded(item.run.runId);
        } else if (item?.type === 'group' && item.collapsed === open) {
          e.preventDefault();
          s.toggleGroup(item.key);
        }
        return;
      }
      case 'Escape':
        if (s.selection.size) {
          e.preventDefault();
          s.clearSelection();
        }
        return;
      case 'a':
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          void s.selectAll();
        }
        return;
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (document.querySelector('.dialog-backdrop')) return;
      if (e.key === '/') {
        e.preventDefault();
        document.getElementById('runs-filter')?.focus();
      } else if (e.key === '?') {
        e.preventDefault();
        setDialog({ kind: 'shortcuts' });
      } else if (e.key === 'Escape' && runId) {
        closeRun();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runId, closeRun]);

  // ------------------------------------------------------------------ menus

  const onRowMenu = useCallback((e: React.MouseEvent, index: number) => {
    const s = useRuns.getState();
    const item = s.itemAt(index);
    if (!isRun(item)) return;
    if (!s.selection.has(item.run.runId)) s.selectOnly(index);
    setMenu({ kind: 'row', anchor: { x: e.clientX, y: e.clientY } });
  }, []);
  const onHeaderMenu = useCallback((e: React.MouseEvent, id: ColumnId) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    setMenu({
      kind: 'header',
      anchor: e.type === 'contextmenu' ? { x: e.clientX, y: e.clientY } : { x: r.left, y: r.top, h: r.height },
      id,
    });
  }, []);

  const selectionActions = (ids: string[]): MenuItem[] => {
    const s = useRuns.getState().settings;
    const allPinned = ids.every((id) => s.pinnedRuns.includes(id));
    const allHidden = ids.every((id) => s.hiddenRuns.includes(id));
    const deletedView = s.lifecycle === 'deleted';
    return [
      ...(ids.length === 1 ? [{ label: 'Open run', hint: 'Enter', onSelect: () => openRun(ids[0]!) }] : []),
      { label: `Compare ${plural(ids.length, 'run')}`, disabled: ids.length < 2, onSelect: () => compare(ids) },
      { label: '', separator: true },
      { label: allPinned ? 'Unpin' : 'Pin to top', onSelect: () => setPinned(ids, !allPinned) },
      { label: allHidden ? 'Unhide' : 'Hide', onSelect: () => setHidden(ids, !allHidden) },
      {
        label: 'Color',
        render: () => <ColorRow ids={ids} onDone={() => setMenu(null)} />,
      },
      { label: 'Add or remove tag…', onSelect: () => setDialog({ kind: 'tags' }) },
      { label: '', separator: true },
      { label: 'Copy run IDs', onSelect: () => copyIds(ids) },
      deletedView
        ? { label: 'Restore', onSelect: () => void setDeleted(ids, false) }
        : { label: 'Delete…', danger: true, onSelect: () => setDialog({ kind: 'delete' }) },
    ];
  };

  const headerActions = (id: ColumnId): MenuItem[] => {
    const s = useRuns.getState();
    const ref = columnRef(id);
    if (!ref) return [];
    const pinned = s.settings.pinnedColumns.includes(id);
    const list = s.columns();
    const items: MenuItem[] = [
      { label: 'Sort ascending', onSelect: () => s.update({ sort: [{ column: ref, desc: false }] }) },
      { label: 'Sort descending', onSelect: () => s.update({ sort: [{ column: ref, desc: true }] }) },
      {
        label: 'Add to sort',
        hint: 'Shift-click',
        onSelect: () => s.update({ sort: nextSort(s.settings.sort, ref, true) }),
      },
      { label: 'Clear sort', disabled: !s.settings.sort.length, onSelect: () => s.update({ sort: [] }) },
      { label: '', separator: true },
      {
        label: pinned ? 'Unpin column' : 'Pin column left',
        onSelect: () =>
          s.update({
            pinnedColumns: pinned
              ? s.settings.pinnedColumns.filter((c) => c !== id)
              : [...s.settings.pinnedColumns, id],
          }),
      },
      { label: 'Hide column', onSelect: () => s.update({ columns: list.filter((c) => c !== id) }) },
    ];
    if (ref.kind === 'metric' && !ref.agg) {
      for (const agg of ['min', 'max'] as const) {
        const aggId = `m${agg}:${ref.key}`;
        const on = list.includes(aggId);
        items.push({
          label: `${on ? 'Hide' : 'Show'} ${agg} of ${ref.key}`,
          onSelect: () => {
            if (on) s.update({ columns: list.filter((c) => c !== aggId) });
            else {
              const at = list.indexOf(id) + 1;
              s.update({ columns: [...list.slice(0, at), aggId, ...list.slice(at)] });
            }
          },
        });
      }
    }
    if (
      ref.kind === 'param' ||
      ref.kind === 'tag' ||
      (ref.kind === 'attribute' && ['status', 'user_id', 'source', 'git_commit', 'experiment_id'].includes(ref.key))
    ) {
      const grouped = s.settings.groupBy.some((g) => g.kind === ref.kind && g.key === ref.key);
      items.push({ label: '', separator: true });
      items.push({
        label: grouped ? `Stop grouping by ${columnLabel(ref)}` : `Group by ${columnLabel(ref)}`,
        onSelect: () =>
          s.update({
            groupBy: grouped
              ? s.settings.groupBy.filter((g) => !(g.kind === ref.kind && g.key === ref.key))
              : [...s.settings.groupBy, ref].slice(0, 5),
            toggledGroups: [],
          }),
      });
    }
    return items;
  };

  // ------------------------------------------------------------------ render

  const ids = [...selection];
  const filtered =
    settings.filter ||
    settings.search ||
    settings.statuses.length ||
    settings.time !== 'all' ||
    settings.lifecycle !== 'active';
  const single = shown.length === 1 ? shown[0]! : null;
  const noRunsAtAll =
    status === 'ready' &&
    total === 0 &&
    !filtered &&
    !settings.hiddenRuns.length &&
    single?.lifecycleStage !== 'deleted';

  return (
    <section className="pane" aria-labelledby="experiment-title">
      <ExperimentHeader
        experiments={shown}
        ids={experimentIds}
        runCount={status === 'ready' ? runCount : null}
        filtered={Boolean(filtered)}
        hidden={{
          count: settings.hiddenRuns.length,
          shown: settings.showHidden,
          toggle: () => useRuns.getState().update({ showHidden: !settings.showHidden }, { keepScroll: true }),
        }}
      />
      {loadError && <div className="banner error">{loadError}</div>}
      {single?.lifecycleStage === 'deleted' && (
        <div className="banner warn" role="status" data-testid="deleted-experiment">
          <span>
            This experiment is deleted; its runs were deleted with it.
            {settings.lifecycle === 'active' && ' Choose “Deleted” to see them.'}
          </span>
          <span className="toolbar-fill" />
          {settings.lifecycle === 'active' && (
            <button
              type="button"
              className="button"
              onClick={() => useRuns.getState().update({ lifecycle: 'deleted' })}
            >
              Show its runs
            </button>
          )}
          <button
            type="button"
            className="button primary"
            onClick={() =>
              void act(`Restored “${single.name}”`, async () => {
                await getApi().setExperimentDeleted({ experimentId: single.experimentId, deleted: false });
                await useApp.getState().refreshExperiments();
              })
            }
          >
            Restore experiment
          </button>
        </div>
      )}
      {status === 'loading' ? (
        <div className="pane-loading">Loading runs…</div>
      ) : noRunsAtAll && single ? (
        <EmptyState experimentName={single.name} />
      ) : (
        <>
          <Toolbar
            onExport={(f) => void exportView(f)}
            onCopyPython={copyPython}
            onShortcuts={() => setDialog({ kind: 'shortcuts' })}
          />
          {ids.length > 0 && (
            <div className="selection-bar" role="toolbar" aria-label="Selected runs">
              <strong data-testid="selection-count">{plural(ids.length, 'run')} selected</strong>
              <button type="button" className="tool" disabled={ids.length < 2} onClick={() => compare(ids)}>
                Compare
              </button>
              <button
                type="button"
                className="tool"
                onClick={() => setPinned(ids, !ids.every((id) => settings.pinnedRuns.includes(id)))}
              >
                {ids.every((id) => settings.pinnedRuns.includes(id)) ? 'Unpin' : 'Pin'}
              </button>
              <button
                type="button"
                className="tool"
                onClick={() => setHidden(ids, !ids.every((id) => settings.hiddenRuns.includes(id)))}
              >
                {ids.every((id) => settings.hiddenRuns.includes(id)) ? 'Unhide' : 'Hide'}
              </button>
              <ColorRow ids={ids} />
              <button type="button" className="tool" onClick={() => setDialog({ kind: 'tags' })}>
                Tags…
              </button>
              <button type="button" className="tool" onClick={() => copyIds(ids)}>
                Copy IDs
              </button>
              {settings.lifecycle === 'deleted' ? (
                <button type="button" className="tool" onClick={() => void setDeleted(ids, false)}>
                  Restore
                </button>
              ) : (
                <button type="button" className="tool danger" onClick={() => setDialog({ kind: 'delete' })}>
                  Delete
                </button>
              )}
              <span className="toolbar-fill" />
              <button type="button" className="link-button" onClick={() => void useRuns.getState().selectAll()}>
                Select all {runCount.toLocaleString()}
              </button>
              <button type="button" className="link-button" onClick={() => useRuns.getState().clearSelection()}>
                Clear
              </button>
            </div>
          )}
          <div className="pane-body">
            <div className="table-area" onKeyDown={onGridKey}>
              {status === 'ready' && total === 0 ? (
                <div className="no-match" data-testid="no-match">
                  <p>No runs match this view.</p>
                  {Boolean(filtered) && (
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        useRuns
                          .getState()
                          .update({ filter: '', search: '', statuses: [], time: 'all', lifecycle: 'active' })
                      }
                    >
                      Clear filters
                    </button>
                  )}
                </div>
              ) : (
                <RunsGrid
                  onOpenRun={openRun}
                  onRowMenu={onRowMenu}
                  onHeaderMenu={onHeaderMenu}
                  experimentNames={names}
                />
              )}
            </div>
            {runId && <RunDetailPanel runId={runId} onClose={closeRun} />}
          </div>
        </>
      )}
      {menu?.kind === 'row' && (
        <Menu
          anchor={menu.anchor}
          items={selectionActions(selected())}
          onClose={() => setMenu(null)}
          label="Run actions"
        />
      )}
      {menu?.kind === 'header' && (
        <Menu
          anchor={menu.anchor}
          items={headerActions(menu.id)}
          onClose={() => setMenu(null)}
          label="Column actions"
        />
      )}
      {dialog?.kind === 'tags' && (
        <TagDialog
          count={ids.length}
          onClose={() => setDialog(null)}
          onApply={(edit) =>
            act(
              edit.set ? `Tagged ${plural(ids.length, 'run')}` : `Removed the tag from ${plural(ids.length, 'run')}`,
              () => getApi().editRunTags({ runIds: ids, ...edit }),
            )
          }
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${plural(ids.length, 'run')}?`}
          body="Deleted runs leave this view; choose “Deleted” above to see and restore them."
          action="Delete"
          danger
          onClose={() => setDialog(null)}
          onConfirm={() => void setDeleted(ids, true)}
        />
      )}
      {dialog?.kind === 'shortcuts' && <ShortcutsDialog onClose={() => setDialog(null)} />}
    </section>
  );
}

function ColorRow({ ids, onDone }: { ids: string[]; onDone?: () => void }) {
  const setColor = useRunColors((s) => s.setColor);
  return (
    <span className="color-row" role="group" aria-label="Color">
      {RUN_PALETTE.map((c) => (
        <button
          key={c}
          type="button"
          className="swatch"
          style={{ background: c }}
          aria-label={`Color ${c}`}
          onClick={() => {
            setColor(ids, c);
            onDone?.();
          }}
        />
      ))}
      <button
        type="button"
        className="swatch none"
        aria-label="No color"
        onClick={() => {
          setColor(ids, null);
          onDone?.();
        }}
      >
        ⌀
      </button>
    </span>
  );
}
