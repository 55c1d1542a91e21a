import { useState } from 'react';
import { useApp } from '../state/store';

/**
 * MLflow filter expression for the runs table, evaluated in the main process by the same parser
 * as `runs/search`. Applied on Enter; Escape clears it.
 */
export function FilterBar() {
  const applied = useApp((s) => s.runs.filter);
  const error = useApp((s) => s.runs.filterError);
  const setFilter = useApp((s) => s.setFilter);
  // Remounted per experiment (the pane shows "Loading" in between), so the text starts fresh.
  const [text, setText] = useState(applied);

  const dirty = text.trim() !== applied.trim();
  return (
    <div className="filter-bar">
      <form
        className={`filter-form${error ? ' invalid' : ''}`}
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(text.trim());
        }}
      >
        <span className="filter-icon" aria-hidden="true">
          ⌕
        </span>
        <input
          type="text"
          spellCheck={false}
          autoComplete="off"
          aria-label="Filter runs"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'filter-error' : undefined}
          placeholder="metrics.accuracy > 0.9 and params.optimizer = 'adam'"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setText('');
              setFilter('');
            }
          }}
        />
        {dirty && <span className="filter-hint">Enter to apply</span>}
        {(text || applied) && (
          <button
            type="button"
            className="filter-clear"
            aria-label="Clear filter"
            onClick={() => {
              setText('');
              setFilter('');
            }}
          >
            ×
          </button>
        )}
      </form>
      {error && (
        <div className="filter-error" id="filter-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
