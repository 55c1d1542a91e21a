import { useSyncExternalStore } from 'react';

/**
 * A small hash router: `#/experiments/1/runs/<run id>`. Hash URLs are what MLflow's own UI and
 * clients print (`http://127.0.0.1:5000/#/experiments/1/runs/<id>`), need no server routes, and
 * work the same in the Electron window and in a browser tab.
 */

export interface Location {
  /** Path segments, decoded: '#/experiments/1' → ['experiments', '1']. */
  segments: string[];
  query: URLSearchParams;
  /** The path part, '/experiments/1'. */
  path: string;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#!?/, '');
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw) || '/';
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : ''), path: `/${segments.join('/')}` };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const snapshot = (): string => window.location.hash;

/** The current location; re-renders on every hash change. */
export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, snapshot);
  return parseHash(hash);
}

/** `#` + path, each segment encoded: `href('/experiments', id, 'runs', runId)`. */
export function href(...parts: string[]): string {
  const path = parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .map((s) => encodeURIComponent(s).replace(/%2C/gi, ','))
    .join('/');
  return `#/${path}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const hash = to.startsWith('#') ? to : `#${to.startsWith('/') ? to : `/${to}`}`;
  if (window.location.hash === hash) return;
  if (options.replace) window.history.replaceState(null, '', hash);
  else window.history.pushState(null, '', hash);
  // pushState does not fire hashchange: tell the subscribers.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/**
 * Matches a pattern like `/experiments/:ids/runs/:runId` (a trailing `/*` accepts any rest) and
 * returns the named parts, or null.
 */
export function matchPath(pattern: string, location: Location): Record<string, string> | null {
  const parts = pattern.split('/').filter(Boolean);
  const rest = parts[parts.length - 1] === '*';
  if (rest) parts.pop();
  const segs = location.segments;
  if (rest ? segs.length < parts.length : segs.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = segs[i]!;
    else if (p !== segs[i]) return null;
  }
  return params;
}
