import { useSyncExternalStore } from 'react';

/**
 * The registry's part of the hash router: `#/models`, `#/models/<name>` and
 * `#/models/<name>/versions/<version>` (names percent-encoded: they may hold `/` or `#`).
 */
export type RegistryRoute =
  { kind: 'models' } | { kind: 'model'; name: string } | { kind: 'version'; name: string; version: string };

const decode = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

/** The registry route a location hash names, or null when it is not under `#/models`. */
export function parseRegistryHash(hash: string): RegistryRoute | null {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '');
  const parts = path.split('/').filter((p, i) => p !== '' || i === 0);
  if (parts[0] !== '' || parts[1] !== 'models') return null;
  if (parts.length === 2) return { kind: 'models' };
  const name = decode(parts[2]!);
  if (name === null || name === '') return { kind: 'models' };
  if (parts.length === 3) return { kind: 'model', name };
  if (parts[3] === 'versions' && parts[4]) {
    const version = decode(parts[4]);
    if (version) return { kind: 'version', name, version };
  }
  return { kind: 'model', name };
}

export const modelsHref = '#/models';
export const modelHref = (name: string): string => `#/models/${encodeURIComponent(name)}`;
export const versionHref = (name: string, version: string): string =>
  `${modelHref(name)}/versions/${encodeURIComponent(version)}`;
/** The runs view's route for one run (owned by the runs area's router). */
export const runHref = (experimentId: string, runId: string): string =>
  `#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;

export function navigate(href: string): void {
  if (window.location.hash !== href) window.location.hash = href;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = (): string => window.location.hash;

/** The registry route of the current location (re-renders on hash changes); null outside it. */
export function useRegistryRoute(): RegistryRoute | null {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return parseRegistryHash(hash);
}
