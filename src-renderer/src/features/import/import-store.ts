import { create } from 'zustand';
import {
  NOT_IMPORTABLE_MESSAGE,
  type ImportIssue,
  type ImportProgress,
  type ImportReport,
  type InspectResponse,
} from '@contract/import-api';
import { ImportApiError, importApi } from './import-client';
import { readDrop, uploadProblem, type Selection, type UploadFile } from './selections';
import { refreshAfterImport } from './refresh-app';
import { taskPercent } from './import-format';

/**
 * The import feature's state: the dialog (what was dropped or picked, options, errors) and the
 * running and finished imports ("tasks"), each with its upload (browser only), progress and report.
 * Tasks run in the background: the dialog closes as soon as one starts and the app stays usable.
 */

export type TaskStage = 'uploading' | 'starting' | 'importing' | 'finished';
export type TaskOutcome = 'completed' | 'cancelled' | 'failed';

export interface UploadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ImportTask {
  id: string;
  label: string;
  mode: 'path' | 'upload';
  stage: TaskStage;
  outcome: TaskOutcome | null;
  upload: UploadProgress | null;
  /** Files that never reached the server (unreadable, or refused), listed in the report too. */
  notUploaded: ImportIssue[];
  importId: string | null;
  /** Server folder of the upload: stripped from the report's paths for display. */
  uploadRoot: string | null;
  progress: ImportProgress | null;
  report: ImportReport | null;
  /** Why the task failed outside the import itself (upload, start, lost track). */
  error: string | null;
  cancelling: boolean;
  /** What the bar shows (0-100, null = indeterminate): only ever moves forward. */
  percent: number | null;
}

export type ReportRef = { taskId: string } | { importId: string };

export interface ImportState {
  dialogOpen: boolean;
  selections: Selection[];
  /** Files counted so far while reading a dropped folder (null: not reading). */
  reading: number | null;
  dialogError: string | null;
  starting: boolean;
  tasks: ImportTask[];
  reportView: ReportRef | null;

  openDialog(): void;
  closeDialog(): void;
  addSelections(selections: Selection[]): void;
  removeSelection(key: string): void;
  /** Takes a drop on the window (call during the `drop` event). */
  takeDrop(dt: DataTransfer): void;
  /** Starts importing the selections and/or the typed path; false (dialog stays) on a problem. */
  start(options: { pathText: string; copyArtifacts: boolean }): Promise<boolean>;
  cancel(taskId: string): void;
  dismiss(taskId: string): void;
  openReport(ref: ReportRef): void;
  closeReport(): void;
  /** Follows imports already running on the server (started before a reload, or in another window). */
  resumeRunning(): Promise<void>;
}

const UPLOAD_CONCURRENCY = 4;
/** While an import runs, the experiment list and runs refresh at most this often. */
const LIVE_REFRESH_MS = 2500;

let taskSeq = 0;
let resumed = false;
const aborts = new Map<string, AbortController>();
const watchers = new Map<string, () => void>();

const isAbsolutePath = (p: string): boolean => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

function describeProblem(p: InspectResponse['problems'][number]): string {
  switch (p.reason) {
    case 'not found':
      return `'${p.path}' does not exist`;
    case 'not an absolute path':
      return `'${p.path}' is not an absolute path`;
    case 'permission denied':
      return `'${p.path}' cannot be read (permission denied)`;
    case 'this is the Runlens store itself':
      return `'${p.path}' is the Runlens store itself`;
    default:
      return `'${p.path}' ${NOT_IMPORTABLE_MESSAGE} (${p.reason})`;
  }
}

export const messageOf = (err: unknown): string => {
  if (err instanceof ImportApiError) return err.message;
  if (err instanceof TypeError) return 'Cannot reach the Runlens server. Is it still running?';
  return err instanceof Error ? err.message : String(err);
};

function labelOf(names: string[]): string {
  if (names.length <= 2) return names.join(' + ');
  return `${names[0]} + ${names.length - 1} more`;
}

/** Upload paths with each selection under a distinct top-level name (two dropped "mlruns" folders). */
function uploadFiles(selections: Selection[]): UploadFile[] {
  const used = new Set<string>();
  const out: UploadFile[] = [];
  for (const s of selections) {
    let top = s.name;
    for (let n = 2; used.has(top); n++) top = `${s.name}-${n}`;
    used.add(top);
    for (const f of s.files ?? []) {
      const slash = f.path.indexOf('/');
      out.push({ path: slash < 0 ? top : top + f.path.slice(slash), file: f.file });
    }
  }
  return out;
}

