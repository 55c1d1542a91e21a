import type { FastifyReply, FastifyRequest } from 'fastify';
import { pythonJsonDumps } from '../core/python-json';
import type { LocalArtifactDir } from './local-artifact-dir';
import { guessMimeType } from './mime-type';

/**
 * Characters MLflow's plain `filename=<name>` form can carry without quoting: an RFC 7230 token, the
 * set Werkzeug leaves unquoted (`%` included: `log_image` names look like `k%step%0%timestamp%1...`).
 */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The Content-Disposition MLflow sends. `raw` is the proxied-artifact route's own f-string
 * (`attachment; filename=<name>`, never quoted); `quoted` is what Flask's send_file writes on the UI
 * routes (a token as is, other ASCII names quoted). For names beyond ASCII, which make MLflow's
 * server fail, both send Werkzeug's form: an ASCII fallback plus RFC 5987 `filename*`.
 */
export function contentDisposition(name: string, style: 'raw' | 'quoted' = 'quoted'): string {
  if (TOKEN.test(name)) return `attachment; filename=${name}`;
  const quote = (s: string): string => (TOKEN.test(s) ? s : `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  if (PRINTABLE_ASCII.test(name)) return `attachment; filename=${style === 'raw' ? name : quote(name)}`;
  const fallback = name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename=${quote(fallback)}; filename*=UTF-8''${encoded}`;
}

/** The entity tag of a file version, as Werkzeug derives it from modification time and size. */
function entityTag(mtimeMs: number, size: number): string {
  return `"${mtimeMs / 1000}-${size}"`;
}

/** Werkzeug's `is_resource_modified`: If-None-Match decides when present, else If-Modified-Since. */
function notModified(req: FastifyRequest, etag: string, mtimeMs: number): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/**
 * One `bytes=` range of a file of `size` bytes, clamped to the file; null when unsatisfiable or
 * anything else (other units, several ranges, a malformed spec), which Werkzeug answers with 416.
 */
function parseRange(header: string, size: number): { start: number; end: number } | null {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  return start < size && start <= end ? { start, end } : null;
}

/**
 * Streams one artifact file as a download, with MLflow's headers: a guessed Content-Type, always
 * `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff` (so a logged HTML or SVG
 * file can never run as a page on this origin). `fileHeaders` marks the UI routes MLflow serves with
 * Flask's send_file, which adds Last-Modified, an ETag and `Cache-Control: no-cache`, and answers
 * conditional requests (304) and single byte ranges (206, or 416 when unsatisfiable).
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
    'content-disposition': contentDisposition(file.name, opts.fileHeaders ? 'quoted' : 'raw'),
    'x-content-type-options': 'nosniff',
    'content-length': String(file.size),
  };
  let status = 200;
  let range: { start: number; end: number } | null = null;
  if (opts.fileHeaders) {
    const etag = entityTag(file.mtimeMs, file.size);
    const lastModified = new Date(file.mtimeMs).toUTCString();
    Object.assign(headers, { 'last-modified': lastModified, 'cache-control': 'no-cache', etag });
    const ifRange = req.headers['if-range'];
    if (notModified(req, etag, file.mtimeMs)) status = 304;
    else if (
      req.headers.range !== undefined &&
      (ifRange === undefined || ifRange === etag || ifRange === lastModified)
    ) {
      range = parseRange(req.headers.range, file.size);
      status = range ? 206 : 416;
    }
  }
  if (status === 304) {
    delete headers['content-type'];
    delete headers['content-length'];
  } else if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${file.size}`;
    headers['accept-ranges'] = 'bytes';
    headers['content-length'] = String(range.end - range.start + 1);
  }
  if (status === 416) {
    await file.close();
    return reply
      .code(416)
      .header('content-range', `bytes */${file.size}`)
      .type('application/json')
      .send(pythonJsonDumps({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Requested Range Not Satisfiable' }));
  }
  if (req.method === 'HEAD' || status === 304) {
    // Fastify's automatic HEAD route would read the whole file to discard it, or with no payload
    // report Content-Length 0; answer with the real headers and no body instead.
    await file.close();
    reply.hijack();
    reply.raw.writeHead(status, headers);
    reply.raw.end();
    return reply;
  }
  reply.code(status).headers(headers);
  return reply.send(file.createStream(range ?? undefined));
}
