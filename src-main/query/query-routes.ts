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
  type ExportRequest,
  type KeyValuesRequest,
  type RunsQuery,
  type RunsWindowRequest,
  type ServerInfo,
} from '../contract/ui-api';
import { openQueries } from './query-client';
import { ChangeFeed } from './change-feed';
import { tokenMatches } from './launch-token';
import { UiWrites } from './ui-writes';
import { isRecord } from './validate';

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

/** The JSON object body of a POST (400 when not JSON or not an object). */
function body(req: FastifyRequest): Record<string, unknown> {
  requireJson(req);
  const parsed = parseJson(req.body);
  if (!isRecord(parsed)) throw invalidParam('Request body must be a JSON object');
  return parsed;
}

function sse(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

const EXPORT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/**
 * The UI API (see `src-main/contract/ui-api.ts`), all behind the launch token: reads go to the
 * query worker (its own thread and read-only connection), writes to the store's single writer,
 * and the live `ChangeFeed` streams as Server-Sent Events. Registered in its own encapsulated
 * context so its hooks touch nothing else.
 */
export function queryRoutes(options: QueryRoutesOptions): RouteModule {
  return {
    async register(app: FastifyInstance, ctx: AppContext) {
      await app.register(async (scope) => {
        const queries = openQueries(ctx.tracking.db.name);
        const writes = new UiWrites(ctx.tracking);
        const feed = new ChangeFeed(ctx.tracking, { intervalMs: options.eventIntervalMs });
        scope.addHook('onClose', async () => {
          feed.close();
          await queries.close();
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
        const post = (
          endpoint: { path: string },
          handler: (b: Record<string, unknown>, reply: FastifyReply) => Promise<unknown>,
        ): void => {
          scope.post(url(endpoint.path), async (req, reply) => handler(body(req), reply));
        };

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
          experiments: await queries.listExperiments(),
        }));

        post(UI_ENDPOINTS.experimentKeys, (b) =>
          queries.experimentKeys(b.experimentIds as string[], b.lifecycle as never),
        );
        post(UI_ENDPOINTS.keyValues, async (b) => ({
          values: await queries.keyValues(b as unknown as KeyValuesRequest),
        }));
        post(UI_ENDPOINTS.checkFilter, (b) => queries.checkFilter(b.filter as string));
        post(UI_ENDPOINTS.runsWindow, (b) => queries.runsWindow(b as unknown as RunsWindowRequest));
        post(UI_ENDPOINTS.runIds, async (b) => ({ runIds: await queries.runIds(b as unknown as RunsQuery) }));
        post(UI_ENDPOINTS.differingColumns, (b) =>
          queries.differingColumns(b.query as RunsQuery, b.columns as RunsWindowRequest['columns']),
        );
        post(UI_ENDPOINTS.runDetail, (b) => queries.runDetail(b.runId as string));
        post(UI_ENDPOINTS.exportRuns, async (b, reply) => {
          const request = b as unknown as ExportRequest;
          const text = await queries.exportRuns(request);
          const format = request.format;
          reply.type(EXPORT_TYPES[format]).header('Content-Disposition', `attachment; filename="runs.${format}"`);
          return text;
        });

        post(UI_ENDPOINTS.updateExperiment, async (b) => {
          writes.updateExperiment(b);
          return {};
        });
        post(UI_ENDPOINTS.setExperimentDeleted, async (b) => {
          writes.setExperimentDeleted(b);
          return {};
        });
        post(UI_ENDPOINTS.setRunsDeleted, async (b) => writes.setRunsDeleted(b));
        post(UI_ENDPOINTS.editRunTags, async (b) => writes.editRunTags(b));
        post(UI_ENDPOINTS.getUiState, async (b) => ({ value: writes.getUiState(b.key) }));
        post(UI_ENDPOINTS.putUiState, async (b) => {
          writes.putUiState(b.key, b.value);
          return {};
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
