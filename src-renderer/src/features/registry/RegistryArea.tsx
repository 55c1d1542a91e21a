import { lazy, Suspense } from 'react';
import type { RegistryRoute } from './registry-route';
import './registry.css';

// The registry screens (with markdown, sanitizer and YAML) load on first visit, not at startup.
const RegistryPages = lazy(() => import('./RegistryPages'));

/** The main pane for `#/models…` routes. */
export function RegistryArea({ route }: { route: RegistryRoute }) {
  return (
    <Suspense fallback={<div className="pane-loading">Loading…</div>}>
      <RegistryPages route={route} />
    </Suspense>
  );
}
