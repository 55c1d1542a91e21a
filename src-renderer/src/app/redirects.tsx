import { useEffect } from 'react';
import type { ExperimentSummary } from '@contract/ui-api';
import { useApp } from '../state/app-store';
import { href, navigate, type Location } from './router';

const LAST_KEY = 'runlens.lastExperiments';

export function rememberExperiments(ids: string[]): void {
  try {
    localStorage.setItem(LAST_KEY, ids.join(','));
  } catch {
    // not remembered
  }
}

/** Drops an experiment (just deleted) from the remembered ones. */
export function forgetExperiment(id: string): void {
  try {
    const last = (localStorage.getItem(LAST_KEY) ?? '').split(',').filter((x) => x && x !== id);
    if (last.length) localStorage.setItem(LAST_KEY, last.join(','));
    else localStorage.removeItem(LAST_KEY);
  } catch {
    // not remembered
  }
}

/** The experiment(s) to open first: the last viewed, else the one with the latest run. */
function defaultExperiments(list: ExperimentSummary[]): string | null {
  const active = list.filter((e) => e.lifecycleStage === 'active');
  try {
    const last = localStorage.getItem(LAST_KEY);
    if (last && last.split(',').every((id) => active.some((e) => e.experimentId === id))) return last;
  } catch {
    // ignore
  }
  const withRuns = active.filter((e) => e.runCount > 0);
  withRuns.sort((a, b) => (b.lastRunStartTime ?? 0) - (a.lastRunStartTime ?? 0));
  return withRuns[0]?.experimentId ?? active[0]?.experimentId ?? null;
}

export function HomeRedirect() {
  const loaded = useApp((s) => s.experimentsLoaded);
  const experiments = useApp((s) => s.experiments);
  const error = useApp((s) => s.error);
  useEffect(() => {
    if (!loaded) return;
    const next = defaultExperiments(experiments);
    if (next) navigate(href('experiments', next), { replace: true });
  }, [loaded, experiments]);
  return <div className="pane-loading">{error ?? (loaded ? 'No experiments yet.' : 'Loading…')}</div>;
}

/** MLflow's `#/compare-experiments/s?experiments=["1","2"]` → `#/experiments/1,2`. */
export function LegacyCompareRedirect({ location }: { location: Location }) {
  useEffect(() => {
    let ids: string[] = [];
    try {
      const parsed = JSON.parse(location.query.get('experiments') ?? '[]') as unknown;
      if (Array.isArray(parsed)) ids = parsed.map(String).filter((s) => /^\d+$/.test(s));
    } catch {
      ids = [];
    }
    navigate(ids.length ? href('experiments', ids.join(',')) : '/', { replace: true });
  }, [location]);
  return null;
}
