import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ATTRIBUTE_COLUMNS } from '@contract/ui-api';
import { Popover, type Anchor } from '../../components/Popover';
import { useRuns } from './runs-store';
import { ATTRIBUTE_LABELS, type ColumnId } from './columns-model';

type Line =
  | { type: 'section'; kind: Kind; label: string; ids: ColumnId[] }
  | { type: 'key'; kind: Kind; key: string; id: ColumnId; label: string };

type Kind = 'attribute' | 'metric' | 'param' | 'tag';

const PREFIX: Record<Kind, string> = { attribute: 'a:', metric: 'm:', param: 'p:', tag: 't:' };
const SECTION_LABEL: Record<Kind, string> = {
  attribute: 'Attributes',
  metric: 'Metrics',
  param: 'Parameters',
  tag: 'Tags',
};
const MAX_PER_SECTION_SHOWN = 100_000;

/**
 * Chooses the view's columns among every attribute, metric (latest, min, max), param and tag of
 * the experiments — thousands of keys, searched and listed virtually. Only chosen columns are
 * fetched from the main process.
 */
export function ColumnChooser({ anchor, onClose }: { anchor: Anchor; onClose: () => void }) {
  const keys = useRuns((s) => s.keys);
  const settings = useRuns((s) => s.settings);
  const update = useRuns((s) => s.update);
  const current = useRuns((s) => s.columns)();
  const chosen = useMemo(() => new Set(current), [current]);
  const [query, setQuery] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);

  const lines = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = (s: string) => !q || s.toLowerCase().includes(q);
    const out: Line[] = [];
    const section = (kind: Kind, entries: { key: string; label: string }[]) => {
      const shown = entries.filter((e) => match(e.label) || match(e.key)).slice(0, MAX_PER_SECTION_SHOWN);
      if (!shown.length) return;
      out.push({
        type: 'section',
        kind,
        label: `${SECTION_LABEL[kind]} (${shown.length.toLocaleString()})`,
        ids: shown.map((e) => PREFIX[kind] + e.key),
      });
      for (const e of shown) out.push({ type: 'key', kind, key: e.key, id: PREFIX[kind] + e.key, label: e.label });
    };
    section(
      'attribute',
      ATTRIBUTE_COLUMNS.map((a) => ({ key: a, label: ATTRIBUTE_LABELS[a] })),
    );
    section(
      'metric',
      (keys?.metrics ?? []).map((k) => ({ key: k, label: k })),
    );
    section(
      'param',
      (keys?.params ?? []).map((k) => ({ key: k, label: k })),
    );
    section(
      'tag',
      (keys?.tags ?? []).map((k) => ({ key: k, label: k })),
    );
    return out;
  }, [keys, query]);

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (lines[i]?.type === 'section' ? 34 : 28),
    overscan: 12,
  });

  const setColumns = (next: ColumnId[]) => update({ columns: next });
  const reveal = useRuns((s) => s.reveal);
  const toggle = (id: ColumnId) => {
    if (chosen.has(id)) setColumns(current.filter((c) => c !== id));
    else {
      setColumns([...current, id]);
      reveal(id);
    }
  };
  const setMany = (ids: ColumnId[], on: boolean) => {
    if (on) {
      const added = ids.filter((id) => !chosen.has(id));
      setColumns([...current, ...added]);
      if (added[0]) reveal(added[0]);
    } else {
      const drop = new Set(ids);
      setColumns(current.filter((c) => !drop.has(c)));
    }
  };

  return (
    <Popover anchor={anchor} onClose={onClose} className="column-chooser" label="Columns">
      <div className="chooser-head">
        <input
          type="search"
          autoFocus
          placeholder={`Search ${((keys?.metrics.length ?? 0) + (keys?.params.length ?? 0) + (keys?.tags.length ?? 0)).toLocaleString()} keys`}
          aria-label="Search columns"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <div className="chooser-list" ref={scrollRef}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((vi) => {
            const line = lines[vi.index]!;
            const style = { transform: `translateY(${vi.start}px)`, height: vi.size };
            if (line.type === 'section') {
              const all = line.ids.every((id) => chosen.has(id));
              return (
                <div key={vi.key} className="chooser-section" style={style}>
                  <span>{line.label}</span>
                  <button type="button" className="link-button" onClick={() => setMany(line.ids, !all)}>
                    {all ? 'Hide all' : 'Show all'}
                  </button>
                </div>
              );
            }
            const on = chosen.has(line.id);
            return (
              <div key={vi.key} className="chooser-row" style={style}>
                <label title={line.key}>
                  <input
                    type="checkbox"
                    checked={on}
                    onChange={() => toggle(line.id)}
                    aria-label={`${line.kind} ${line.label}`}
                  />
                  <span className="chooser-label">{line.label}</span>
                </label>
                {line.kind === 'metric' && (
                  <span className="chooser-aggs">
                    {(['min', 'max'] as const).map((agg) => {
                      const id = `m${agg}:${line.key}`;
                      return (
                        <button
                          key={agg}
                          type="button"
                          className={`chip${chosen.has(id) ? ' on' : ''}`}
                          aria-pressed={chosen.has(id)}
                          aria-label={`${agg} of ${line.key}`}
                          onClick={() => toggle(id)}
                        >
                          {agg}
                        </button>
                      );
                    })}
                  </span>
                )}
              </div>
            );
          })}
        </div>
        {lines.length === 0 && <div className="muted chooser-empty">No key matches “{query}”.</div>}
      </div>
      <div className="chooser-foot">
        <span className="muted">{current.length.toLocaleString()} columns</span>
        <button
          type="button"
          className="link-button"
          disabled={settings.columns === null}
          onClick={() => update({ columns: null })}
          title="Every metric and param, as keys appear"
        >
          Reset to automatic
        </button>
      </div>
    </Popover>
  );
}
