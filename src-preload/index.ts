import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { BRIDGE_GLOBAL, IPC_OPEN_EXTERNAL, type RunlensBridge } from '../src-main/contract/ui-api';
import { IMPORT_BRIDGE_GLOBAL, type ImportBridge } from '../src-main/contract/import-api';
import { tokenFromArgv } from './token';

/**
 * Sandboxed preload (bundled to one CommonJS file): exposes only the small `RunlensBridge` —
 * the launch token and a vetted "open in browser" — never ipcRenderer or Node itself.
 * All data goes over the same HTTP API as in serve mode.
 */
const bridge = {
  shell: 'electron',
  token: tokenFromArgv(process.argv),
  openExternal: (url: string): Promise<boolean> =>
    typeof url === 'string' ? ipcRenderer.invoke(IPC_OPEN_EXTERNAL, url).then(Boolean) : Promise.resolve(false),
} as const satisfies RunlensBridge;

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);

/**
 * Import: a dropped or picked file/folder's absolute path, so the main process reads it in place
 * (no upload). Only a real `File` is accepted; the path is what the user handed us, nothing more.
 */
const importBridge = {
  pathForFile: (file: unknown): string | null => {
    if (!(file instanceof File)) return null;
    try {
      return webUtils.getPathForFile(file) || null;
    } catch {
      return null;
    }
  },
} satisfies ImportBridge;

contextBridge.exposeInMainWorld(IMPORT_BRIDGE_GLOBAL, importBridge);
