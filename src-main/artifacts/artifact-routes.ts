import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import { MlflowError, invalidParam, notFound } from '../core/errors';
import type { RouteModule } from '../rest/server';
import { registerRawRoutes, type JsonRoute, type RawRoute } from '../rest/route-table';
import { RequestParams, missingValue } from '../rest/request';
import { toProtoJson } from '../rest/json';
import { posixJoin, validatePathIsSafe } from './artifact-path';
import { sendArtifact } from './artifact-download';
import type { ArtifactEntry, LocalArtifactDir } from './local-artifact-dir';

/**
 * The artifact half of `mlflow server --artifacts-destination`:
 * - the proxied-artifact service (`/mlflow-artifacts/artifacts/<path>` GET/PUT/DELETE, listing,
 *   multipart create/complete/abort) that `mlflow-artifacts:/` URIs resolve to in the Python client;
 * - run and logged-model artifact listings (`/mlflow/artifacts/list`,
 *   `/mlflow/logged-models/{id}/artifacts/directories`) and the UI's download/upload routes
 *   (`/get-artifact`, `/ajax-api/2.0/mlflow/logged-models/{id}/artifacts/files`,
 *   `/ajax-api/2.0/mlflow/upload-artifact`).
 * Bodies are never parsed here: uploads stream to disk byte-exact whatever their Content-Type.
 */

const SEE_DOCS = ' See the API docs for more information about request parameters.';
const MULTIPART_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';
const UI_UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
const MAX_JSON_BODY = 1024 * 1024;

