import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, IPC_OPEN_EXTERNAL, type RunlensBridge } from '../src-main/contract/ui-api';
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
