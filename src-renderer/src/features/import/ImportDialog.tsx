import { useEffect, useRef, useState } from 'react';
import type { ImportListItem } from '@contract/import-api';
import { importApi } from './import-client';
import { useImport } from './import-store';
import { bytes, num } from './import-format';
import { importBridge } from './bridge';
import { selectionsFromFileInput, selectionsFromFolderInput, type Selection } from './selections';
import { Modal } from './Modal';
import { DatabaseIcon, FolderIcon } from './icons';

/**
 * "Import runs": what to import (dropped or picked folders and .db files, or a typed path), the
 * copy-artifacts option, and the problems found before anything starts.
 */
export function ImportDialog() {
  const selections = useImport((s) => s.selections);
  const reading = useImport((s) => s.reading);
  const error = useImport((s) => s.dialogError);
  const starting = useImport((s) => s.starting);
  const close = useImport((s) => s.closeDialog);
  const add = useImport((s) => s.addSelections);
  const remove = useImport((s) => s.removeSelection);
  const start = useImport((s) => s.start);
  const [pathText, setPathText] = useState('');
  const [copy, setCopy] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const electron = importBridge() !== null;

  useEffect(() => {
    // Not a React prop: set on the element so the picker selects folders.
    if (folderInput.current) folderInput.current.webkitdirectory = true;
  }, []);

  // An upload is a temporary copy on the server, so its artifacts are always copied in.
  const uploads = selections.some((s) => !s.path);
  const copyArtifacts = uploads || copy;
  const submit = (): void => {
    if (!starting && reading === null) void start({ pathText, copyArtifacts });
  };

  return (
    <Modal
      title="Import runs"
      onClose={close}
      testId="import-dialog"
      footer={
        <>
          <button type="button" className="imp-button" onClick={close}>
            Cancel
          </button>
          <button type="button" className="imp-button primary" disabled={starting || reading !== null} onClick={submit}>
            {starting ? 'Checking…' : 'Import'}
          </button>
        </>
      }
    >
      <p className="imp-lead">
        Bring in experiments and runs from an MLflow <code>mlruns</code> folder or an <code>mlflow.db</code> file.
        Nothing is written to them, and importing the same source again only adds what is new.
      </p>

      <div className="imp-drop-area">
        <span>
          {electron ? 'Drop a folder or an mlflow.db here, or' : 'Drop a folder or an mlflow.db here to upload it, or'}
        </span>
        <div className="imp-pick-row">
          <button type="button" className="imp-button" onClick={() => folderInput.current?.click()}>
            <FolderIcon /> Choose folder…
          </button>
          <button type="button" className="imp-button" onClick={() => fileInput.current?.click()}>
            <DatabaseIcon /> Choose mlflow.db…
          </button>
        </div>
        <input
          ref={folderInput}
          type="file"
          hidden
          multiple
          aria-label="Folder to import"
          data-testid="import-folder-input"
          onChange={(e) => {
            if (e.target.files) add(selectionsFromFolderInput(e.target.files));
            e.target.value = '';
          }}
        />
        <input
          ref={fileInput}
          type="file"
          hidden
          accept=".db,.sqlite,.sqlite3"
          aria-label="mlflow.db file to import"
          data-testid="import-db-input"
          onChange={(e) => {
            if (e.target.files) add(selectionsFromFileInput(e.target.files));
            e.target.value = '';
          }}
        />
      </div>

      {reading !== null && (
        <p className="imp-reading" role="status">
          Reading the dropped folder… {num(reading)} files
        </p>
      )}

      {selections.length > 0 && (
        <ul className="imp-selections" aria-label="To import">
          {selections.map((s) => (
            <SelectionRow key={s.key} selection={s} onRemove={() => remove(s.key)} />
          ))}
        </ul>
      )}

      <label className="imp-field">
        <span>Import from a folder or file path on this machine</span>
        <input
          type="text"
          value={pathText}
          placeholder="/home/you/project/mlruns"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setPathText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') submit();
          }}
        />
      </label>

      <label className="imp-check">
        <input type="checkbox" checked={copyArtifacts} disabled={uploads} onChange={(e) => setCopy(e.target.checked)} />
        Copy artifacts into Runlens
      </label>
      <p className="imp-hint">
        {uploads
          ? 'Uploaded files are always copied: the upload itself is temporary.'
          : 'Off: artifacts stay where they are and are read from there. On: use it for folders you will delete.'}
      </p>

      {error && (
        <div className="imp-error" role="alert">
          {error.split('\n').map((line, i) => (
            <p key={i}>{line}</p>
          ))}
        </div>
      )}

      <RecentImports />
    </Modal>
  );
}

function SelectionRow({ selection: s, onRemove }: { selection: Selection; onRemove: () => void }) {
  const detail = s.path
    ? s.path
    : s.kind === 'folder'
      ? `${num(s.files?.length ?? 0)} files · ${bytes(s.bytes)} · will be uploaded`
      : `${bytes(s.bytes)} · will be uploaded`;
  return (
    <li className="imp-selection">
      {s.kind === 'folder' ? <FolderIcon /> : <DatabaseIcon />}
      <span className="imp-selection-name">{s.name}</span>
      <span className="imp-selection-detail" title={detail}>
        {detail}
      </span>
      <button type="button" className="imp-icon-button" aria-label={`Remove ${s.name}`} onClick={onRemove}>
        ×
      </button>
    </li>
  );
}

/** Paths of browser uploads: the server's temp folder `import-uploads/<id>/`. */
const UPLOADED = /[\\/]import-uploads[\\/][0-9a-f]{32}[\\/]/;

const STATUS_LABEL: Record<ImportListItem['status'], string> = {
  running: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** The last imports (also of earlier sessions): their reports stay available. */
function RecentImports() {
  const [items, setItems] = useState<ImportListItem[] | null>(null);
  const openReport = useImport((s) => s.openReport);
  useEffect(() => {
    let live = true;
    importApi.list().then(
      (list) => live && setItems(list.slice(0, 5)),
      () => live && setItems([]),
    );
    return () => {
      live = false;
    };
  }, []);
  if (!items?.length) return null;
  return (
    <section className="imp-recent" aria-label="Recent imports">
      <h3>Recent imports</h3>
      <ul>
        {items.map((i) => (
          <li key={i.import_id}>
            <span className={`imp-status-dot ${i.status}`} aria-hidden="true" />
            <span className="imp-recent-paths" title={i.paths.join('\n')}>
              {i.paths.map((p) => p.split(/[\\/]/).filter(Boolean).pop() ?? p).join(', ')}
              {i.paths.some((p) => UPLOADED.test(p)) && <span className="muted"> (uploaded)</span>}
            </span>
            <span className="muted">
              {STATUS_LABEL[i.status]} · {new Date(i.started_at).toLocaleString()}
            </span>
            <button type="button" className="imp-link" onClick={() => openReport({ importId: i.import_id })}>
              Report
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
