import { useApp, MAX_KEYS_PER_KIND } from '../state/store';
import { plural } from '../lib/format';
import { EmptyState } from './EmptyState';
import { FilterBar } from './FilterBar';
import { RunsTable } from './RunsTable';

export function RunsPane() {
  const experimentsLoaded = useApp((s) => s.experimentsLoaded);
  const experiment = useApp((s) => s.experiments.find((e) => e.experimentId === s.selectedId) ?? null);
  const runs = useApp((s) => s.runs);
  const error = useApp((s) => s.error);

  if (!experimentsLoaded) {
    return (
      <section className="pane">
        {error ? <div className="banner error">{error}</div> : <div className="pane-loading">Loading…</div>}
      </section>
    );
  }
  if (!experiment) {
    return (
      <section className="pane">
        <EmptyState experimentName={null} />
      </section>
    );
  }
  const keys = runs.keys;
  const hidden = keys
    ? Math.max(0, keys.metrics.length - MAX_KEYS_PER_KIND) + Math.max(0, keys.params.length - MAX_KEYS_PER_KIND)
    : 0;
  return (
    <section className="pane" aria-labelledby="experiment-title">
      <header className="pane-header">
        <div className="pane-title">
          <h1 id="experiment-title">{experiment.name}</h1>
          <div className="pane-meta muted">
            <span>ID {experiment.experimentId}</span>
            {runs.status === 'ready' && (
              <>
                <span data-testid="run-total">
                  {plural(runs.total, 'run')}
                  {runs.filter ? (runs.total === 1 ? ' matches' : ' match') : ''}
                </span>
                {keys && <span>{plural(keys.metrics.length, 'metric')}</span>}
                {keys && <span>{plural(keys.params.length, 'param')}</span>}
                {hidden > 0 && <span>{hidden.toLocaleString()} columns not shown</span>}
              </>
            )}
          </div>
        </div>
      </header>
      {error && <div className="banner error">{error}</div>}
      {runs.status === 'loading' ? (
        <div className="pane-loading">Loading runs…</div>
      ) : runs.total === 0 && !runs.filter ? (
        <EmptyState experimentName={experiment.name} />
      ) : (
        <>
          <FilterBar />
          {runs.total === 0 ? (
            <div className="pane-loading" data-testid="no-match">
              No runs match this filter.
            </div>
          ) : (
            <RunsTable />
          )}
        </>
      )}
    </section>
  );
}
