import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Db } from '../store/db';
import { TrackingStore } from '../store/tracking-store';
import { LoggedModelStore } from '../store/logged-model-store';
import { ArtifactRepository } from '../artifacts/artifact-repository';
import { buildServer, type RouteModule } from '../rest/server';
import { trackingRoutes } from '../rest/tracking-routes';
import { loggedModelRoutes } from '../rest/logged-model-routes';
import { miscRoutes } from '../rest/misc-routes';
import { artifactRoutes } from '../artifacts/artifact-routes';
import { RegistryStore } from '../store/registry-store';
import { registryRoutes } from '../registry/registry-routes';
import { importRoutes } from '../importers/import-routes';
import type { AppContext } from './app-context';

export interface AppOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  allowedHosts?: readonly string[];
  /** Extra route modules from the shell (UI query API, static renderer files). */
  extraModules?: readonly RouteModule[];
  logger?: boolean;
}

export interface RunningApp {
  readonly app: FastifyInstance;
  readonly ctx: AppContext;
  readonly db: Db;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The one core both shells start: opens the store in `dataDir`, builds the REST server with every
 * route module, and listens. Nothing here imports `electron`.
 */
export async function startApp(opts: AppOptions): Promise<RunningApp> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 5000;
  mkdirSync(opts.dataDir, { recursive: true });
  const artifactsDir = join(opts.dataDir, 'artifacts');
  mkdirSync(artifactsDir, { recursive: true });
  const db = openDatabase(join(opts.dataDir, 'runlens.db'));
  const tracking = new TrackingStore(db);
  const serverInfo = { host, port };
  const ctx: AppContext = {
    tracking,
    loggedModels: new LoggedModelStore(db, tracking),
    artifacts: new ArtifactRepository(artifactsDir),
    registry: new RegistryStore(db),
    dataDir: opts.dataDir,
    serverInfo,
  };
  const modules: RouteModule[] = [
    trackingRoutes,
    loggedModelRoutes,
    artifactRoutes,
    registryRoutes,
    importRoutes,
    ...(opts.extraModules ?? []),
    miscRoutes,
  ];
  const app = await buildServer(ctx, modules, { host, port, allowedHosts: opts.allowedHosts, logger: opts.logger });
  try {
    await app.listen({ host, port });
  } catch (err) {
    db.close();
    throw err;
  }
  const addr = app.server.address();
  serverInfo.port = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    app,
    ctx,
    db,
    url: `http://${shownHost}:${serverInfo.port}`,
    async close() {
      await app.close();
      db.close();
    },
  };
}
