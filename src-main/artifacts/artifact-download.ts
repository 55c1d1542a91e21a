import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LocalArtifactDir } from './local-artifact-dir';
import { guessMimeType } from './mime-type';

/** Characters MLflow's plain `filename=<name>` form can carry without quoting (an RFC 7230 token). */
const TOKEN = /^[A-Za-z0-9!#$&+.^_`|~-]+$/;

/**
 * MLflow sends `attachment; filename=<name>` unquoted. For ordinary names we send exactly that; for
 * names with spaces, quotes or non-ASCII characters (which MLflow's server fails on) we send a quoted
 * ASCII fallback plus the RFC 5987 `filename*` form, so the header stays valid.
 */
export function contentDisposition(name: string): string {
  if (TOKEN.test(name)) return `attachment; filename=${name}`;
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Streams one artifact file as a download, with MLflow's headers: a guessed Content-Type, always
 * `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff` (so a logged HTML or SVG
 * file can never run as a page on this origin). `fileHeaders` adds what Flask's send_file adds on
 * the UI routes (Last-Modified, Cache-Control: no-cache).
 */
export async function sendArtifact(
  req: FastifyRequest,
  reply: FastifyReply,
  dir: LocalArtifactDir,
  relPath: string,
  opts: { fileHeaders?: boolean } = {},
): Promise<FastifyReply> {
  const file = await dir.openRead(relPath);
  const headers: Record<string, string> = {
    'content-type': guessMimeType(file.name),
    'content-disposition': contentDisposition(file.name),
    'x-content-type-options': 'nosniff',
    'content-length': String(file.size),
  };
  if (opts.fileHeaders) {
    headers['last-modified'] = new Date(file.mtimeMs).toUTCString();
    headers['cache-control'] = 'no-cache';
  }
  if (req.method === 'HEAD') {
    // Fastify's automatic HEAD route would read the whole file to discard it, or with no payload
    // report Content-Length 0; answer with the real headers and no body instead.
    file.stream.destroy();
    reply.hijack();
    reply.raw.writeHead(200, headers);
    reply.raw.end();
    return reply;
  }
  reply.headers(headers);
  return reply.send(file.stream);
}
