import { useEffect, useState } from 'react';
import { RUN_STATUSES, type LifecycleFilter, type RunStatus } from '@contract/ui-api';
import { Menu, anchorOf, type Anchor, type MenuItem } from '../../components/Popover';
import { useRuns } from './runs-store';
import { FilterInput } from './FilterInput';
import { ColumnChooser } from './ColumnChooser';
import { GroupByPanel } from './GroupByPanel';
import { TIME_PRESETS } from './view-settings';
import { TimeRangePanel, rangeLabel } from './TimeRangePanel';
import { columnLabel } from './columns-model';

const STATUS_LABEL: Record<RunStatus, string> = {
  RUNNING: 'Running',
  SCHEDULED: 'Scheduled',
  FINISHED: 'Finished',
  FAILED: 'Failed',
  KILLED: 'Killed',
};

/** Quick search on run names: applied as you type (debounced). */
function QuickSearch() {
  const applied = useRuns((s) => s.settings.search);
  const update = useRuns((s) => s.update);
  const [text, setText] = useState(applied);
  useEffect(() => setText(applied), [applied]);
  useEffect(() => {
    if (text === applied) return;
    const t = setTimeout(() => update({ search: text }), 200);
    return () => clearTimeout(t);
  }, [text, applied, update]);
  return (
    <input
      className="quick-search"
      type="search"
      placeholder="Search run names"
      aria-label="Search run names"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') update({ search: text });
      }}
    />
  );
}

type Open = { what: 'status' | 'time' | 'range' | 'columns' | 'group' | 'export' | 'more'; anchor: Anchor } | null;

