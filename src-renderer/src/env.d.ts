/// <reference types="vite/client" />
import type { RunlensBridge } from '@contract/ui-api';

declare global {
  interface Window {
    /** Present only in the Electron shell (exposed by the sandboxed preload). */
    runlens?: RunlensBridge;
  }
}
