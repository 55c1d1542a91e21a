import { useEffect, useState } from 'react';
import type { RunInfoLite } from '@contract/registry-api';
import { getRun } from './registry-client';
import { runHref } from './registry-route';
import { shortId } from './registry-format';

/** Run infos are immutable enough (name, experiment) to cache for the session. */
const cache = new Map<string, Promise<RunInfoLite | null>>();

export function runInfo(runId: string): Promise<RunInfoLite | null> {
  let p = cache.get(runId);
  if (!p) {
    p = getRun(runId).then(
      (r) => r.info,
      () => null,
    );
    cache.set(runId, p);
  }
  return p;
}

/** A link to the run's page in the runs view, labelled with the run's name once known. */
export function RunLink({ runId, showId = false }: { runId: string | undefined; showId?: boolean }) {
  const [info, setInfo] = useState<{ runId: string; info: RunInfoLite | null } | null>(null);
  useEffect(() => {
    if (!runId) return;
    let live = true;
    void runInfo(runId).then((i) => live && setInfo({ runId, info: i }));
    return () => {
      live = false;
    };
  }, [runId]);
  if (!runId) return <span className="muted">—</span>;
  const known = info?.runId === runId ? info.info : undefined;
  if (known === null) {
    return (
      <span className="muted" title={`Run ${runId} is not in this tracking store`}>
        <code>{shortId(runId)}</code> (not found)
      </span>
    );
  }
  const label = known?.run_name || shortId(runId);
  return known ? (
    <a className="rg-run-link" href={runHref(known.experiment_id, runId)} title={`Run ${runId}`}>
      {label}
      {showId && known.run_name ? <code className="rg-run-id">{shortId(runId)}</code> : null}
    </a>
  ) : (
    <code className="muted">{shortId(runId)}</code>
  );
}
