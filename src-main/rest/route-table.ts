import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import type { RequestParams } from './request';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/**
 * One JSON endpoint of MLflow's REST API. `path` is relative to the API prefix (`/api/2.0` or
 * `/ajax-api/2.0`) exactly as in MLflow's protos, e.g. `/mlflow/runs/log-batch`. Path parameters
 * use Fastify syntax (`/mlflow/logged-models/:model_id`) and are merged into the params.
 * The handler returns the response object (serialized as JSON, `{}` for empty responses).
 */
export interface JsonRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: (params: RequestParams, ctx: AppContext, req: FastifyRequest) => unknown;
}

/**
 * A route that needs the raw request/response (streaming artifact bodies). Registered inside an
 * encapsulated Fastify context with no body parsers, so request bodies stay unread streams.
 */
export interface RawRoute {
  readonly method: HttpMethod | 'HEAD';
  readonly path: string;
  readonly handler: (req: FastifyRequest, reply: FastifyReply, ctx: AppContext) => Promise<unknown> | unknown;
}

export const API_PREFIXES = ['/api/2.0', '/ajax-api/2.0'] as const;

/** Helper for route modules: registers raw routes under both API prefixes. */
export function registerRawRoutes(app: FastifyInstance, routes: readonly RawRoute[], ctx: AppContext): void {
  for (const prefix of API_PREFIXES) {
    for (const r of routes) {
      app.route({ method: r.method, url: prefix + r.path, handler: (req, reply) => r.handler(req, reply, ctx) });
    }
  }
}
