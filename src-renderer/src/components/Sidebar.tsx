import { useMemo, useState } from 'react';
import { useApp } from '../state/store';
import { Logo } from './Logo';
import { CopyButton } from './CopyButton';
import { ModelsNavLink, leaveRegistry } from '../features/registry';

const CONNECTION_LABEL = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
} as const;

export function Sidebar() {
  const experiments = useApp((s) => s.experiments);
  const selectedId = useApp((s) => s.selectedId);
  const select = useApp((s) => s.selectExperiment);
  const connection = useApp((s) => s.connection);
  const trackingUri = useApp((s) => s.info?.trackingUri ?? window.location.origin);
  const [query, setQuery] = useState('');

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? experiments.filter((e) => e.name.toLowerCase().includes(q)) : experiments;
  }, [experiments, query]);

  return (
    <aside className="sidebar">
      <div className="brand">
        <Logo />
        <span className="brand-name">Runlens</span>
      </div>
      <ModelsNavLink />
      <div className="sidebar-heading">
        <span>Experiments</span>
        <span className="muted">{experiments.length}</span>
      </div>
      <div className="sidebar-search">
        <input
          type="search"
          placeholder="Filter experiments"
          aria-label="Filter experiments"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <nav className="experiment-list" aria-label="Experiments">
        <ul>
          {shown.map((e) => (
            <li key={e.experimentId}>
              <button
                type="button"
                className="experiment-item"
                aria-current={e.experimentId === selectedId ? 'true' : undefined}
                onClick={() => {
                  leaveRegistry(e.experimentId);
                  select(e.experimentId);
                }}
                title={`${e.name} (ID ${e.experimentId})`}
              >
                <span className="experiment-name">{e.name}</span>
                <span className="experiment-count">{e.runCount.toLocaleString()}</span>
              </button>
            </li>
          ))}
          {shown.length === 0 && experiments.length > 0 && <li className="muted list-note">No match</li>}
        </ul>
      </nav>
      <footer className="sidebar-footer">
        <div className={`connection connection-${connection}`} role="status">
          <span className="connection-dot" />
          {CONNECTION_LABEL[connection]}
        </div>
        <div className="tracking-uri">
          <span className="muted">Tracking URI</span>
          <div className="tracking-uri-row">
            <code title={trackingUri}>{trackingUri}</code>
            <CopyButton text={trackingUri} />
          </div>
        </div>
      </footer>
    </aside>
  );
}
