/**
 * The import UI's contract with the main process: the REST routes of `importers/import-routes.ts`
 * (our own namespace, served under MLflow's same-origin `/ajax-api/2.0` prefix) and the Electron
 * preload's small import bridge.
 *
 * Imported by the renderer (browser) and the main process (Node): types and constants only. The
 * progress and report shapes are the engine's own (plain, structured-clone-safe data), re-exported
 * here as types so the renderer sees exactly what the worker sends.
 */

export type {
  ExperimentMapping,
  ImportCounts,
  ImportIssue,
  ImportPhase,
  ImportProgress,
  ImportReport,
  ImportStatus,
  SourceKind,
} from '../importers/import-types';
import type { ImportProgress, ImportReport, ImportStatus, SourceKind } from '../importers/import-types';

/** Prefix the UI calls (same origin, no launch token needed: it is MLflow's REST namespace). */
export const IMPORT_API_PREFIX = '/ajax-api/2.0';

/** Routes relative to `IMPORT_API_PREFIX` (also served under `/api/2.0`). */
export const IMPORT_ENDPOINTS = {
  /** JSON `{paths, copy_artifacts?}` → `StartImportResponse`. Paths are absolute, read in place. */
  start: { method: 'POST', path: '/runlens/imports/start' },
  /** `?import_id=` → `GetImportResponse`. */
  get: { method: 'GET', path: '/runlens/imports/get' },
  /** JSON `{import_id}` → `{}`. */
  cancel: { method: 'POST', path: '/runlens/imports/cancel' },
  /** `?import_id=` → `{report}` (also for imports of earlier sessions). */
  report: { method: 'GET', path: '/runlens/imports/report' },
  /** → `{imports: ImportListItem[]}`, newest first. */
  list: { method: 'GET', path: '/runlens/imports/list' },
  /** `?import_id=` → text/event-stream: `progress` (ImportProgress) events, then one `done` (ImportReport). */
  events: { method: 'GET', path: '/runlens/imports/events' },
  /** JSON `{paths}` → `InspectResponse`: what each path is, without importing anything. */
  inspect: { method: 'POST', path: '/runlens/imports/inspect' },
  /** JSON `{}` → `{upload_id}`: a fresh temp folder inside the data dir for a browser upload. */
  uploadCreate: { method: 'POST', path: '/runlens/imports/uploads/create' },
  /**
   * Raw body (the file's bytes, `Content-Type: application/octet-stream`), query
   * `?upload_id=&path=<relative/path/of/the/file>` → `{size}`. Refuses paths that could escape.
   */
  uploadFile: { method: 'PUT', path: '/runlens/imports/uploads/file' },
  /**
   * JSON `{upload_id}` → `StartUploadResponse`: imports every top-level item of the upload.
   * Artifacts are always copied into Runlens, and the temp folder is deleted once the import ends.
   */
  uploadStart: { method: 'POST', path: '/runlens/imports/uploads/start' },
  /** JSON `{upload_id}` → `{}`: drops an upload that will not be imported. */
  uploadDiscard: { method: 'POST', path: '/runlens/imports/uploads/discard' },
} as const;

export interface StartImportResponse {
  import_id: string;
  progress: ImportProgress;
}

export interface StartUploadResponse extends StartImportResponse {
  /** The server's temp folder of the upload (the report's paths start with it). */
  upload_root: string;
}

export interface GetImportResponse {
  import_id: string;
  status: ImportStatus;
  progress?: ImportProgress;
  report?: ImportReport;
}

export interface ImportListItem {
  import_id: string;
  status: ImportStatus;
  paths: string[];
  started_at: number;
  finished_at: number | null;
  progress?: ImportProgress;
}

export interface InspectResponse {
  /** What will be imported: mlruns folders and mlflow.db files found at (or directly in) the paths. */
  sources: { input: string; path: string; kind: SourceKind }[];
  /** Paths where nothing importable was found, with the reason. */
  problems: { path: string; reason: string }[];
}

/** What the UI says when a path is neither (shared by the routes and the UI). */
export const NOT_IMPORTABLE_MESSAGE = 'is not an mlruns folder or an mlflow.db file';

/** Key on `window` under which the Electron preload exposes `ImportBridge` (absent in a browser). */
export const IMPORT_BRIDGE_GLOBAL = 'runlensImport';

/**
 * The Electron preload's import helper: the absolute path of a dropped or picked `File` (or
 * folder), so the import reads it in place instead of uploading it. `file` must be a DOM `File`
 * (typed loosely here: this file has no DOM types); anything else gives null.
 */
export interface ImportBridge {
  pathForFile(file: unknown): string | null;
}
