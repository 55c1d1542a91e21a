import { useEffect, useState, type ReactNode } from 'react';
import { useImport } from './import-store';
import { dragHasFiles } from './selections';
import { ImportDialog } from './ImportDialog';
import { ImportPanel } from './ImportPanel';
import { ImportReportDialog } from './ImportReportDialog';
import { ImportIcon } from './icons';
import './import.css';

/** After the last dragover (fired every ~50 ms while a drag hovers) the overlay hides itself. */
const HIDE_AFTER_MS = 350;

/**
 * The whole window accepts dropped folders and .db files (an overlay says so while a drag from
 * the desktop hovers); a drop opens the import dialog with what was dropped. Also hosts the
 * import dialog, the progress panel and the report. Drags of anything but files (text, elements
 * inside the page) are left alone.
 */
export function ImportDropZone({ children }: { children?: ReactNode }) {
  const [over, setOver] = useState(false);
  const dialogOpen = useImport((s) => s.dialogOpen);
  const reportView = useImport((s) => s.reportView);

  useEffect(() => {
    void useImport.getState().resumeRunning();
  }, []);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const hide = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      setOver(false);
    };
    const onDrag = (e: DragEvent): void => {
      if (!dragHasFiles(e.dataTransfer)) return;
      // Without this the browser (or Electron) would open the dropped file in place of the app.
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setOver(true);
      if (timer) clearTimeout(timer);
      timer = setTimeout(hide, HIDE_AFTER_MS);
    };
    const onLeave = (e: DragEvent): void => {
      // Leaving the window: no element to enter next.
      if (
        e.relatedTarget === null &&
        (e.clientX <= 0 || e.clientY <= 0 || e.clientX >= innerWidth || e.clientY >= innerHeight)
      )
        hide();
    };
    const onDrop = (e: DragEvent): void => {
      if (!e.dataTransfer || !dragHasFiles(e.dataTransfer)) return;
      e.preventDefault();
      hide();
      useImport.getState().takeDrop(e.dataTransfer);
    };
    window.addEventListener('dragenter', onDrag);
    window.addEventListener('dragover', onDrag);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      if (timer) clearTimeout(timer);
      window.removeEventListener('dragenter', onDrag);
      window.removeEventListener('dragover', onDrag);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);

  return (
    <>
      {children}
      {over && (
        <div className="imp-overlay" data-testid="import-drop-overlay">
          <div className="imp-overlay-card">
            <ImportIcon />
            <strong>Drop an mlruns folder or mlflow.db to import</strong>
            <span>Nothing is written to what you drop.</span>
          </div>
        </div>
      )}
      {dialogOpen && <ImportDialog />}
      <ImportPanel />
      {reportView && <ImportReportDialog view={reportView} />}
    </>
  );
}
