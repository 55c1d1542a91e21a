import { useApp } from '../../state/app-store';
import { useRuns } from '../runs/runs-store';
import { href, navigate } from '../../app/router';

/**
 * An import writes through its worker's own connection, so the live change feed (which watches
 * the main process's writes) does not see it: the views are refreshed here instead, while an
 * import runs (throttled by the caller) and when it ends.
 */
export function refreshAfterImport(): void {
  void useApp.getState().refreshExperiments();
  useRuns.getState().refresh();
}

/** Opens an experiment's runs (from the import report). */
export function openExperiment(experimentId: string): void {
  navigate(href('experiments', experimentId));
}