export const useImport = create<ImportState>()((set, get) => {
  const patch = (id: string, change: Partial<ImportTask>): void => {
    set({
      tasks: get().tasks.map((t) => {
        if (t.id !== id) return t;
        const next = { ...t, ...change };
        // Estimates are refined as files are read: the bar never moves back.
        const p = taskPercent(next);
        next.percent = p === null ? t.percent : Math.max(p, t.percent ?? 0);
        return next;
      }),
    });
  };
  const task = (id: string): ImportTask | undefined => get().tasks.find((t) => t.id === id);

  function addTask(label: string, mode: ImportTask['mode'], extra: Partial<ImportTask> = {}): string {
    const id = `task-${++taskSeq}`;
    const t: ImportTask = {
      id,
      label,
      mode,
      stage: mode === 'upload' ? 'uploading' : 'importing',
      outcome: null,
      upload: null,
      notUploaded: [],
      importId: null,
      uploadRoot: null,
      progress: null,
      report: null,
      error: null,
      cancelling: false,
      percent: null,
      ...extra,
    };
    t.percent = taskPercent(t);
    set({ tasks: [t, ...get().tasks] });
    return id;
  }

  function fail(id: string, message: string): void {
    patch(id, { stage: 'finished', outcome: 'failed', error: message, cancelling: false });
  }

  function follow(id: string, importId: string): void {
    let lastRefresh = Date.now();
    let lastRuns = 0;
    const stop = importApi.watch(importId, {
      progress: (progress) => {
        patch(id, { progress });
        // Show what has landed so far without hammering the server.
        if (progress.runsDone !== lastRuns && Date.now() - lastRefresh > LIVE_REFRESH_MS) {
          lastRefresh = Date.now();
          lastRuns = progress.runsDone;
          refreshAfterImport();
        }
      },
      done: (report) => {
        watchers.delete(id);
        const outcome: TaskOutcome =
          report.status === 'completed' ? 'completed' : report.status === 'cancelled' ? 'cancelled' : 'failed';
        patch(id, { stage: 'finished', outcome, report, cancelling: false, error: report.error ?? null });
        refreshAfterImport();
      },
      lost: (message) => {
        watchers.delete(id);
        fail(id, message);
        refreshAfterImport();
      },
    });
    watchers.set(id, stop);
  }

  async function runUpload(id: string, selections: Selection[]): Promise<void> {
    const controller = new AbortController();
    aborts.set(id, controller);
    const { signal } = controller;
    const files = uploadFiles(selections);
    const progress: UploadProgress = {
      filesDone: 0,
      filesTotal: files.length,
      bytesDone: 0,
      bytesTotal: files.reduce((n, f) => n + f.file.size, 0),
    };
    const notUploaded: ImportIssue[] = selections.flatMap((s) => s.unreadable ?? []);
    patch(id, { upload: { ...progress }, notUploaded: [...notUploaded] });
    let timer: ReturnType<typeof setTimeout> | null = null;
    const publish = (): void => {
      timer ??= setTimeout(() => {
        timer = null;
        patch(id, { upload: { ...progress }, notUploaded: [...notUploaded] });
      }, 100);
    };
    let uploadId: string | null = null;
    try {
      uploadId = await importApi.createUpload();
      let next = 0;
      let failedInARow = 0;
      const worker = async (): Promise<void> => {
        while (next < files.length && !signal.aborted) {
          const f = files[next++]!;
          try {
            await importApi.uploadFile(uploadId!, f.path, f.file, signal);
            failedInARow = 0;
          } catch (err) {
            if (signal.aborted) return;
            if (err instanceof ImportApiError && err.status < 500) {
              notUploaded.push({ path: f.path, reason: `not uploaded: ${err.message}` });
            } else if (err instanceof TypeError && ++failedInARow < 8) {
              // One unreadable file (moved, permissions) fails its fetch alone; many in a row mean
              // the server is gone.
              notUploaded.push({ path: f.path, reason: 'not uploaded: the browser could not read or send it' });
            } else throw err;
          }
          progress.filesDone++;
          progress.bytesDone += f.file.size;
          publish();
        }
      };
      await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, files.length) }, worker));
      if (timer) clearTimeout(timer);
      patch(id, { upload: { ...progress }, notUploaded: [...notUploaded] });
      if (signal.aborted) {
        await importApi.discardUpload(uploadId).catch(() => undefined);
        patch(id, { stage: 'finished', outcome: 'cancelled', cancelling: false });
        return;
      }
      patch(id, { stage: 'starting' });
      const started = await importApi.startUpload(uploadId);
      patch(id, {
        stage: 'importing',
        importId: started.import_id,
        uploadRoot: started.upload_root,
        progress: started.progress,
      });
      follow(id, started.import_id);
      // Cancel pressed while the import was being started.
      if (task(id)?.cancelling) await importApi.cancel(started.import_id).catch(() => undefined);
    } catch (err) {
      if (timer) clearTimeout(timer);
      if (signal.aborted) {
        if (uploadId) await importApi.discardUpload(uploadId).catch(() => undefined);
        patch(id, { stage: 'finished', outcome: 'cancelled', cancelling: false });
        return;
      }
      if (uploadId && task(id)?.stage === 'uploading') await importApi.discardUpload(uploadId).catch(() => undefined);
      fail(id, messageOf(err));
    } finally {
      aborts.delete(id);
    }
  }

  return {
    dialogOpen: false,
    selections: [],
    reading: null,
    dialogError: null,
    starting: false,
    tasks: [],
    reportView: null,

    openDialog() {
      set({ dialogOpen: true, dialogError: null });
    },

    closeDialog() {
      set({ dialogOpen: false, selections: [], dialogError: null, reading: null, starting: false });
    },

    addSelections(selections) {
      if (!selections.length) return;
      set({ selections: [...get().selections, ...selections], dialogError: null });
    },

    removeSelection(key) {
      set({ selections: get().selections.filter((s) => s.key !== key), dialogError: null });
    },

    takeDrop(dt) {
      const reading = readDrop(dt, (n) => set({ reading: n }));
      set({ dialogOpen: true, dialogError: null, reading: 0 });
      reading.then(
        (selections) => {
          set({ reading: null });
          if (selections.length) get().addSelections(selections);
          else set({ dialogError: 'Nothing to import was dropped: drop an mlruns folder or an mlflow.db file.' });
        },
        (err: unknown) => set({ reading: null, dialogError: `Could not read the drop: ${messageOf(err)}` }),
      );
    },

    async start({ pathText, copyArtifacts }) {
      const typed = pathText.trim();
      const selections = get().selections;
      const inPlace = selections.filter((s) => s.path);
      const uploads = selections.filter((s) => !s.path && s.files);
      const paths = [...inPlace.map((s) => s.path!), ...(typed ? [typed] : [])];
      if (!paths.length && !uploads.length) {
        set({ dialogError: 'Choose a folder or an mlflow.db file, drop one here, or enter its path.' });
        return false;
      }
      if (typed && !isAbsolutePath(typed)) {
        set({ dialogError: `Enter the full path, starting with / (got '${typed}').` });
        return false;
      }
      set({ starting: true, dialogError: null });
      try {
        if (paths.length) {
          const found = await importApi.inspect(paths);
          if (found.problems.length) {
            set({ dialogError: found.problems.map(describeProblem).join('\n'), starting: false });
            return false;
          }
        }
        for (const s of uploads) {
          const problem = await uploadProblem(s);
          if (problem) {
            set({ dialogError: problem, starting: false });
            return false;
          }
        }
        if (paths.length) {
          const names = [
            ...inPlace.map((s) => s.name),
            ...(typed ? [typed.split(/[\\/]/).filter(Boolean).pop() ?? typed] : []),
          ];
          const started = await importApi.start(paths, copyArtifacts);
          const id = addTask(labelOf(names), 'path', { importId: started.import_id, progress: started.progress });
          follow(id, started.import_id);
        }
        if (uploads.length) {
          const id = addTask(labelOf(uploads.map((s) => s.name)), 'upload');
          void runUpload(id, uploads);
        }
      } catch (err) {
        set({ dialogError: messageOf(err), starting: false });
        return false;
      }
      get().closeDialog();
      return true;
    },

    cancel(taskId) {
      const t = task(taskId);
      if (!t || t.stage === 'finished') return;
      patch(taskId, { cancelling: true });
      const abort = aborts.get(taskId);
      if (abort && t.stage === 'uploading') {
        abort.abort();
        return;
      }
      if (t.importId) {
        importApi.cancel(t.importId).catch((err: unknown) => {
          // Already finished: its 'done' event settles the task.
          if (!(err instanceof ImportApiError && err.status === 404)) patch(taskId, { cancelling: false });
        });
      }
    },

    dismiss(taskId) {
      const t = task(taskId);
      if (t && t.stage !== 'finished') return;
      watchers.get(taskId)?.();
      watchers.delete(taskId);
      set({ tasks: get().tasks.filter((x) => x.id !== taskId) });
    },

    openReport(ref) {
      set({ reportView: ref });
    },

    closeReport() {
      set({ reportView: null });
    },

    async resumeRunning() {
      if (resumed) return;
      resumed = true;
      const list = await importApi.list().catch(() => []);
      for (const i of list) {
        if (i.status !== 'running' || get().tasks.some((t) => t.importId === i.import_id)) continue;
        const names = i.paths.map((p) => p.split(/[\\/]/).filter(Boolean).pop() ?? p);
        const id = addTask(labelOf(names), 'path', { importId: i.import_id, progress: i.progress ?? null });
        follow(id, i.import_id);
      }
    },
  };
});
