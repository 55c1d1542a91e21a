import { realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import { invalidParam, notFound } from '../core/errors';
import { registerRawRoutes, type JsonRoute } from '../rest/route-table';
import type { RouteModule } from '../rest/server';
import { importBookkeeping } from '../store/import-bookkeeping';
import { restWriteEnded, restWriteStarted, startImport, type ImportJob } from './import-job';
import type { ImportProgress, ImportReport } from './import-types';
import { detectSources } from './detect-source';
import { uploadsFor } from './import-uploads';
import { NOT_IMPORTABLE_MESSAGE, type InspectResponse } from '../contract/import-api';

/**
 * Import API for the UI (our own namespace, not MLflow's), under /api/2.0 and /ajax-api/2.0:
 *   POST runlens/imports/start   {paths: [...], copy_artifacts?: bool} → {import_id, progress}
 *   GET  runlens/imports/get     ?import_id=  → {import_id, status, progress, report?}
 *   POST runlens/imports/cancel  {import_id}  → {}
 *   GET  runlens/imports/report  ?import_id=  → {report} (also for imports of earlier sessions)
 *   GET  runlens/imports/list                 → {imports: [{import_id, status, paths, ...}]}
 *   GET  runlens/imports/events  ?import_id=  → text/event-stream of `progress` then `done`
 *   POST runlens/imports/inspect {paths}     → {sources, problems} (what each path is; imports nothing)
 *   POST runlens/imports/uploads/create      → {upload_id}        (browser uploads, serve mode:
 *   PUT  runlens/imports/uploads/file ?upload_id=&path= raw body   files land in a temp folder
 *   POST runlens/imports/uploads/start {upload_id} → as start      in the data dir, imported with
 *   POST runlens/imports/uploads/discard {upload_id}               artifacts copied, then deleted)
 * The shapes are in contract/import-api.ts (the UI's view of these routes).
 * Imports run in a worker thread; this module also counts mutating REST requests in flight so
 * the worker yields the write lock to them between its transactions (see import-job.ts).
 */

const jobs = new Map<string, ImportJob>();

/** Jobs started through this process (the UI lists them with the stored reports). */
export const importJobs = (): ReadonlyMap<string, ImportJob> => jobs;

function jobStatus(job: ImportJob): string {
  return job.report ? job.report.status : 'running';
}

function getJob(id: string): ImportJob {
  const job = jobs.get(id);
  if (!job) throw notFound(`Import with id=${id} not found`);
  return job;
}

function launch(ctx: AppContext, paths: string[], copyArtifacts: boolean): ImportJob {
  const job = startImport({ paths, copyArtifacts, dbPath: ctx.tracking.db.name, dataDir: ctx.dataDir });
  jobs.set(job.id, job);
  // The worker writes through its own connection: tell the live feed (all windows) what changed.
  void job.done.then(
    (report) => ctx.tracking.notifyExternalChange([...new Set(report.experiments.map((e) => e.experimentId))]),
    () => undefined,
  );
  // Finished jobs stay queryable here for a while; their reports are also in the store.
  const finished = [...jobs.values()].filter((j) => j.report);
  for (const old of finished.slice(0, Math.max(0, finished.length - 50))) jobs.delete(old.id);
  return job;
}

function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** What each path holds (no import): sources found, or why there is nothing to import. */
function inspect(ctx: AppContext, inputs: readonly string[]): InspectResponse {
  const out: InspectResponse = { sources: [], problems: [] };
  const store = realOrSame(ctx.tracking.db.name);
  for (const input of inputs) {
    if (!isAbsolute(input)) {
      out.problems.push({ path: input, reason: 'not an absolute path' });
      continue;
    }
    const found = detectSources(input);
    if ('error' in found) {
      out.problems.push({ path: input, reason: found.error });
      continue;
    }
    const usable = found.filter((src) => src.key !== store);
    if (!usable.length) out.problems.push({ path: input, reason: 'this is the Runlens store itself' });
    for (const src of usable) out.sources.push({ input, path: src.path, kind: src.kind });
  }
  return out;
}

/** "'x' is not an mlruns folder or an mlflow.db file (reason)" for each problem, one per line. */
const describeProblems = (problems: InspectResponse['problems'], name: (p: string) => string = (p) => p): string =>
  problems.map((p) => `'${name(p.path)}' ${NOT_IMPORTABLE_MESSAGE} (${p.reason})`).join('\n');

function storedReport(ctx: AppContext, id: string): ImportReport | null {
  const row = importBookkeeping(ctx.tracking.db).report.get(id);
  return row ? (JSON.parse(row.report_json) as ImportReport) : null;
}

const routes: JsonRoute[] = [
  {
    method: 'POST',
    path: '/runlens/imports/start',
    handler: (p, ctx) => {
      const paths = p.stringArray('paths');
      if (!paths.length) throw invalidParam("Missing value for required parameter 'paths'.");
      for (const path of paths) {
        if (!isAbsolute(path)) throw invalidParam(`Import paths must be absolute, got '${path}'.`);
      }
      const job = launch(ctx, paths, p.optionalBool('copy_artifacts') ?? false);
      return { import_id: job.id, progress: job.progress };
    },
  },
  {
    method: 'GET',
    path: '/runlens/imports/get',
    handler: (p, ctx) => {
      const id = p.requiredString('import_id');
      const job = jobs.get(id);
      if (!job) {
        const report = storedReport(ctx, id);
        if (!report) throw notFound(`Import with id=${id} not found`);
        return { import_id: id, status: report.status, report };
      }
      const out: Record<string, unknown> = { import_id: id, status: jobStatus(job), progress: job.progress };
      if (job.report) out.report = job.report;
      return out;
    },
  },
  {
    method: 'POST',
    path: '/runlens/imports/cancel',
    handler: (p) => {
      getJob(p.requiredString('import_id')).cancel();
      return {};
    },
  },
  {
    method: 'GET',
    path: '/runlens/imports/report',
    handler: (p, ctx) => {
      const id = p.requiredString('import_id');
      const report = jobs.get(id)?.report ?? storedReport(ctx, id);
      if (!report) throw notFound(`Report of import id=${id} not found`);
      return { report };
    },
  },
  {
    method: 'GET',
    path: '/runlens/imports/list',
    handler: (_p, ctx) => {
      const stored = importBookkeeping(ctx.tracking.db).recentReports.all(100);
      const imports = stored.map((r) => {
        const job = jobs.get(r.report_id);
        return {
          import_id: r.report_id,
          status: job ? jobStatus(job) : r.status,
          paths: JSON.parse(r.paths_json) as string[],
          started_at: r.started_at,
          finished_at: r.finished_at,
          ...(job && !job.report ? { progress: job.progress } : {}),
        };
      });
      return { imports };
    },
  },
  {
    method: 'POST',
    path: '/runlens/imports/inspect',
    handler: (p, ctx) => {
      const paths = p.stringArray('paths');
      if (!paths.length) throw invalidParam("Missing value for required parameter 'paths'.");
      return inspect(ctx, paths);
    },
  },
  {
    method: 'POST',
    path: '/runlens/imports/uploads/create',
    handler: async (_p, ctx) => ({ upload_id: await uploadsFor(ctx).create() }),
  },
  {
    method: 'POST',
    path: '/runlens/imports/uploads/start',
    handler: async (p, ctx) => {
      const uploads = uploadsFor(ctx);
      const id = p.requiredString('upload_id');
      const { dir, items } = await uploads.seal(id);
      const found = items.length ? inspect(ctx, items) : { sources: [], problems: [] };
      if (!found.sources.length) {
        await uploads.discard(id, { force: true });
        if (!items.length) throw invalidParam('Nothing was uploaded.');
        throw invalidParam(describeProblems(found.problems, (path) => relative(dir, path)));
      }
      // The upload is a temporary copy: artifacts must be copied into the store before it goes.
      const job = launch(ctx, items, true);
      void job.done.finally(() => uploads.discard(id, { force: true }).catch(() => undefined));
      return { import_id: job.id, progress: job.progress, upload_root: dir };
    },
  },
  {
    method: 'POST',
    path: '/runlens/imports/uploads/discard',
    handler: async (p, ctx) => {
      await uploadsFor(ctx).discard(p.requiredString('upload_id'));
      return {};
    },
  },
];

/** One file of a browser upload: the raw body streams to disk (see import-uploads.ts). */
async function uploadFile(req: FastifyRequest, reply: FastifyReply, ctx: AppContext): Promise<FastifyReply> {
  const q = req.query as Record<string, unknown>;
  try {
    const size = await uploadsFor(ctx).writeFile(q.upload_id, q.path, req.raw);
    return reply.type('application/json').send({ size });
  } catch (e) {
    // Drain what the client still sends so it reads our error instead of a reset connection.
    if (!req.raw.readableEnded) req.raw.resume();
    throw e;
  }
}

/** Server-sent events: the UI's progress bar without polling. */
async function events(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const id = String((req.query as Record<string, unknown>).import_id ?? '');
  const job = jobs.get(id);
  if (!job) {
    await reply
      .code(404)
      .type('application/json')
      .send({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Import with id=${id} not found` });
    return;
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  let open = true;
  const send = (event: string, data: unknown): void => {
    if (open && !res.writableEnded && !res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('progress', job.progress);
  const off = job.onProgress((p: ImportProgress) => send('progress', p));
  // The response's 'close' means the client went away (or we ended it).
  res.on('close', () => {
    open = false;
    off();
  });
  res.on('error', () => {
    open = false;
    off();
  });
  void job.done.then((report) => {
    send('done', report);
    off();
    if (open) res.end();
  });
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IMPORT_ROUTE = /^\/(?:ajax-)?api\/2\.0\/runlens\/imports\//;
const counted = new WeakSet<FastifyRequest>();

export const importRoutes: RouteModule = {
  jsonRoutes: routes,
  async register(app, ctx: AppContext) {
    // REST writes wait (asynchronously) for a running import to pause at its next commit, and
    // the import stays paused until they are answered (see import-job.ts).
    app.addHook('onRequest', async (req) => {
      // The import routes themselves never write to the store from this thread (uploads go to files).
      if (MUTATING.has(req.method) && !IMPORT_ROUTE.test(req.url)) {
        counted.add(req);
        await restWriteStarted();
      }
    });
    const release = async (req: FastifyRequest): Promise<void> => {
      if (counted.delete(req)) restWriteEnded();
    };
    app.addHook('onResponse', release);
    app.addHook('onRequestAbort', release);
    registerRawRoutes(
      app,
      [{ method: 'GET', path: '/runlens/imports/events', handler: (req, reply) => events(req, reply) }],
      ctx,
    );
    // Own context without body parsers: upload bodies reach the handler as unread streams.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
      registerRawRoutes(scope, [{ method: 'PUT', path: '/runlens/imports/uploads/file', handler: uploadFile }], ctx);
    });
  },
};
