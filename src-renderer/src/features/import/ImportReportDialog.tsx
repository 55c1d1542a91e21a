import { useEffect, useState } from 'react';
import type { ImportIssue, ImportReport } from '@contract/import-api';
import { importApi } from './import-client';
import { messageOf, useImport, type ReportRef } from './import-store';
import { displayPath, num, seconds, summarize } from './import-format';
import { openExperiment } from './refresh-app';
import { Modal } from './Modal';

interface Loaded {
  report: ImportReport;
  notUploaded: ImportIssue[];
  uploadRoot: string | null;
}

/** The report of one import: what came in, the experiment mapping, and every skipped item. */
export function ImportReportDialog({ view }: { view: ReportRef }) {
  const close = useImport((s) => s.closeReport);
  const task = useImport((s) => ('taskId' in view ? s.tasks.find((t) => t.id === view.taskId) : undefined));
  const [fetched, setFetched] = useState<{ report: ImportReport } | { error: string } | null>(null);
  const importId = 'importId' in view ? view.importId : null;

  useEffect(() => {
    if (!importId) return;
    let live = true;
    importApi.report(importId).then(
      (report) => live && setFetched({ report }),
      (err: unknown) => live && setFetched({ error: messageOf(err) }),
    );
    return () => {
      live = false;
    };
  }, [importId]);

  let loaded: Loaded | null = null;
  let error: string | null = null;
  if (task) {
    if (task.report) loaded = { report: task.report, notUploaded: task.notUploaded, uploadRoot: task.uploadRoot };
    else error = task.error ?? 'This import has no report.';
  } else if (fetched && 'report' in fetched) {
    // Reports of earlier sessions: an upload's items sit in its temp folder `import-uploads/<id>/`.
    const first = fetched.report.paths[0] ?? '';
    const upload = /^(.*[\\/]import-uploads[\\/][0-9a-f]{32})[\\/]/.exec(first);
    loaded = { report: fetched.report, notUploaded: [], uploadRoot: upload ? upload[1]! : null };
  } else if (fetched && 'error' in fetched) error = fetched.error;
  else if (!importId) error = 'This import is no longer listed.';

  return (
    <Modal
      title="Import report"
      onClose={close}
      wide
      testId="import-report"
      footer={
        <>
          {loaded && <CopyReport report={loaded.report} />}
          <button type="button" className="imp-button primary" onClick={close}>
            Close
          </button>
        </>
      }
    >
      {error && (
        <p className="imp-error" role="alert">
          {error}
        </p>
      )}
      {!loaded && !error && <p className="muted">Loading…</p>}
      {loaded && <ReportBody {...loaded} onOpen={close} />}
      {!loaded && task && task.notUploaded.length > 0 && <SkippedTable issues={task.notUploaded} uploadRoot={null} />}
    </Modal>
  );
}

const KIND_LABEL = { mlruns: 'mlruns folder', 'mlflow-db': 'mlflow.db' } as const;
const ACTION_LABEL = { created: 'created', merged: 'merged by name', remapped: 'new id', reused: 'already imported' };

function ReportBody({ report: r, notUploaded, uploadRoot, onOpen }: Loaded & { onOpen: () => void }) {
  const c = r.counts;
  const s = summarize(r, notUploaded.length);
  const skipped: ImportIssue[] = [...notUploaded, ...r.issues];
  const rows: [string, number][] = [
    ['Runs imported', s.imported],
    ['Runs updated', s.updated],
    ['Runs unchanged', s.unchanged],
    ['Experiments created', c.experimentsCreated],
    ['Experiments merged', c.experimentsMerged],
    ['Metric points read', c.metricPointsRead],
    ['Metric points added', c.metricPointsInserted],
    ['Params', c.params],
    ['Tags', c.tags],
    ['Datasets', c.datasets],
    ['Dataset inputs', c.datasetInputs],
    ['Logged models', c.loggedModels],
    ['Registered models', c.registeredModels],
    ['Model versions', c.modelVersions],
    ['Model aliases', c.modelAliases],
    ['Artifact files copied', c.artifactFilesCopied],
    ['Traces (not imported)', c.tracesSkipped],
  ];
  return (
    <div className="imp-report">
      <p className="imp-report-status">
        <span className={`imp-badge ${r.status}`}>{r.status}</span>
        <span className="muted">
          {new Date(r.startedAt).toLocaleString()} · {seconds(r.durationMs)}
        </span>
      </p>
      {r.error && (
        <p className="imp-error" role="alert">
          {r.error}
        </p>
      )}
      <ul className="imp-sources" aria-label="Sources">
        {(r.sources.length ? r.sources : r.paths.map((path) => ({ path, kind: null }))).map((src, i) => (
          <li key={i}>
            <code>{displayPath(src.path, uploadRoot)}</code>
            {src.kind && <span className="muted"> · {KIND_LABEL[src.kind]}</span>}
            {uploadRoot && <span className="muted"> · uploaded</span>}
          </li>
        ))}
      </ul>

      <dl className="imp-report-counts" aria-label="Counts">
        {rows
          .filter(([label, n]) => n > 0 || label.startsWith('Runs') || label.startsWith('Metric'))
          .map(([label, n]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{num(n)}</dd>
            </div>
          ))}
      </dl>

      <section aria-label="Skipped items">
        <h3>
          Skipped <span className="muted">{num(s.skipped)}</span>
        </h3>
        {skipped.length === 0 ? (
          <p className="muted">Nothing was skipped.</p>
        ) : (
          <SkippedTable issues={skipped} uploadRoot={uploadRoot} />
        )}
        {r.issueCount > r.issues.length && (
          <p className="muted">
            Showing the first {num(r.issues.length)} of {num(r.issueCount)} problems.
          </p>
        )}
      </section>
      {r.experiments.length > 0 && (
        <section aria-label="Experiments">
          <h3>Experiments</h3>
          <table className="imp-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>ID in the source</th>
                <th>ID in Runlens</th>
                <th>How</th>
              </tr>
            </thead>
            <tbody>
              {r.experiments.map((e, i) => (
                <tr key={i}>
                  <td>
                    <button
                      type="button"
                      className="imp-link"
                      onClick={() => {
                        onOpen();
                        useImport.getState().closeDialog();
                        openExperiment(e.experimentId);
                      }}
                    >
                      {e.name}
                    </button>
                  </td>
                  <td>
                    <code>{e.sourceExperimentId}</code>
                  </td>
                  <td>
                    <code>{e.experimentId}</code>
                  </td>
                  <td>{ACTION_LABEL[e.action] ?? e.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

function SkippedTable({ issues, uploadRoot }: { issues: ImportIssue[]; uploadRoot: string | null }) {
  return (
    <table className="imp-table imp-skipped">
      <thead>
        <tr>
          <th>File</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {issues.map((issue, i) => (
          <tr key={i}>
            <td>
              <code>{displayPath(issue.path, uploadRoot)}</code>
            </td>
            <td>{issue.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CopyReport({ report }: { report: ImportReport }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="imp-button"
      onClick={() => {
        navigator.clipboard?.writeText(JSON.stringify(report, null, 2)).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? 'Copied' : 'Copy as JSON'}
    </button>
  );
}