interface FileInfoJson {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** FileInfo.to_proto: `file_size` is left out for directories and for empty files. */
function fileInfo(path: string, e: ArtifactEntry): FileInfoJson {
  const info: FileInfoJson = { path, is_dir: e.isDir };
  if (!e.isDir && e.size) info.file_size = e.size;
  return info;
}

/** `request.args.get(name)`: the first value of a query parameter. */
function queryArg(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The `<path:artifact_path>` part of the URL, still percent-encoded (validation decodes it). */
function wildcardPath(req: FastifyRequest): string {
  const route = req.routeOptions.url ?? '';
  const prefix = route.endsWith('*') ? route.slice(0, -1) : route;
  const rawPath = (req.raw.url ?? '').split('?', 1)[0] ?? '';
  if (prefix && rawPath.startsWith(prefix)) return rawPath.slice(prefix.length);
  return (req.params as Record<string, string | undefined>)['*'] ?? '';
}

function sendJson(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type('application/json').send(toProtoJson(body));
}

/**
 * An unread request body is drained so the client gets our error instead of a reset connection.
 * A body whose stream was torn down part-way (an upload over its size limit, a disk error) can no
 * longer be drained: the connection is closed after the answer, or it would hang the next request
 * the client's keep-alive session sends on it.
 */
function drain(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.complete) return;
  if (req.raw.destroyed) reply.raw.shouldKeepAlive = false;
  else req.raw.resume();
}

function withDrain(handler: RawRoute['handler']): RawRoute['handler'] {
  return async (req, reply, ctx) => {
    try {
      return await handler(req, reply, ctx);
    } catch (e) {
      drain(req, reply);
      throw e;
    }
  };
}

/** Reads a small JSON body the way MLflow's `_get_request_message` does for POST endpoints. */
async function readJsonBody(req: FastifyRequest): Promise<RequestParams> {
  const header = req.headers['content-type'];
  if (header === undefined) {
    throw new MlflowError('Bad Request. Content-Type header is missing.', 'INVALID_PARAMETER_VALUE');
  }
  if (header.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new MlflowError("Bad Request. Content-Type must be one of ['application/json'].", 'INVALID_PARAMETER_VALUE');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even past the limit (leaving the loop early would tear the stream down).
  for await (const chunk of req.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_JSON_BODY) chunks.push(chunk);
  }
  if (size > MAX_JSON_BODY) throw new MlflowError('Request body too large', 'INVALID_PARAMETER_VALUE');
  let value: unknown = {};
  try {
    // Bytes that are not UTF-8 fail Flask's get_json, which MLflow reads as an empty request.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    if (text.trim()) value = JSON.parse(text);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch {
    value = {};
  }
  const raw = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return new RequestParams(raw, false);
}

/** The local folder of a run's or model's artifact URI; remote stores are not reachable from here. */
function dirOrThrow(ctx: AppContext, uri: string): LocalArtifactDir {
  const dir = ctx.artifacts.dirForUri(uri);
  if (!dir) throw notFound(`Artifacts at '${uri}' are in a remote store that Runlens does not access`);
  return dir;
}

/**
 * Lists a run's (or logged model's) artifacts under `path` with run-relative paths, as
 * `list_artifacts_impl` does; a remote artifact store lists as empty.
 */
async function listUnderUri(ctx: AppContext, uri: string, path: string | null): Promise<FileInfoJson[]> {
  const dir = ctx.artifacts.dirForUri(uri);
  if (!dir) return [];
  const entries = await dir.list(path ?? '');
  return entries.map((e) => fileInfo(path ? posixJoin(path, e.name) : e.name, e));
}

function listingResponse(rootUri: string, files: FileInfoJson[]): Record<string, unknown> {
  return files.length ? { root_uri: rootUri, files } : { root_uri: rootUri };
}

// ------------------------------------------------------------------ /mlflow-artifacts service

const proxiedRoutes: RawRoute[] = [
  {
    method: 'GET',
    path: '/mlflow-artifacts/artifacts/*',
    handler: async (req, reply, ctx) => {
      const path = validatePathIsSafe(wildcardPath(req));
      return sendArtifact(req, reply, ctx.artifacts, path);
    },
  },
  {
    method: 'PUT',
    path: '/mlflow-artifacts/artifacts/*',
    handler: withDrain(async (req, reply, ctx) => {
      const path = validatePathIsSafe(wildcardPath(req));
      await ctx.artifacts.write(path, req.raw);
      return sendJson(reply, {});
    }),
  },
  {
    method: 'DELETE',
    path: '/mlflow-artifacts/artifacts/*',
    handler: withDrain(async (req, reply, ctx) => {
      const path = validatePathIsSafe(wildcardPath(req));
      drain(req, reply);
      await ctx.artifacts.delete(path);
      return sendJson(reply, {});
    }),
  },
  {
    method: 'GET',
    path: '/mlflow-artifacts/artifacts',
    handler: async (req, reply, ctx) => {
      const raw = queryArg(req, 'path');
      const path = raw === undefined ? '' : validatePathIsSafe(raw);
      const entries = await ctx.artifacts.list(path);
      // The service lists base names; the client joins them onto the path it asked for.
      const files = entries.map((e) => fileInfo(e.name, e));
      return sendJson(reply, files.length ? { files } : {});
    },
  },
  ...(['create', 'complete', 'abort'] as const).map((op): RawRoute => ({
    method: 'POST',
    path: `/mlflow-artifacts/mpu/${op}/*`,
    handler: withDrain(async (req) => {
      validatePathIsSafe(wildcardPath(req));
      const params = await readJsonBody(req);
      params.requiredString('path');
      if (op === 'create') params.optionalInt('num_parts');
      else params.optionalString('upload_id');
      if (op === 'complete' && !params.has('parts')) throw invalidParam(missingValue('parts') + SEE_DOCS);
      // Like MLflow's local artifact repository: the client sees this message and falls back
      // to a single streamed PUT (501 is not in its retry list).
      throw new MlflowError(MULTIPART_UNSUPPORTED, 'NOT_IMPLEMENTED');
    }),
  })),
];

// ------------------------------------------------------------------ UI routes (outside /api/2.0)

async function getArtifact(req: FastifyRequest, reply: FastifyReply, ctx: AppContext): Promise<FastifyReply> {
  const runId = queryArg(req, 'run_id') || queryArg(req, 'run_uuid');
  const rawPath = queryArg(req, 'path');
  if (rawPath === undefined) throw invalidParam(missingValue('path'));
  const path = validatePathIsSafe(rawPath);
  const run = ctx.tracking.getRun(runId ?? 'None');
  return sendArtifact(req, reply, dirOrThrow(ctx, run.info.artifact_uri), path, { fileHeaders: true });
}

async function getLoggedModelArtifact(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
): Promise<FastifyReply> {
  const rawPath = queryArg(req, 'artifact_file_path');
  if (!rawPath) {
    throw new MlflowError('Request must include the "artifact_file_path" query parameter.', 'BAD_REQUEST');
  }
  const path = validatePathIsSafe(rawPath);
  const { model_id: modelId } = req.params as { model_id: string };
  const model = ctx.loggedModels.getLoggedModel(modelId);
  return sendArtifact(req, reply, dirOrThrow(ctx, model.info.artifact_uri), path, { fileHeaders: true });
}

/** The UI's "upload artifact" (small files, 10 MB at most) into a run's artifact folder. */
async function uploadArtifact(req: FastifyRequest, reply: FastifyReply, ctx: AppContext): Promise<FastifyReply> {
  const runId = queryArg(req, 'run_uuid');
  if (!runId) throw invalidParam('Request must specify run_uuid.');
  const rawPath = queryArg(req, 'path');
  if (!rawPath) throw invalidParam('Request must specify path.');
  const path = validatePathIsSafe(rawPath);
  const tooLarge = 'Artifact size is too large. Max size is 10MB.';
  const length = Number(req.headers['content-length'] ?? NaN);
  if (length > UI_UPLOAD_MAX_BYTES) throw invalidParam(tooLarge);
  // Flask's `request.data` is empty for form posts and for bodiless requests.
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const formPost = type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
  const noBody = length === 0 || (Number.isNaN(length) && req.headers['transfer-encoding'] === undefined);
  const noData = invalidParam('Request must specify data.');
  if (formPost || noBody) throw noData;
  const run = ctx.tracking.getRun(runId);
  await dirOrThrow(ctx, run.info.artifact_uri).write(path, req.raw, {
    maxBytes: UI_UPLOAD_MAX_BYTES,
    tooLargeMessage: tooLarge,
    beforeCommit: (size) => {
      if (size === 0) throw noData;
    },
  });
  return reply.type('application/json').send('');
}

// ------------------------------------------------------------------ JSON listings

const jsonRoutes: JsonRoute[] = [
  {
    method: 'GET',
    path: '/mlflow/artifacts/list',
    handler: async (p, ctx) => {
      const runId = p.has('run_id') || !p.has('run_uuid') ? p.requiredString('run_id') : p.requiredString('run_uuid');
      const rawPath = p.optionalString('path');
      p.optionalString('page_token');
      const path = rawPath === null ? null : validatePathIsSafe(rawPath);
      const run = ctx.tracking.getRun(runId);
      return listingResponse(run.info.artifact_uri, await listUnderUri(ctx, run.info.artifact_uri, path));
    },
  },
  {
    method: 'GET',
    path: '/mlflow/logged-models/:model_id/artifacts/directories',
    handler: async (p, ctx) => {
      const rawPath = p.optionalString('artifact_directory_path');
      const path = rawPath === null ? null : validatePathIsSafe(rawPath);
      const model = ctx.loggedModels.getLoggedModel(p.requiredString('model_id'));
      const uri = model.info.artifact_uri;
      return listingResponse(uri, await listUnderUri(ctx, uri, path));
    },
  },
];

export const artifactRoutes: RouteModule = {
  jsonRoutes,
  register: async (app: FastifyInstance, ctx: AppContext) => {
    // Own context without body parsers: request bodies reach the handlers as unread streams.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
      registerRawRoutes(scope, proxiedRoutes, ctx);
      scope.get('/get-artifact', (req, reply) => getArtifact(req, reply, ctx));
      scope.get('/ajax-api/2.0/mlflow/logged-models/:model_id/artifacts/files', (req, reply) =>
        getLoggedModelArtifact(req, reply, ctx),
      );
      scope.post('/ajax-api/2.0/mlflow/upload-artifact', async (req, reply) => {
        try {
          return await uploadArtifact(req, reply, ctx);
        } catch (e) {
          drain(req, reply);
          throw e;
        }
      });
    });
  },
};
