import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import { MlflowError } from '../core/errors';
import { API_PREFIXES, type JsonRoute } from './route-table';
import { RequestParams } from './request';
import { sendJson, toProtoJson } from './json';
import { parsePyJson, pyFloatRepr, pythonJsonDumps } from '../core/python-json';
import { securityHook, type SecurityOptions } from './security';
import { graphqlHandler } from './graphql/route';

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
  return sendJson(
    reply.code(err.httpStatus).header('X-Content-Type-Options', 'nosniff'),
    pythonJsonDumps(err.toJSON()),
  );
}

const badContentType = (): MlflowError =>
  new MlflowError("Bad Request. Content-Type must be one of ['application/json'].", 'INVALID_PARAMETER_VALUE');

/** MLflow's `_validate_content_type`: POST/PUT bodies of JSON endpoints must say application/json. */
function checkContentType(req: FastifyRequest): void {
  if (req.method !== 'POST' && req.method !== 'PUT') return;
  const header = req.headers['content-type'];
  if (header === undefined) {
    throw new MlflowError('Bad Request. Content-Type header is missing.', 'INVALID_PARAMETER_VALUE');
  }
  // Compared as MLflow does: the part before any ';', case and spaces included.
  if (header.split(';')[0] !== 'application/json') throw badContentType();
}

/** An unpaired UTF-16 surrogate (`"\ud800"` in JSON) that protobuf refuses, leaving the field unset. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const dropLoneSurrogates = (_key: string, v: unknown): unknown =>
  typeof v === 'string' && LONE_SURROGATE.test(v) ? '' : v;

/** Request bodies must be UTF-8 (a BOM is dropped); other bytes read as no body, as in Flask. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * MLflow's `_stringify_all_experiment_ids` (run on every JSON body before protobuf parsing): numeric
 * `experiment_id` / `experiment_ids` values, as clients up to MLflow 0.9 sent, become strings.
 * Run data (params, tags, metrics) is not walked.
 */
function stringifyExperimentIds(x: unknown, depth = 0): void {
  if (!x || typeof x !== 'object' || depth > 64) return;
  if (Array.isArray(x)) {
    for (const item of x) stringifyExperimentIds(item, depth + 1);
    return;
  }
  const obj = x as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'experiment_id') {
      if (typeof v === 'number') obj[k] = idString(v);
    } else if (k === 'experiment_ids') {
      if (Array.isArray(v)) obj[k] = v.map((w) => (typeof w === 'number' ? idString(w) : w));
    } else if (k !== 'params' && k !== 'tags' && k !== 'metrics') {
      stringifyExperimentIds(v, depth + 1);
    }
  }
}

const idString = (n: number): string => (Number.isInteger(n) ? String(n) : pyFloatRepr(n));

/**
 * Flask's `get_json(force=True, silent=True)`: a body that is not UTF-8 or not JSON reads as no body;
 * Python's json also takes NaN / Infinity literals; a JSON string holding JSON (older clients
 * double-encode) is decoded once more. Returns the fields and the JSON text they came from.
 */
