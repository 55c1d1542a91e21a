import { startApp, type RunningApp } from '../core/app';
import { queryRoutes } from '../query/query-routes';
import { createLaunchToken } from '../query/launch-token';
import type { ServerInfo } from '../contract/ui-api';
import { rendererRoutes } from './renderer-routes';
import { RUNLENS_VERSION } from './version';

export interface UiServerOptions {
  dataDir: string;
  host: string;
  port: number;
  shell: ServerInfo['shell'];
  /** The built renderer folder (out/renderer). */
  rendererDir: string;
  /** Defaults to a fresh random token. */
  token?: string;
}

export interface UiServer {
  readonly running: RunningApp;
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/**
 * What both shells run: the core app (store + MLflow REST API) plus the UI query API and the
 * built renderer, on one local port, behind a fresh per-launch token.
 */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = opts.token ?? createLaunchToken();
  const running = await startApp({
    dataDir: opts.dataDir,
    host: opts.host,
    port: opts.port,
    extraModules: [
      queryRoutes({ token, shell: opts.shell, version: RUNLENS_VERSION }),
      rendererRoutes({ rendererDir: opts.rendererDir, token }),
    ],
  });
  return { running, url: running.url, token, close: () => running.close() };
}

/** A human sentence for a listen failure (taken port, bad address), or null for other errors. */
export function describeListenError(err: unknown, host: string, port: number): string | null {
  const code = (err as { code?: string } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return (
        `Port ${port} on ${host} is already in use (another Runlens or an \`mlflow server\`?). ` +
        'Stop it, or choose another port with --port N or RUNLENS_PORT.'
      );
    case 'EACCES':
      return `Not allowed to listen on ${host}:${port}. Choose a port above 1023 with --port N.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `Cannot listen on ${host}: that address is not available on this machine. Use --host 127.0.0.1.`;
    default:
      return null;
  }
}
