import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../core/app-context';
import { invalidParam, notFound } from '../core/errors';
import { missingValue } from '../rest/request';
import { validatePathIsSafe, posixJoin } from '../artifacts/artifact-path';
import { sendArtifact } from '../artifacts/artifact-download';
import type { LocalArtifactDir } from '../artifacts/local-artifact-dir';
import { parseModelUri, pyUrlParse } from './model-source';
import { validateModelName } from './validation';
import { parseVersion } from '../store/registry-store';

function queryArg(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `RunsArtifactRepository.parse_runs_uri`: `runs:/<run_id>/<path>`. */
function parseRunsUri(uri: string): { runId: string; path: string } {
  const path = pyUrlParse(uri).path;
  const bad = (): never => {
    throw invalidParam(
      `Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  };
  if (!path.startsWith('/') || path.length <= 1) bad();
  const [runId = '', ...rest] = path.slice(1).split('/');
  if (!runId) bad();
  return { runId, path: rest.join('/') };
}

/**
 * The local folder holding a version's files, following `runs:/` and `models:/` indirections the
 * way MLflow's artifact repositories do; null when they live in a remote store.
 */
function resolveVersionDir(ctx: AppContext, uri: string, depth = 0): { dir: LocalArtifactDir; sub: string } | null {
  if (depth > 8) throw invalidParam(`Too many indirections resolving model source '${uri}'`);
  const scheme = pyUrlParse(uri).scheme;
  if (scheme === 'runs') {
    const { runId, path } = parseRunsUri(uri);
    const base = resolveVersionDir(ctx, ctx.tracking.getRun(runId).info.artifact_uri, depth + 1);
    return base && { dir: base.dir, sub: path ? posixJoin(base.sub, path) : base.sub };
  }
  if (scheme === 'models') {
    const parsed = parseModelUri(uri);
    const next =
      parsed.modelId !== undefined
        ? ctx.loggedModels.getLoggedModel(parsed.modelId).info.artifact_uri
        : parsed.version !== undefined
          ? ctx.registry.getModelVersionDownloadUri(parsed.name!, parsed.version)
          : parsed.alias !== undefined
            ? ctx.registry.getModelVersionDownloadUri(
                parsed.name!,
                ctx.registry.getModelVersionByAlias(parsed.name!, parsed.alias).version,
              )
            : ctx.registry.getModelVersionDownloadUri(
                parsed.name!,
                String(
                  Math.max(
                    ...ctx.registry
                      .getLatestVersions(parsed.name!, parsed.stage ? [parsed.stage] : null)
                      .map((v) => Number(v.version)),
                  ),
                ),
              );
    return resolveVersionDir(ctx, next, depth + 1);
  }
  const dir = ctx.artifacts.dirForUri(uri);
  return dir && { dir, sub: '' };
}

/**
 * GET /model-versions/get-artifact?name=&version=&path= — one file of a registered version, sent
 * as a download with MLflow's headers (`get_model_version_artifact_handler`).
 */
export async function getModelVersionArtifact(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
): Promise<FastifyReply> {
  const name = queryArg(req, 'name') ?? '';
  const version = queryArg(req, 'version') ?? '';
  const rawPath = queryArg(req, 'path');
  if (rawPath === undefined) throw invalidParam(missingValue('path'));
  const path = validatePathIsSafe(rawPath);
  validateModelName(name);
  parseVersion(version);
  const uri = ctx.registry.getModelVersionDownloadUri(name, version);
  const target = resolveVersionDir(ctx, uri);
  if (!target) throw notFound(`Artifacts at '${uri}' are in a remote store that Runlens does not access`);
  const rel = target.sub ? posixJoin(target.sub, path) : path;
  return sendArtifact(req, reply, target.dir, rel, { fileHeaders: true });
}
