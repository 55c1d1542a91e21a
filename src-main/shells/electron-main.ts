import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  nativeTheme,
  session,
  shell,
  type BrowserWindowConstructorOptions,
  type WebContents,
  type WebPreferences,
} from 'electron';
import { IPC_OPEN_EXTERNAL } from '../contract/ui-api';
import { DEFAULT_HOST, DEFAULT_PORT } from './cli-args';
import { resolveDataDir } from './data-dir';
import {
  isAppUrl,
  isExternalUrlAllowed,
  mainWindowOptions,
  navigationDecision,
  type MainWindowOptions,
} from './security';
import { setImportWorkerFile } from '../importers/import-job';
import { setQueryWorkerFile } from '../query/query-client';
import { describeListenError, startUiServer, type UiServer } from './ui-server';

/**
 * The Electron shell: one instance, the core (store + REST + UI API) in this main process, and a
 * hardened window that loads the UI from the same local server the MLflow clients talk to.
 * Built to out/main/index.js (package.json "main").
 */

// Compile-time guard: every option security.ts names must exist in Electron's types (a typo would
// otherwise be silently ignored by Electron, e.g. a misspelled `contextIsolation`).
type Unknown<T, U> = Exclude<keyof T, keyof U>;
const _optionNamesAreReal: [
  Unknown<MainWindowOptions, BrowserWindowConstructorOptions>,
  Unknown<MainWindowOptions['webPreferences'], WebPreferences>,
] extends [never, never]
  ? true
  : never = true;
const _optionsAreAssignable = (o: MainWindowOptions): BrowserWindowConstructorOptions => o;

const RENDERER_DIR = join(__dirname, '..', 'renderer');
const PRELOAD_PATH = join(__dirname, '..', 'preload', 'index.js');

// Shared code lands in out/main/chunks/; the import worker entry sits beside this entry file.
setImportWorkerFile(join(__dirname, 'import-worker.js'));
setQueryWorkerFile(join(__dirname, 'query-worker.js'));

let server: UiServer | null = null;
let mainWindow: BrowserWindow | null = null;

function portFromEnv(): number {
  const text = process.env.RUNLENS_PORT;
  return text && /^\d{1,5}$/.test(text) && Number(text) <= 65535 ? Number(text) : DEFAULT_PORT;
}

/** Navigation, redirects and new windows stay on the app origin; allow-listed docs go to the browser. */
function harden(contents: WebContents, appOrigin: string): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  const guard = (event: { preventDefault(): void }, url: string): void => {
    const decision = navigationDecision(url, appOrigin);
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'open-external') void shell.openExternal(url);
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-frame-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    if (navigationDecision(url, appOrigin) === 'open-external') void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function denyPermissions(appOrigin: string): void {
  // Only clipboard writes (the "copy" buttons) from our own pages; everything else is refused.
  const allowed = (permission: string, origin: string): boolean =>
    permission === 'clipboard-sanitized-write' && isAppUrl(origin, appOrigin);
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) =>
    callback(allowed(permission, contents.getURL())),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    allowed(permission, requestingOrigin),
  );
}

function createWindow(ui: UiServer): BrowserWindow {
  const win = new BrowserWindow(
    mainWindowOptions({ preloadPath: PRELOAD_PATH, token: ui.token, dark: nativeTheme.shouldUseDarkColors }),
  );
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(ui.url + '/');
  return win;
}

async function start(): Promise<void> {
  const host = DEFAULT_HOST;
  const port = portFromEnv();
  try {
    server = await startUiServer({
      dataDir: resolveDataDir(undefined),
      host,
      port,
      shell: 'electron',
      rendererDir: RENDERER_DIR,
    });
  } catch (err) {
    const message = describeListenError(err, host, port) ?? String((err as Error)?.message ?? err);
    dialog.showErrorBox('Runlens cannot start', message);
    app.exit(1);
    return;
  }
  const ui = server;
  const appOrigin = new URL(ui.url).origin;
  app.on('web-contents-created', (_event, contents) => harden(contents, appOrigin));
  denyPermissions(appOrigin);
  ipcMain.handle(IPC_OPEN_EXTERNAL, async (event, url: unknown) => {
    if (!isAppUrl(event.senderFrame?.url ?? '', appOrigin)) return false;
    if (typeof url !== 'string' || !isExternalUrlAllowed(url)) return false;
    await shell.openExternal(url);
    return true;
  });
  mainWindow = createWindow(ui);
  app.on('activate', () => {
    if (!mainWindow && server) mainWindow = createWindow(server);
  });
}

app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Close the server (and the database) before quitting, so the last writes are checkpointed.
  app.on('before-quit', (event) => {
    if (!server) return;
    event.preventDefault();
    const closing = server;
    server = null;
    closing.close().finally(() => app.quit());
  });
  app.whenReady().then(start, (err: unknown) => {
    dialog.showErrorBox('Runlens cannot start', String(err));
    app.exit(1);
  });
}
