import { useEffect, useMemo, useRef, useState } from 'react';
import type { FilterCheck } from '@contract/ui-api';
import { getApi } from '../../api/client';
import { useRuns } from './runs-store';
import { suggestContext, suggestions, type Suggestion } from './filter-suggest';

/**
 * The MLflow filter box: the same grammar as `runs/search` (evaluated in the main process), with
 * autocomplete of keys, operators and values, and errors underlined where they are. Enter applies;
 * Escape closes the suggestions, then clears.
 */
export function FilterInput() {
  const applied = useRuns((s) => s.settings.filter);
  const appliedError = useRuns((s) => s.filterError);
  const keys = useRuns((s) => s.keys);
  const experimentIds = useRuns((s) => s.experimentIds);
  const setFilter = useRuns((s) => s.setFilter);
  const [text, setText] = useState(applied);
  const [caret, setCaret] = useState(applied.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [values, setValues] = useState<string[]>([]);
  const [liveError, setLiveError] = useState<Extract<FilterCheck, { ok: false }> | null>(null);
  const [scrollLeft, setScrollLeft] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);

  // The applied filter changes from outside (another view loaded): follow it.
  useEffect(() => {
    setText(applied);
    setLiveError(null);
  }, [applied]);

  const ctx = useMemo(() => suggestContext(text.slice(0, caret)), [text, caret]);
  const valueKey = ctx.type === 'value' ? `${ctx.entity}:${ctx.key}:${ctx.partial}` : '';

  // Values of params/tags/status/user come from the server (debounced).
  useEffect(() => {
    if (ctx.type !== 'value' || ctx.entity === 'metric' || ctx.entity === 'dataset') {
      setValues([]);
      return;
    }
    const kind = ctx.entity === 'attribute' ? 'attribute' : ctx.entity;
    const key = ctx.entity === 'attribute' ? ctx.key : ctx.key;
    const t = setTimeout(() => {
      getApi()
        .keyValues({ experimentIds, kind, key, prefix: ctx.partial, limit: 40 })
        .then(setValues, () => setValues([]));
    }, 120);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- valueKey captures the context
  }, [valueKey, experimentIds]);

  // Check as the user types (debounced), so a mistake is pointed at before Enter.
  useEffect(() => {
    const t = text.trim();
    if (!t || t === applied) {
      setLiveError(null);
      return;
    }
    const timer = setTimeout(() => {
      getApi()
        .checkFilter(t)
        .then(
          (r) =>
            setLiveError(
              r.ok
                ? null
                : {
                    ...r,
                    start: r.start + (text.length - text.trimStart().length),
                    end: r.end + (text.length - text.trimStart().length),
                  },
            ),
          () => {},
        );
    }, 400);
    return () => clearTimeout(timer);
  }, [text, applied]);

  const list: Suggestion[] = useMemo(() => (open ? suggestions(ctx, keys, values) : []), [open, ctx, keys, values]);
  useEffect(() => setActive(0), [list.length, ctx.type]);

  // While suggestions are offered the clause is still being typed: its "error" is only that it is
  // unfinished, so the live check speaks once the list closes (or nothing matches).
  const error = text.trim() === applied ? appliedError : list.length ? null : liveError;
  const dirty = text.trim() !== applied.trim();

  function accept(s: Suggestion): void {
    if (ctx.type === 'none') return;
    const from = ctx.from;
    const next = text.slice(0, from) + s.insert + text.slice(caret).replace(/^\S*/, '');
    const pos = from + s.insert.length;
    setText(next);
    setCaret(pos);
    requestAnimationFrame(() => {
      inputRef.current?.setSelectionRange(pos, pos);
    });
  }

  function apply(value = text): void {
    setOpen(false);
    void setFilter(value);
  }

  const syncCaret = () => {
    const el = inputRef.current;
    if (el) {
      setCaret(el.selectionStart ?? el.value.length);
      setScrollLeft(el.scrollLeft);
    }
  };

  return (
    <div className="filter-box">
      <form
        className={`filter-form${error ? ' invalid' : ''}`}
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <span className="filter-icon" aria-hidden="true">
          ⌕
        </span>
        <div className="filter-field">
          <input
            ref={inputRef}
            id="runs-filter"
            type="text"
            spellCheck={false}
            autoComplete="off"
            aria-label="Filter runs"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'filter-error' : undefined}
            aria-autocomplete="list"
            aria-expanded={list.length > 0}
            aria-controls="filter-suggestions"
            placeholder="metrics.accuracy > 0.9 and params.optimizer = 'adam'"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart ?? e.target.value.length);
              setOpen(true);
            }}
            onSelect={syncCaret}
            onScroll={syncCaret}
            onFocus={() => setOpen(true)}
            onBlur={() => setTimeout(() => setOpen(false), 120)}
            onKeyDown={(e) => {
              if (list.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
                e.preventDefault();
                setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
              } else if (list.length && e.key === 'Tab' && !e.shiftKey) {
                e.preventDefault();
                accept(list[active]!);
              } else if (list.length && e.key === 'Enter' && open && active > 0) {
                e.preventDefault();
                accept(list[active]!);
              } else if (e.key === 'Escape') {
                e.stopPropagation();
                if (open && list.length) setOpen(false);
                else {
                  setText('');
                  apply('');
                }
              } else if (e.key === 'Enter') {
                setOpen(false);
              }
            }}
          />
          {error && (
            <div className="filter-mirror" aria-hidden="true" style={{ transform: `translateX(${-scrollLeft}px)` }}>
              <span>{text.slice(0, error.start)}</span>
              <span className="filter-bad">{text.slice(error.start, Math.max(error.end, error.start + 1)) || ' '}</span>
            </div>
          )}
        </div>
        {dirty && !error && <span className="filter-hint">Enter to apply</span>}
        {(text || applied) && (
          <button
            type="button"
            className="filter-clear"
            aria-label="Clear filter"
            onClick={() => {
              setText('');
              apply('');
            }}
          >
            ×
          </button>
        )}
      </form>
      {list.length > 0 && (
        <ul className="suggestions" id="filter-suggestions" role="listbox" aria-label="Suggestions">
          {list.map((s, i) => (
            <li
              key={`${s.kind}:${s.label}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className={`suggest-kind kind-${s.kind}`}>{s.kind}</span>
              <span className="suggest-label">{s.label}</span>
              {s.detail && <span className="muted suggest-detail">{s.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <div className="filter-error" id="filter-error" role="alert">
          {error.message}
        </div>
      )}
    </div>
  );
}