export function Toolbar({
  onExport,
  onCopyPython,
  onShortcuts,
}: {
  onExport: (format: 'csv' | 'tsv' | 'json') => void;
  onCopyPython: () => void;
  onShortcuts: () => void;
}) {
  const settings = useRuns((s) => s.settings);
  const update = useRuns((s) => s.update);
  const [open, setOpen] = useState<Open>(null);
  const show = (what: NonNullable<Open>['what']) => (e: React.MouseEvent) =>
    setOpen({ what, anchor: anchorOf(e.currentTarget) });
  const close = () => setOpen(null);

  const statusLabel =
    settings.statuses.length === 0
      ? 'Any status'
      : settings.statuses.length === 1
        ? STATUS_LABEL[settings.statuses[0]!]
        : `${settings.statuses.length} statuses`;
  const timeLabel =
    settings.time === 'custom'
      ? rangeLabel(settings.timeFrom, settings.timeTo)
      : (TIME_PRESETS.find((t) => t.id === settings.time)?.label ?? 'Any time');
  const groupLabel = settings.groupBy.length ? `Grouped: ${settings.groupBy.map(columnLabel).join(', ')}` : 'Group by';

  const statusItems: MenuItem[] = [
    { label: 'Any status', checked: settings.statuses.length === 0, onSelect: () => update({ statuses: [] }) },
    { label: '', separator: true },
    ...RUN_STATUSES.map((s) => ({
      label: STATUS_LABEL[s],
      checked: settings.statuses.includes(s),
      keepOpen: true,
      onSelect: () =>
        update({
          statuses: settings.statuses.includes(s)
            ? settings.statuses.filter((x) => x !== s)
            : [...settings.statuses, s],
        }),
    })),
  ];
  const timeItems: MenuItem[] = [
    ...TIME_PRESETS.map((t) => ({
      label: t.label,
      checked: settings.time === t.id,
      onSelect: () => update({ time: t.id }),
    })),
    { label: '', separator: true },
    {
      label: 'Custom range…',
      checked: settings.time === 'custom',
      onSelect: () => open && setOpen({ what: 'range', anchor: open.anchor }),
    },
  ];
  const exportItems: MenuItem[] = [
    { label: 'CSV', hint: '.csv', onSelect: () => onExport('csv') },
    { label: 'TSV', hint: '.tsv', onSelect: () => onExport('tsv') },
    { label: 'JSON', hint: '.json', onSelect: () => onExport('json') },
  ];
  const moreItems: MenuItem[] = [
    { label: 'Copy Python snippet (mlflow.search_runs)', onSelect: onCopyPython },
    { label: '', separator: true },
    { label: 'Nested runs as a tree', checked: settings.tree, onSelect: () => update({ tree: !settings.tree }) },
    {
      label: `Show hidden runs (${settings.hiddenRuns.length})`,
      checked: settings.showHidden,
      disabled: settings.hiddenRuns.length === 0,
      onSelect: () => update({ showHidden: !settings.showHidden }),
    },
    {
      label: 'Unhide all runs',
      disabled: settings.hiddenRuns.length === 0,
      onSelect: () => update({ hiddenRuns: [] }),
    },
    { label: 'Unpin all runs', disabled: settings.pinnedRuns.length === 0, onSelect: () => update({ pinnedRuns: [] }) },
    { label: '', separator: true },
    { label: 'Keyboard shortcuts', hint: '?', onSelect: onShortcuts },
  ];

  return (
    <div className="toolbar">
      <FilterInput />
      <div className="toolbar-row">
        <QuickSearch />
        <button
          type="button"
          className={`tool${settings.statuses.length ? ' on' : ''}`}
          onClick={show('status')}
          aria-haspopup="menu"
        >
          {statusLabel} ▾
        </button>
        <button
          type="button"
          className={`tool group-tool${settings.time !== 'all' ? ' on' : ''}`}
          onClick={show('time')}
          aria-haspopup="menu"
          title={timeLabel}
        >
          <span className="tool-text">{timeLabel}</span> ▾
        </button>
        <div className="segmented small" role="radiogroup" aria-label="Lifecycle">
          {(['active', 'deleted', 'all'] as LifecycleFilter[]).map((l) => (
            <button
              key={l}
              type="button"
              role="radio"
              aria-checked={settings.lifecycle === l}
              className={settings.lifecycle === l ? 'on' : ''}
              onClick={() => update({ lifecycle: l })}
            >
              {l === 'active' ? 'Active' : l === 'deleted' ? 'Deleted' : 'All'}
            </button>
          ))}
        </div>
        <span className="toolbar-sep" />
        <button
          type="button"
          className={`tool group-tool${settings.groupBy.length ? ' on' : ''}`}
          onClick={show('group')}
          aria-haspopup="dialog"
          title={groupLabel}
        >
          <span className="tool-text">{groupLabel}</span> ▾
        </button>
        <button type="button" className="tool" onClick={show('columns')} aria-haspopup="dialog">
          Columns ▾
        </button>
        <label
          className={`tool toggle${settings.onlyDiffering ? ' on' : ''}`}
          title="Hide columns whose value is the same in every run of the view"
        >
          <input
            type="checkbox"
            checked={settings.onlyDiffering}
            onChange={(e) => update({ onlyDiffering: e.target.checked })}
          />
          Only differing
        </label>
        <span className="toolbar-fill" />
        {/* Kept together: when the row wraps they move as one, the ⋯ never alone on a line. */}
        <span className="toolbar-end">
          <button type="button" className="tool" onClick={show('export')} aria-haspopup="menu">
            Export ▾
          </button>
          <button
            type="button"
            className="tool icon"
            aria-label="More view options"
            onClick={show('more')}
            aria-haspopup="menu"
          >
            ⋯
          </button>
        </span>
      </div>
      {open?.what === 'status' && <Menu anchor={open.anchor} items={statusItems} onClose={close} label="Status" />}
      {open?.what === 'time' && <Menu anchor={open.anchor} items={timeItems} onClose={close} label="Start time" />}
      {open?.what === 'export' && <Menu anchor={open.anchor} items={exportItems} onClose={close} label="Export" />}
      {open?.what === 'more' && <Menu anchor={open.anchor} items={moreItems} onClose={close} label="View options" />}
      {open?.what === 'range' && <TimeRangePanel anchor={open.anchor} onClose={close} />}
      {open?.what === 'columns' && <ColumnChooser anchor={open.anchor} onClose={close} />}
      {open?.what === 'group' && <GroupByPanel anchor={open.anchor} onClose={close} />}
    </div>
  );
}
