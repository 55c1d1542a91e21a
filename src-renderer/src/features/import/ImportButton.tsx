import { useImport } from './import-store';
import { ImportIcon } from './icons';

/** "Import…": opens the import dialog (a dot shows while imports run). */
export function ImportButton({ className }: { className?: string }) {
  const open = useImport((s) => s.openDialog);
  const running = useImport((s) => s.tasks.some((t) => t.stage !== 'finished'));
  return (
    <button
      type="button"
      className={`imp-open-button${className ? ` ${className}` : ''}`}
      onClick={open}
      title="Import an mlruns folder or an mlflow.db file"
    >
      <ImportIcon />
      Import…
      {running && <span className="imp-status-dot running" aria-label="An import is running" />}
    </button>
  );
}
