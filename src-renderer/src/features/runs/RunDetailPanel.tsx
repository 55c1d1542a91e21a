import { useEffect, useState } from 'react';
import type { RunDetail } from '@contract/ui-api';
import { getApi } from '../../api/client';
import { describeError, onLive } from '../../state/app-store';
import { href } from '../../app/router';
import { formatDuration, formatMetric, metricTitle, timeTitle } from '../../lib/format';
import { CopyButton } from '../../components/CopyButton';
import { Markdown } from '../../components/Markdown';
import { StatusBadge } from './cells';
import { useRunColors } from './run-colors';
import { RegisterModelButton } from '../registry';

/**
 * One run in full beside the table (route `#/experiments/:id/runs/:runId`): overview, every
 * metric (latest, min, max, points), params and tags. Follows live changes of the run.
 */
export function RunDetailPanel({ runId, onClose }: { runId: string; onClose: () => void }) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showSystemTags, setShowSystemTags] = useState(false);
  const color = useRunColors((s) => s.colors[runId]);

  useEffect(() => {
    let alive = true;
    setDetail(null);
    setError(null);
    const load = () =>
      getApi()
        .runDetail(runId)
        .then(
          (d) => alive && setDetail(d),
          (err: unknown) => alive && setError(describeError(err)),
        );
    void load();
    const off = onLive({
      change: (e) => {
        if (e.manyRuns || e.runIds.includes(runId)) void load();
      },
      hello: () => void load(),
    });
    return () => {
      alive = false;
      off();
    };
  }, [runId]);

  const run = detail?.run;
  const note = detail?.tags.find((t) => t.key === 'mlflow.note.content')?.value;
  const userTags = detail?.tags.filter((t) => !t.key.startsWith('mlflow.')) ?? [];
  const systemTags = detail?.tags.filter((t) => t.key.startsWith('mlflow.')) ?? [];
  return (
    <aside className="detail-panel" aria-label="Run details" data-testid="run-detail">
      <header className="detail-head">
        <div className="detail-title">
          {color && <span className="color-chip big" style={{ background: color }} />}
          <h2>{run?.name ?? (error ? 'Run not found' : 'Loading…')}</h2>
        </div>
        <button type="button" className="icon-button" aria-label="Close run details" onClick={onClose}>
          ×
        </button>
      </header>
      {error && <div className="banner error">{error}</div>}
      {detail && run && (
        <div className="detail-body">
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={run.status} />
              {run.lifecycleStage === 'deleted' && <span className="badge muted-badge">deleted</span>}
            </dd>
            <dt>Run ID</dt>
            <dd className="with-copy">
              <code>{run.runId}</code>
              <CopyButton text={run.runId} />
            </dd>
            <dt>Experiment</dt>
            <dd>
              <a href={href('experiments', run.experimentId)}>{detail.experimentName}</a>
            </dd>
            <dt>Started</dt>
            <dd>{timeTitle(run.startTime) || '—'}</dd>
            <dt>Duration</dt>
            <dd>
              {run.startTime !== null && run.endTime !== null
                ? formatDuration(run.endTime - run.startTime)
                : run.status === 'RUNNING'
                  ? 'running'
                  : '—'}
            </dd>
            <dt>User</dt>
            <dd>{run.userId || '—'}</dd>
            {run.source && (
              <>
                <dt>Source</dt>
                <dd className="break">{run.source}</dd>
              </>
            )}
            {run.gitCommit && (
              <>
                <dt>Git commit</dt>
                <dd className="with-copy">
                  <code>{run.gitCommit.slice(0, 12)}</code>
                  <CopyButton text={run.gitCommit} />
                </dd>
              </>
            )}
            {run.parentRunId && (
              <>
                <dt>Parent run</dt>
                <dd>
                  <a href={href('experiments', run.experimentId, 'runs', run.parentRunId)}>
                    {run.parentRunId.slice(0, 12)}…
                  </a>
                </dd>
              </>
            )}
            <dt>Artifacts</dt>
            <dd className="break">
              <code>{detail.artifactUri}</code>
              <RegisterModelButton runId={run.runId} className="rg-button small rg-register-from-run" />
            </dd>
          </dl>
          {note && (
            <section>
              <h3>Description</h3>
              <Markdown text={note} />
            </section>
          )}
          {detail.children.length > 0 && (
            <section>
              <h3>Nested runs ({detail.children.length})</h3>
              <ul className="plain-list">
                {detail.children.map((c) => (
                  <li key={c.runId}>
                    <a href={href('experiments', run.experimentId, 'runs', c.runId)}>{c.name}</a>{' '}
                    <StatusBadge status={c.status} />
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section>
            <h3>Metrics ({detail.metrics.length})</h3>
            {detail.metrics.length ? (
              <table className="kv-table numeric-table">
                <thead>
                  <tr>
                    <th>Key</th>
                    <th>Latest</th>
                    <th>Min</th>
                    <th>Max</th>
                    <th>Step</th>
                    <th>Points</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.metrics.map((m) => (
                    <tr key={m.key}>
                      <td className="key" title={m.key}>
                        {m.key}
                      </td>
                      <td title={metricTitle(m.value)}>{formatMetric(m.value)}</td>
                      <td title={metricTitle(m.min ?? undefined)}>{formatMetric(m.min ?? undefined)}</td>
                      <td title={metricTitle(m.max ?? undefined)}>{formatMetric(m.max ?? undefined)}</td>
                      <td>{m.step.toLocaleString()}</td>
                      <td>{m.count.toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">No metrics logged.</p>
            )}
          </section>
          <section>
            <h3>Parameters ({detail.params.length})</h3>
            <KeyValues rows={detail.params} empty="No parameters logged." />
          </section>
          <section>
            <h3>Tags ({userTags.length})</h3>
            <KeyValues rows={userTags} empty="No tags." />
            {systemTags.length > 0 && (
              <button type="button" className="link-button" onClick={() => setShowSystemTags((v) => !v)}>
                {showSystemTags ? 'Hide' : 'Show'} {systemTags.length} system tags
              </button>
            )}
            {showSystemTags && <KeyValues rows={systemTags} empty="" />}
          </section>
        </div>
      )}
    </aside>
  );
}

function KeyValues({ rows, empty }: { rows: { key: string; value: string }[]; empty: string }) {
  if (!rows.length) return empty ? <p className="muted">{empty}</p> : null;
  return (
    <table className="kv-table">
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td className="key" title={r.key}>
              {r.key}
            </td>
            <td className="value" title={r.value}>
              {r.value}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