function parseJsonBody(body: unknown): { fields: Record<string, unknown>; text?: string } {
  if (typeof body !== 'string' || !body.trim()) return { fields: {} };
  let text = body;
  const parse = (t: string): unknown => {
    try {
      // Only \uD8xx-\uDFxx escapes can make a lone surrogate; skip the slower reviver otherwise.
      return /\\u[dD][89a-fA-F]/.test(t) ? JSON.parse(t, dropLoneSurrogates) : JSON.parse(t);
    } catch {
      return parsePyJson(t);
    }
  };
  try {
    let value = parse(text);
    if (typeof value === 'string') {
      text = value;
      value = parse(value);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { fields: {} };
    stringifyExperimentIds(value);
    return { fields: value as Record<string, unknown>, text };
  } catch {
    return { fields: {} };
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
    // `//model-versions/get-artifact`: MLflow's server reads leading repeated slashes as one.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^\/{2,}/, '/'),
    // Fastify's own request errors (bad percent-encoding in the URL...) in MLflow's JSON shape.
    frameworkErrors: (error, _req, reply) => {
      sendError(reply, new MlflowError(error.message, 'INVALID_PARAMETER_VALUE'));
    },
    // Requests Node's HTTP parser rejects before routing (URL or headers over 16 KB, bad framing).
    clientErrorHandler: (error, socket) => {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const tooLarge = (error as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW';
      const status = tooLarge ? 431 : 400;
      const message = tooLarge ? 'Request line or headers are too large' : 'Malformed HTTP request';
      const body = pythonJsonDumps({ error_code: 'BAD_REQUEST', message });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(error);
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
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    let text = '';
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      // Not UTF-8: Flask's get_json fails silently and MLflow reads an empty request.
    }
    done(null, text);
  });

  app.setErrorHandler((error: unknown, _req, reply) => {
    if (error instanceof MlflowError) return sendError(reply, error);
    const e = error as { statusCode?: number; message?: string; code?: string };
    // Fastify refuses an empty or unparsable Content-Type before the route: answer as MLflow's check does.
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, badContentType());
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code = e.statusCode === 413 ? 'RESOURCE_LIMIT_EXCEEDED' : 'BAD_REQUEST';
      return sendJson(reply.code(e.statusCode), toProtoJson({ error_code: code, message: e.message ?? 'Bad request' }));
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
            let text: string | undefined;
            if (isQuery) raw = { ...(req.query as Record<string, unknown>) };
            else {
              checkContentType(req);
              ({ fields: raw, text } = parseJsonBody(req.body));
            }
            Object.assign(raw, req.params as Record<string, unknown>);
            const result = await route.handler(new RequestParams(raw, isQuery, text), ctx, req);
            return sendJson(reply, toProtoJson(result ?? {}));
          },
        });
      }
    }
  }
  for (const m of modules) if (m.register) await m.register(app, ctx);

  // MLflow's /graphql (POST; GET reads the query string), over the JSON routes registered above.
  const graphql = graphqlHandler(
    ctx,
    modules.flatMap((m) => m.jsonRoutes ?? []),
  );
  app.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    handler: async (req, reply) => {
      let body: Record<string, unknown>;
      if (req.method === 'POST') {
        checkContentType(req);
        body = parseJsonBody(req.body).fields;
      } else {
        const q = req.query as Record<string, unknown>;
        let variables: unknown = null;
        try {
          variables = typeof q.variables === 'string' ? JSON.parse(q.variables) : null;
        } catch {
          variables = null;
        }
        body = { query: q.query, operationName: q.operationName, variables };
      }
      return sendJson(reply, await graphql(body, req));
    },
  });

  // A known JSON endpoint called with another method: 405 with an Allow header, as Flask answers.
  const routePatterns = modules
    .flatMap((m) => m.jsonRoutes ?? [])
    .map((r) => ({ method: r.method, re: new RegExp(`^${r.path.replace(/:\w+/g, '[^/]+')}$`) }));
  const allowedMethods = (path: string): string[] => {
    const prefix = API_PREFIXES.find((p) => path.startsWith(p + '/'));
    if (!prefix) return [];
    const rest = path.slice(prefix.length);
    return [...new Set(routePatterns.filter((r) => r.re.test(rest)).map((r) => r.method))];
  };

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    const api =
      API_PREFIXES.some((p) => path.startsWith(p + '/')) || path.startsWith('/api/') || path.startsWith('/ajax-api/');
    const allowed = api ? allowedMethods(path) : [];
    if (allowed.length) {
      reply.header('Allow', [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', '));
      return sendError(reply, new MlflowError('The method is not allowed for the requested URL.', 'BAD_REQUEST', 405));
    }
    if (api) {
      return sendError(reply, new MlflowError(`No API endpoint found for ${req.method} ${path}`, 'ENDPOINT_NOT_FOUND'));
    }
    return reply.code(404).type('text/plain').send('Not Found');
  });

  return app;
}
