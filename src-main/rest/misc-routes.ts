import type { RouteModule } from './server';

export const MLFLOW_COMPAT_VERSION = '3.5.1';

/**
 * Probes clients make (`/health`, `/version`) and the MLflow features we do not serve
 * (traces, gateway, prompts' webhooks, scorers, evaluation datasets...). Those answer
 * 404 ENDPOINT_NOT_FOUND in MLflow's JSON shape through the server's not-found handler, so
 * clients degrade cleanly instead of retrying.
 */
export const miscRoutes: RouteModule = {
  register(app) {
    app.get('/health', async (_req, reply) => reply.type('text/plain').send('OK'));
    app.get('/version', async (_req, reply) => reply.type('text/plain').send(MLFLOW_COMPAT_VERSION));
  },
};
