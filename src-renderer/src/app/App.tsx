import { useEffect } from 'react';
import { useApp } from '../state/app-store';
import { useLocation } from './router';
import { resolveRoute } from './routes';
import { rememberExperiments } from './redirects';
import { Sidebar } from '../features/experiments/Sidebar';
import { ImportDropZone } from '../features/import';

export function App() {
  const start = useApp((s) => s.start);
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismiss);
  const location = useLocation();
  useEffect(() => start(), [start]);
  const match = resolveRoute(location);
  const selected = match?.route.experiments?.(match.params) ?? [];
  const key = selected.join(',');
  useEffect(() => {
    if (key) rememberExperiments(key.split(','));
  }, [key]);
  return (
    <ImportDropZone>
      <div className="app">
        <Sidebar selectedIds={selected} />
        <main className="main">
          {match ? match.route.render(match.params, location) : <div className="pane-loading">Page not found.</div>}
        </main>
        <div className="toasts" aria-live="polite">
          {toasts.map((t) => (
            <div key={t.id} className={`toast ${t.kind}`} onClick={() => dismiss(t.id)}>
              {t.text}
            </div>
          ))}
        </div>
      </div>
    </ImportDropZone>
  );
}
