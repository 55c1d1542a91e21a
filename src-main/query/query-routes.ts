import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import { invalidParam } from '../core/errors';
import type { RouteModule } from '../rest/server';
import {
  UI_API_PREFIX,
  UI_ENDPOINTS,
  UI_TOKEN_HEADER,
  UI_TOKEN_QUERY,
  type ChangeEvent,
  type RunsWindowRequest,
  type ServerInfo,
} from '../contract/ui-api';
import { QueryService } from './query-service';
import { ChangeFeed } from './change-feed';
import { tokenMatches } from './launch-token';

export interface QueryRoutesOptions {
  /** The per-launch secret every UI API request must carry. */
  token: string;
  shell: ServerInfo['shell'];
  version: string;
  /** Coalescing interval of the live event stream (ms). */
  eventIntervalMs?: number;
  /** Keep-alive comment interval of the event stream (ms). */
  pingIntervalMs?: number;
}

function trackingUri(ctx: AppContext): string {
  const { host, port } = ctx.serverInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

function parseJson(body: unknown): unknown {
  if (typeof body !== 'string' || body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    throw invalidParam('Request body is not valid JSON');
  }
}

function requireJson(req: FastifyRequest): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw invalidParam('Content-Type must be application/json');
}

function sse(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * The UI query API (see `src-main/contract/ui-api.ts`): JSON endpoints over the read-only
 * `QueryService` and the live `ChangeFeed` as Server-Sent Events, all behind the launch token.
 * Registered in its own encapsulated context so its hooks touch nothing else.
 */
export function queryRoutes(options: QueryRoutesOptions): RouteModule {
  return {
    async register(app: FastifyInstance, ctx: AppContext) {
      await app.register(async (scope) => {
        const service = QueryService.open(ctx.tracking.db.name);
        const feed = new ChangeFeed(ctx.tracking, { intervalMs: options.eventIntervalMs });
        scope.addHook('onClose', async () => {
          feed.close();
          service.close();
        });

        scope.addHook('onRequest', async (req, reply) => {
          const query = req.query as Record<string, unknown> | undefined;
          const given = req.headers[UI_TOKEN_HEADER] ?? query?.[UI_TOKEN_QUERY];
          if (!tokenMatches(options.token, given)) {
            await reply
              .code(403)
              .type('application/json')
              .send({ error_code: 'PERMISSION_DENIED', message: 'Missing or invalid Runlens launch token' });
          }
        });
        scope.addHook('onSend', async (_req, reply, payload) => {
          reply.header('Cache-Control', 'no-store');
          return payload;
        });

        const url = (path: string): string => UI_API_PREFIX + path;

        scope.get(url(UI_ENDPOINTS.serverInfo.path), async () => {
          const info: ServerInfo = {
            version: options.version,
            trackingUri: trackingUri(ctx),
            dataDir: ctx.dataDir,
            shell: options.shell,
          };
          return info;
        });

        scope.get(url(UI_ENDPOINTS.listExperiments.path), async () => ({
          experiments: await service.listExperiments(),
        }));

        scope.post(url(UI_ENDPOINTS.experimentKeys.path), async (req) => {
          requireJson(req);
          const body = parseJson(req.body) as { experimentIds?: unknown; lifecycle?: unknown };
          if (typeof body !== 'object' || body === null) throw invalidParam('Request body must be a JSON object');
          return service.experimentKeys(body.experimentIds as string[], body.lifecycle as never);
        });

        scope.post(url(UI_ENDPOINTS.runsWindow.path), async (req) => {
          requireJson(req);
          return service.runsWindow(parseJson(req.body) as RunsWindowRequest);
        });

        scope.get(url(UI_ENDPOINTS.events.path), (req, reply) => {
          reply.hijack();
          reply.raw.writeHead(200, {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-store, no-transform',
            Connection: 'keep-alive',
            'X-Content-Type-Options': 'nosniff',
          });
          reply.raw.write('retry: 1000\n\n');
          sse(reply, 'hello', {});
          const unsubscribe = feed.subscribe((event: ChangeEvent) => sse(reply, 'change', event));
          const ping = setInterval(() => reply.raw.write(': ping\n\n'), options.pingIntervalMs ?? 15_000);
          ping.unref();
          const stop = (): void => {
            unsubscribe();
            clearInterval(ping);
          };
          req.raw.on('close', stop);
          reply.raw.on('error', stop);
        });
      });
    },
  };
}
