import { useImport, type ImportTask } from './import-store';
import { PHASE_LABEL, bytes, compact, num, seconds, summarize, taskTitle } from './import-format';

/**
 * The imports in the background: a card per import with its progress bar, counts, phase and
 * current item, a Cancel button, and when it ends a summary with "View report". Not modal: the
 * app stays usable while imports run.
 */
export function ImportPanel() {
  const tasks = useImport((s) => s.tasks);
  if (!tasks.length) return null;
  return (
    <section className="imp-panel" aria-label="Imports">
      {tasks.map((t) => (
        <TaskCard key={t.id} task={t} />
      ))}
    </section>
  );
}

function TaskCard({ task: t }: { task: ImportTask }) {
  const cancel = useImport((s) => s.cancel);
  const dismiss = useImport((s) => s.dismiss);
  const openReport = useImport((s) => s.openReport);
  const percent = t.percent;
  const title = taskTitle(t);
  const finished = t.stage === 'finished';
  const p = t.progress;
  return (
    <article
      className={`imp-task ${finished ? (t.outcome ?? '') : 'running'}`}
      aria-label={title}
      data-testid="import-task"
      data-stage={t.stage}
      data-outcome={t.outcome ?? ''}
    >
      <header className="imp-task-head">
        <span className={`imp-status-dot ${finished ? t.outcome : 'running'}`} aria-hidden="true" />
        <strong className="imp-task-title" title={title}>
          {title}
        </strong>
        {finished && (
          <button type="button" className="imp-icon-button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        )}
      </header>

      <div
        className={`imp-bar${percent === null ? ' indeterminate' : ''}${finished ? ` ${t.outcome}` : ''}`}
        role="progressbar"
        aria-label={`Progress of ${t.label}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent === null ? 'Working…' : `${percent}%`}
      >
        <div className="imp-bar-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>

      {t.stage === 'uploading' && t.upload && (
        <p className="imp-task-line">
          {num(t.upload.filesDone)} / {num(t.upload.filesTotal)} files · {bytes(t.upload.bytesDone)} of{' '}
          {bytes(t.upload.bytesTotal)}
        </p>
      )}
      {t.stage === 'starting' && <p className="imp-task-line">Checking the upload…</p>}

      {t.stage === 'importing' && p && (
        <>
          <dl className="imp-counts">
            <div>
              <dt>Experiments</dt>
              <dd data-testid="import-count-experiments">
                {num(p.experimentsDone)}
                {p.experimentsTotal > 0 && <span className="muted"> / {num(p.experimentsTotal)}</span>}
              </dd>
            </div>
            <div>
              <dt>Runs</dt>
              <dd data-testid="import-count-runs">
                {num(p.runsDone)}
                {p.runsTotal > 0 && <span className="muted"> / {num(p.runsTotal)}</span>}
              </dd>
            </div>
            <div>
              <dt>Metric points</dt>
              <dd data-testid="import-count-points">
                {compact(p.metricPointsDone)}
                {p.metricPointsTotal > 0 && <span className="muted"> / ~{compact(p.metricPointsTotal)}</span>}
              </dd>
            </div>
          </dl>
          <p className="imp-task-line imp-current" title={p.current ?? undefined}>
            {PHASE_LABEL[p.phase]}
            {p.current ? ` · ${p.current}` : ''}
            {p.issues > 0 ? ` · ${num(p.issues)} skipped so far` : ''}
          </p>
        </>
      )}

      {finished && t.report && <Summary task={t} />}
      {finished && t.error && (
        <p className="imp-task-error" role="alert">
          {t.error}
        </p>
      )}

      <footer className="imp-task-foot">
        {!finished && (
          <button type="button" className="imp-button small" disabled={t.cancelling} onClick={() => cancel(t.id)}>
            {t.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        {finished && (t.report || t.notUploaded.length > 0) && (
          <button type="button" className="imp-button small" onClick={() => openReport({ taskId: t.id })}>
            View report
          </button>
        )}
      </footer>
    </article>
  );
}

function Summary({ task: t }: { task: ImportTask }) {
  const r = t.report!;
  const s = summarize(r, t.notUploaded.length);
  const c = r.counts;
  return (
    <div className="imp-summary" data-testid="import-summary">
      <p>
        <strong>{num(s.imported)}</strong> {s.imported === 1 ? 'run' : 'runs'} imported ·{' '}
        <strong>{num(s.updated)}</strong> updated · <strong>{num(s.unchanged)}</strong> unchanged ·{' '}
        <strong className={s.skipped ? 'imp-warn' : undefined}>{num(s.skipped)}</strong> skipped
      </p>
      <p className="muted">
        {num(c.experimentsCreated)} new and {num(c.experimentsMerged)} merged experiments ·{' '}
        {num(c.metricPointsInserted)} metric points · {seconds(r.durationMs)}
      </p>
    </div>
  );
}
