import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import { MlflowError } from '../core/errors';
import { API_PREFIXES, type JsonRoute } from './route-table';
import { RequestParams } from './request';
import { toProtoJson } from './json';
import { pythonJsonDumps } from '../core/python-json';
import { securityHook, type SecurityOptions } from './security';

export interface ServerOptions {
  host: string;
  port: number;
  allowedHosts?: readonly string[];
  logger?: boolean;
}

/** A module that adds routes: JSON routes go to the shared table, others register themselves. */
export interface RouteModule {
  readonly jsonRoutes?: readonly JsonRoute[];
  /** Registers raw/streaming routes or static files on the app (inside its own context). */
  readonly register?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
}

/** MLflow's error body: Python's `json.dumps({"error_code": ..., "message": ...})`, with nosniff. */
function sendError(reply: FastifyReply, err: MlflowError): FastifyReply {
  return reply
    .code(err.httpStatus)
    .header('Content-Type', 'application/json')
    .header('X-Content-Type-Options', 'nosniff')
    .send(pythonJsonDumps(err.toJSON()));
}

/** MLflow's `_validate_content_type`: POST/PUT bodies of JSON endpoints must say application/json. */
function checkContentType(req: FastifyRequest): void {
  if (req.method !== 'POST' && req.method !== 'PUT') return;
  const header = req.headers['content-type'];
  if (header === undefined) {
    throw new MlflowError('Bad Request. Content-Type header is missing.', 'INVALID_PARAMETER_VALUE');
  }
  if (header.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new MlflowError("Bad Request. Content-Type must be one of ['application/json'].", 'INVALID_PARAMETER_VALUE');
  }
}

/**
 * Flask's `get_json(force=True, silent=True)`: malformed JSON reads as no body; a JSON string
 * holding JSON (older clients double-encode) is decoded once more.
 */
function parseJsonBody(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    let value: unknown = JSON.parse(text);
    if (typeof value === 'string') value = JSON.parse(value);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function buildServer(
  ctx: AppContext,
  modules: readonly RouteModule[],
  opts: ServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 256 * 1024 * 1024,
    // MLflow ids and artifact paths can be long; keep Fastify's router from rejecting them.
    routerOptions: { maxParamLength: 8192, ignoreDuplicateSlashes: false },
    forceCloseConnections: true,
    // Fastify's own request errors (bad percent-encoding in the URL...) in MLflow's JSON shape.
    frameworkErrors: (error, _req, reply) => {
      sendError(reply, new MlflowError(error.message, 'INVALID_PARAMETER_VALUE'));
    },
  });
  // As MLflow's server does on every response.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    if (!reply.hasHeader('X-Frame-Options')) reply.header('X-Frame-Options', 'SAMEORIGIN');
    return payload;
  });

  const security: SecurityOptions = {
    host: opts.host,
    port: () => {
      const addr = app.server.address();
      return typeof addr === 'object' && addr ? addr.port : opts.port;
    },
    allowedHosts: opts.allowedHosts,
  };
  app.addHook('onRequest', securityHook(security));

  // JSON endpoints read bodies as text so malformed JSON behaves as in MLflow (treated as empty).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: unknown, _req, reply) => {
    if (error instanceof MlflowError) return sendError(reply, error);
    const e = error as { statusCode?: number; message?: string; code?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code = e.statusCode === 413 ? 'RESOURCE_LIMIT_EXCEEDED' : 'BAD_REQUEST';
      return reply
        .code(e.statusCode)
        .type('application/json')
        .send(toProtoJson({ error_code: code, message: e.message ?? 'Bad request' }));
    }
    reply.log.error(error);
    return sendError(reply, new MlflowError(String(e.message ?? error), 'INTERNAL_ERROR'));
  });

  for (const m of modules) {
    for (const route of m.jsonRoutes ?? []) {
      for (const prefix of API_PREFIXES) {
        app.route({
          method: route.method,
          url: prefix + route.path,
          handler: async (req, reply) => {
            const isQuery = req.method === 'GET';
            let raw: Record<string, unknown>;
            if (isQuery) raw = { ...(req.query as Record<string, unknown>) };
            else {
              checkContentType(req);
              raw = parseJsonBody(typeof req.body === 'string' ? req.body : '');
            }
            Object.assign(raw, req.params as Record<string, unknown>);
            const result = await route.handler(new RequestParams(raw, isQuery), ctx, req);
            return reply.type('application/json').send(toProtoJson(result ?? {}));
          },
        });
      }
    }
  }
  for (const m of modules) if (m.register) await m.register(app, ctx);

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const api =
      API_PREFIXES.some((p) => path.startsWith(p + '/')) || path.startsWith('/api/') || path.startsWith('/ajax-api/');
    if (api) {
      return sendError(reply, new MlflowError(`No API endpoint found for ${req.method} ${path}`, 'ENDPOINT_NOT_FOUND'));
    }
    return reply.code(404).type('text/plain').send('Not Found');
  });

  return app;
}
