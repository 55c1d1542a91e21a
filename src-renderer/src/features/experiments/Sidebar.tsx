import { useMemo, useState } from 'react';
import type { ExperimentSummary } from '@contract/ui-api';
import { getApi } from '../../api/client';
import { describeError, useApp } from '../../state/app-store';
import { href, navigate, useLocation } from '../../app/router';
import { NAV_ITEMS } from '../../app/routes';
import { setThemePreference, useTheme, type ThemePreference } from '../../app/theme';
import { Logo } from '../../components/Logo';
import { CopyButton } from '../../components/CopyButton';
import { Menu, anchorOf, type Anchor } from '../../components/Popover';
import { ConfirmDialog } from '../runs/dialogs';
import { ImportButton } from '../import';
import { forgetExperiment } from '../../app/redirects';

const CONNECTION_LABEL = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
} as const;

const THEME_NEXT: Record<ThemePreference, ThemePreference> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_LABEL: Record<ThemePreference, string> = { system: 'System theme', light: 'Light', dark: 'Dark' };

/**
 * Experiments: search, run counts, click to open, Ctrl/⌘-click or the checkboxes to compare
 * several, rename/delete from the item menu, deleted ones restorable below.
 */
export function Sidebar({ selectedIds }: { selectedIds: string[] }) {
  const experiments = useApp((s) => s.experiments);
  const connection = useApp((s) => s.connection);
  const notify = useApp((s) => s.notify);
  const refresh = useApp((s) => s.refreshExperiments);
  const trackingUri = useApp((s) => s.info?.trackingUri ?? window.location.origin);
  const location = useLocation();
  const theme = useTheme();
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ e: ExperimentSummary; anchor: Anchor } | null>(null);
  const [confirm, setConfirm] = useState<ExperimentSummary | null>(null);
  const [showDeleted, setShowDeleted] = useState(false);

  const active = useMemo(() => experiments.filter((e) => e.lifecycleStage === 'active'), [experiments]);
  const deleted = useMemo(() => experiments.filter((e) => e.lifecycleStage === 'deleted'), [experiments]);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? active.filter((e) => e.name.toLowerCase().includes(q) || e.experimentId === q) : active;
  }, [active, query]);
  const selected = new Set(selectedIds);

  const open = (id: string) => navigate(href('experiments', id));
  const toggle = (id: string) => {
    const next = selected.has(id) ? selectedIds.filter((x) => x !== id) : [...selectedIds, id];
    if (next.length) navigate(href('experiments', next.join(',')));
  };
  const run = async (label: string, task: () => Promise<void>) => {
    try {
      await task();
      await refresh();
      notify(label);
    } catch (err) {
      notify(describeError(err), 'error');
    }
  };

  return (
    <aside className="sidebar">
      <div className="brand">
        <Logo />
        <span className="brand-name">Runlens</span>
      </div>
      {NAV_ITEMS.length > 1 && (
        <nav className="app-nav" aria-label="Sections">
          {NAV_ITEMS.map((item) => (
            <a
              key={item.href}
              href={item.href}
              className="app-nav-item"
              aria-current={item.isActive(location) ? 'page' : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
      )}
      <div className="sidebar-heading">
        <span>Experiments</span>
        <span className="muted">{active.length}</span>
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
      {selectedIds.length > 1 && (
        <div className="compare-note">
          Comparing {selectedIds.length} ·{' '}
          <button type="button" className="link-button" onClick={() => open(selectedIds[0]!)}>
            back to one
          </button>
        </div>
      )}
      <nav className="experiment-list" aria-label="Experiments">
        <ul>
          {shown.map((e) => (
            <li key={e.experimentId} className={selected.has(e.experimentId) ? 'selected' : ''}>
              {renaming === e.experimentId ? (
                <RenameField
                  experiment={e}
                  onDone={async (name) => {
                    setRenaming(null);
                    if (name && name !== e.name) {
                      await run(`Renamed to “${name}”`, () =>
                        getApi().updateExperiment({ experimentId: e.experimentId, name }),
                      );
                    }
                  }}
                />
              ) : (
                <div className={`experiment-row${selected.has(e.experimentId) ? ' current' : ''}`}>
                  <input
                    type="checkbox"
                    className="experiment-check"
                    aria-label={`Compare ${e.name}`}
                    checked={selected.has(e.experimentId)}
                    onChange={() => toggle(e.experimentId)}
                  />
                  <button
                    type="button"
                    className="experiment-item"
                    aria-current={selected.has(e.experimentId) ? 'true' : undefined}
                    onClick={(ev) =>
                      ev.ctrlKey || ev.metaKey || ev.shiftKey ? toggle(e.experimentId) : open(e.experimentId)
                    }
                    onDoubleClick={() => e.experimentId !== '0' && setRenaming(e.experimentId)}
                    title={`${e.name} (ID ${e.experimentId})\nCtrl/⌘-click to compare with others`}
                  >
                    <span className="experiment-name">{e.name}</span>
                    <span className="experiment-count">{e.runCount.toLocaleString()}</span>
                  </button>
                  <button
                    type="button"
                    className="icon-button experiment-menu"
                    aria-label={`Actions for ${e.name}`}
                    onClick={(ev) => setMenu({ e, anchor: anchorOf(ev.currentTarget) })}
                  >
                    ⋯
                  </button>
                </div>
              )}
            </li>
          ))}
          {shown.length === 0 && active.length > 0 && <li className="muted list-note">No match</li>}
        </ul>
        {deleted.length > 0 && (
          <div className="deleted-section">
            <button
              type="button"
              className="link-button section-toggle"
              aria-expanded={showDeleted}
              onClick={() => setShowDeleted((v) => !v)}
            >
              {showDeleted ? '▾' : '▸'} Deleted ({deleted.length})
            </button>
            {showDeleted && (
              <ul>
                {deleted.map((e) => (
                  <li key={e.experimentId} className="deleted-item">
                    <a href={href('experiments', e.experimentId)} className="experiment-name muted">
                      {e.name}
                    </a>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() =>
                        void run(`Restored “${e.name}”`, () =>
                          getApi().setExperimentDeleted({ experimentId: e.experimentId, deleted: false }),
                        )
                      }
                    >
                      Restore
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </nav>
      <footer className="sidebar-footer">
        <ImportButton />
        <div className="footer-row">
          <div className={`connection connection-${connection}`} role="status">
            <span className="connection-dot" />
            {CONNECTION_LABEL[connection]}
          </div>
          <button
            type="button"
            className="theme-toggle"
            onClick={() => setThemePreference(THEME_NEXT[theme.preference])}
            title={`Theme: ${THEME_LABEL[theme.preference]} (click to change)`}
            aria-label={`Theme: ${THEME_LABEL[theme.preference]}`}
          >
            {theme.preference === 'system' ? '◐' : theme.preference === 'light' ? '☀' : '☾'}
            <span>{THEME_LABEL[theme.preference]}</span>
          </button>
        </div>
        <div className="tracking-uri">
          <span className="muted">Tracking URI</span>
          <div className="tracking-uri-row">
            <code title={trackingUri}>{trackingUri}</code>
            <CopyButton text={trackingUri} />
          </div>
        </div>
      </footer>
      {menu && (
        <Menu
          anchor={menu.anchor}
          label={`Actions for ${menu.e.name}`}
          onClose={() => setMenu(null)}
          items={[
            { label: 'Open', onSelect: () => open(menu.e.experimentId) },
            {
              label: selected.has(menu.e.experimentId) ? 'Remove from comparison' : 'Add to comparison',
              onSelect: () => toggle(menu.e.experimentId),
            },
            { label: '', separator: true },
            {
              label: 'Rename…',
              disabled: menu.e.experimentId === '0',
              onSelect: () => setRenaming(menu.e.experimentId),
            },
            {
              label: 'Delete…',
              danger: true,
              disabled: menu.e.experimentId === '0',
              onSelect: () => setConfirm(menu.e),
            },
          ]}
        />
      )}
      {confirm && (
        <ConfirmDialog
          title={`Delete “${confirm.name}”?`}
          body={`Its ${confirm.runCount.toLocaleString()} runs are deleted with it. You can restore it from “Deleted” in the sidebar.`}
          action="Delete experiment"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={() =>
            void run(`Deleted “${confirm.name}”`, async () => {
              await getApi().setExperimentDeleted({ experimentId: confirm.experimentId, deleted: true });
              if (!selected.has(confirm.experimentId)) return;
              // Leave it before the list refreshes: the home page would reopen the last viewed
              // experiment, which is this one until the list says it is deleted.
              const rest = selectedIds.filter((id) => id !== confirm.experimentId);
              forgetExperiment(confirm.experimentId);
              await refresh();
              navigate(rest.length ? href('experiments', rest.join(',')) : '/', { replace: true });
            })
          }
        />
      )}
    </aside>
  );
}

function RenameField({ experiment, onDone }: { experiment: ExperimentSummary; onDone: (name: string | null) => void }) {
  const [name, setName] = useState(experiment.name);
  return (
    <form
      className="rename-form"
      onSubmit={(e) => {
        e.preventDefault();
        onDone(name.trim());
      }}
    >
      <input
        autoFocus
        aria-label={`New name for ${experiment.name}`}
        value={name}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => onDone(name.trim())}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone(null);
        }}
      />
    </form>
  );
}
