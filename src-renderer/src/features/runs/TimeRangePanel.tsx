import { useState } from 'react';
import { Popover, type Anchor } from '../../components/Popover';
import { useRuns } from './runs-store';

/** `<input type="datetime-local">` speaks local wall-clock time without a zone. */
const toLocalInput = (ms: number): string => {
  if (!ms) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (value: string): number => (value ? new Date(value).getTime() || 0 : 0);

/** "Nov 23", or "Nov 23, 14:30" when the moment is not a midnight (the end: not 23:59). */
const short = (ms: number, end = false): string => {
  const d = new Date(ms);
  const wholeDay = end ? d.getHours() === 23 && d.getMinutes() === 59 : d.getHours() === 0 && d.getMinutes() === 0;
  return d.toLocaleString(
    undefined,
    wholeDay
      ? { month: 'short', day: 'numeric' }
      : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  );
};

/** Toolbar label of a custom range. */
export function rangeLabel(from: number, to: number): string {
  if (from && to) return `${short(from)} – ${short(to, true)}`;
  if (from) return `Since ${short(from)}`;
  if (to) return `Until ${short(to, true)}`;
  return 'Any time';
}

/** Runs started between two moments (either end open). */
export function TimeRangePanel({ anchor, onClose }: { anchor: Anchor; onClose: () => void }) {
  const settings = useRuns((s) => s.settings);
  const update = useRuns((s) => s.update);
  const [from, setFrom] = useState(toLocalInput(settings.time === 'custom' ? settings.timeFrom : 0));
  const [to, setTo] = useState(toLocalInput(settings.time === 'custom' ? settings.timeTo : 0));
  const a = fromLocalInput(from);
  // The end minute is included: "until 14:30" keeps a run started at 14:30:59.
  const b = to ? fromLocalInput(to) + 59_999 : 0;
  const invalid = Boolean(a && b && a > b);
  return (
    <Popover anchor={anchor} onClose={onClose} className="range-panel" label="Start time range">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (invalid) return;
          update(a || b ? { time: 'custom', timeFrom: a, timeTo: b } : { time: 'all', timeFrom: 0, timeTo: 0 });
          onClose();
        }}
      >
        <div className="panel-title">Runs started</div>
        <label className="field">
          <span>From</span>
          <input
            type="datetime-local"
            aria-label="Started from"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label className="field">
          <span>To</span>
          <input type="datetime-local" aria-label="Started until" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        {invalid && (
          <div className="filter-error" role="alert">
            The start of the range is after its end.
          </div>
        )}
        <div className="row-actions">
          <button
            type="button"
            className="button"
            onClick={() => {
              update({ time: 'all', timeFrom: 0, timeTo: 0 });
              onClose();
            }}
          >
            Any time
          </button>
          <button type="submit" className="button primary" disabled={invalid}>
            Apply
          </button>
        </div>
      </form>
    </Popover>
  );
}
