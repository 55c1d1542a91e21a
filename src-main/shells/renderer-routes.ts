import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../rest/server';
import { UI_TOKEN_META } from '../contract/ui-api';
import { HTML_SECURITY_HEADERS } from './security';

export interface RendererRoutesOptions {
  /** The built renderer (out/renderer). */
  rendererDir: string;
  token: string;
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** index.html with the launch token in a `<meta>` tag (read per request: a rebuild shows up on reload). */
export function injectToken(html: string, token: string): string {
  const meta = `<meta name="${UI_TOKEN_META}" content="${escapeAttr(token)}">`;
  return html.includes('</head>') ? html.replace('</head>', `  ${meta}\n  </head>`) : meta + html;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Runlens</title>
<p style="font-family:system-ui;margin:3em">The Runlens UI is not built. Run <code>npm run build</code> and reload.
The tracking API is running.</p>`;

/**
 * Serves the built renderer: `/` is index.html with the token injected and the strict CSP;
 * `/assets/*` and the top-level public files go through @fastify/static, which refuses any path
 * that would leave its root (`..`, encoded forms, dotfiles).
 */
export function rendererRoutes(options: RendererRoutesOptions): RouteModule {
  return {
    async register(app: FastifyInstance) {
      await app.register(async (scope) => {
        const indexFile = join(options.rendererDir, 'index.html');
        const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply) => {
          reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8');
          let html: string;
          try {
            html = await readFile(indexFile, 'utf8');
          } catch {
            return reply.code(503).send(NOT_BUILT);
          }
          return reply.send(injectToken(html, options.token));
        };
        scope.get('/', sendIndex);
        scope.get('/index.html', sendIndex);
        if (!existsSync(options.rendererDir)) return;
        const common = {
          serveDotFiles: false,
          dotfiles: 'deny' as const,
          decorateReply: false,
          cacheControl: false,
          index: false as const,
        };
        // Fingerprinted bundles: looked up per request (a rebuild while serving keeps working);
        // @fastify/static (send) confines every path to this folder.
        const assetsDir = join(options.rendererDir, 'assets');
        if (existsSync(assetsDir))
          await scope.register(fastifyStatic, {
            ...common,
            root: assetsDir,
            prefix: '/assets/',
            wildcard: true,
            setHeaders(res) {
              res.setHeader('X-Content-Type-Options', 'nosniff');
              res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
              res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
            },
          });
        // The few top-level public files (favicon): one route per file found at startup.
        await scope.register(fastifyStatic, {
          ...common,
          root: options.rendererDir,
          prefix: '/',
          wildcard: false,
          globIgnore: ['index.html', 'assets/**'],
          setHeaders(res) {
            res.setHeader('X-Content-Type-Options', 'nosniff');
            res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
            res.setHeader('Cache-Control', 'no-cache');
          },
        });
      });
    },
  };
}
