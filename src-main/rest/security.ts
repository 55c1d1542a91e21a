import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendJson } from './json';

/**
 * Guards for a tracking port on loopback with a browser next to it:
 * - Host must name the address we are bound to (stops DNS rebinding: evil.com resolving to 127.0.0.1
 *   still sends `Host: evil.com`).
 * - A state-changing request carrying a foreign `Origin` is refused, so a web page cannot log into
 *   or delete from Runlens with a "simple" cross-site POST. Scripts (the MLflow client) send no Origin.
 * CORS is never enabled, so other origins cannot read responses either.
 */
export interface SecurityOptions {
  host: string;
  /** Resolved lazily: the port is known only once listening (port 0 in tests). */
  port: () => number;
  /** Extra Host names allowed, e.g. when bound to 0.0.0.0 and reached by LAN name. */
  allowedHosts?: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function allowedHostValues(opts: SecurityOptions): Set<string> {
  const port = opts.port();
  const names = new Set<string>([...LOOPBACK_NAMES, ...(opts.allowedHosts ?? [])]);
  if (opts.host !== '0.0.0.0' && opts.host !== '::') names.add(opts.host.includes(':') ? `[${opts.host}]` : opts.host);
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n}:${port}`.toLowerCase());
    if (port === 80) out.add(n.toLowerCase());
  }
  return out;
}

export function isAllowedHost(hostHeader: string | undefined, opts: SecurityOptions): boolean {
  if (!hostHeader) return false;
  if (opts.host === '0.0.0.0' || opts.host === '::') return true; // the user chose to expose the port
  return allowedHostValues(opts).has(hostHeader.toLowerCase());
}

export function isAllowedOrigin(origin: string | undefined, opts: SecurityOptions): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the literal "null" origin of sandboxed frames and file:// pages
  }
  if (url.protocol !== 'http:') return false;
  return isAllowedHost(url.host, {
    ...opts,
    host: opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host,
  });
}

export function securityHook(opts: SecurityOptions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!isAllowedHost(req.headers.host, opts)) {
      await sendJson(
        reply.code(403),
        JSON.stringify({
          error_code: 'PERMISSION_DENIED',
          message: `Invalid Host header: ${req.headers.host ?? '(none)'}`,
        }),
      );
      return;
    }
    const origin = req.headers.origin;
    if (!SAFE_METHODS.has(req.method) && !isAllowedOrigin(origin, opts)) {
      await sendJson(
        reply.code(403),
        JSON.stringify({
          error_code: 'PERMISSION_DENIED',
          message: `Cross-origin request refused (Origin: ${origin})`,
        }),
      );
    }
  };
}
