import { useMemo, useState } from 'react';
import type { ColumnRef } from '@contract/ui-api';
import { Popover, type Anchor } from '../../components/Popover';
import { useRuns } from './runs-store';
import { columnLabel } from './columns-model';
import type { ViewSettings } from './view-settings';

const ATTRIBUTE_GROUPS: ColumnRef[] = [
  { kind: 'attribute', key: 'status' },
  { kind: 'attribute', key: 'user_id' },
  { kind: 'attribute', key: 'source' },
  { kind: 'attribute', key: 'git_commit' },
  { kind: 'attribute', key: 'experiment_id' },
];

const same = (a: ColumnRef, b: ColumnRef) => a.kind === b.kind && a.key === b.key;

/** Group runs by one or several params/tags/attributes; pick the statistic group rows show. */
export function GroupByPanel({ anchor, onClose }: { anchor: Anchor; onClose: () => void }) {
  const keys = useRuns((s) => s.keys);
  const settings = useRuns((s) => s.settings);
  const update = useRuns((s) => s.update);
  const [query, setQuery] = useState('');
  const options = useMemo(() => {
    const q = query.trim().toLowerCase();
    const all: ColumnRef[] = [
      ...ATTRIBUTE_GROUPS,
      ...(keys?.params ?? []).map((key): ColumnRef => ({ kind: 'param', key })),
      ...(keys?.tags ?? []).map((key): ColumnRef => ({ kind: 'tag', key })),
    ];
    return all.filter((c) => !q || columnLabel(c).toLowerCase().includes(q)).slice(0, 300);
  }, [keys, query]);
  const groupBy = settings.groupBy;
  const toggle = (c: ColumnRef) => {
    const next = groupBy.some((g) => same(g, c)) ? groupBy.filter((g) => !same(g, c)) : [...groupBy, c].slice(0, 5);
    update({ groupBy: next, toggledGroups: [] });
  };
  return (
    <Popover anchor={anchor} onClose={onClose} className="group-panel" label="Group by">
      <div className="panel-section">
        <div className="panel-title">Group by</div>
        {groupBy.length ? (
          <ol className="group-chosen">
            {groupBy.map((g) => (
              <li key={`${g.kind}:${g.key}`}>
                <span className="kind-tag">{g.kind === 'attribute' ? 'attr' : g.kind}</span> {columnLabel(g)}
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Stop grouping by ${columnLabel(g)}`}
                  onClick={() => toggle(g)}
                >
                  ×
                </button>
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted small">Runs are not grouped.</p>
        )}
        <input
          type="search"
          autoFocus
          placeholder="Search params and tags"
          aria-label="Search group keys"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <ul className="group-options">
          {options.map((c) => {
            const on = groupBy.some((g) => same(g, c));
            return (
              <li key={`${c.kind}:${c.key}`}>
                <label>
                  <input type="checkbox" checked={on} onChange={() => toggle(c)} />
                  <span className="kind-tag">{c.kind === 'attribute' ? 'attr' : c.kind}</span>
                  <span className="option-label">{columnLabel(c)}</span>
                </label>
              </li>
            );
          })}
        </ul>
      </div>
      {groupBy.length > 0 && (
        <div className="panel-section row">
          <label className="inline-field">
            Group rows show
            <select
              value={settings.groupStat}
              onChange={(e) => update({ groupStat: e.target.value as ViewSettings['groupStat'] })}
              aria-label="Aggregate shown in group rows"
            >
              <option value="mean">mean</option>
              <option value="min">min</option>
              <option value="max">max</option>
              <option value="std">std</option>
              <option value="count">count</option>
            </select>
          </label>
          <button
            type="button"
            className="link-button"
            onClick={() => update({ groupsCollapsed: false, toggledGroups: [] }, { keepScroll: true })}
          >
            Expand all
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => update({ groupsCollapsed: true, toggledGroups: [] }, { keepScroll: true })}
          >
            Collapse all
          </button>
        </div>
      )}
    </Popover>
  );
}
