import { lazy, Suspense } from 'react';
import { useRegistryRoute, type RegistryRoute } from './registry-route';
import './registry.css';

// The registry screens (with markdown, sanitizer and YAML) load on first visit, not at startup.
const RegistryPages = lazy(() => import('./RegistryPages'));

/** The main pane for `#/models…` routes (reads the location itself unless given a route). */
export function RegistryArea({ route }: { route?: RegistryRoute }) {
  const current = useRegistryRoute();
  const shown = route ?? current ?? { kind: 'models' };
  return (
    <Suspense fallback={<div className="rg-loading">Loading…</div>}>
      <RegistryPages route={shown} />
    </Suspense>
  );
}
