import type { ReactNode } from 'react';
import { matchPath, type Location } from './router';
import { RunsPage } from '../features/runs/RunsPage';
import { ComparePage } from '../features/compare/ComparePage';
import { HomeRedirect, LegacyCompareRedirect } from './redirects';
import { RegistryArea } from '../features/registry';

/**
 * The app's pages, by hash route. To add a section: one entry in `ROUTES` (its pattern and what
 * it renders) and, for the sidebar, one in `NAV_ITEMS`. First match wins.
 *
 * MLflow prints links like `http://127.0.0.1:5000/#/experiments/1/runs/<run id>`: those patterns
 * are kept so links from scripts and notebooks open the right experiment and run.
 */
export interface AppRoute {
  pattern: string;
  render: (params: Record<string, string>, location: Location) => ReactNode;
  /** The experiments selected in the sidebar while this route shows (comma list in `:ids`). */
  experiments?: (params: Record<string, string>) => string[];
}

const ids = (p: Record<string, string>): string[] => (p.ids ?? '').split(',').filter((s) => /^\d+$/.test(s));

export const ROUTES: AppRoute[] = [
  {
    pattern: '/experiments/:ids/runs/:runId/*',
    render: (p) => <RunsPage experimentIds={ids(p)} runId={p.runId!} />,
    experiments: ids,
  },
  { pattern: '/experiments/:ids/*', render: (p) => <RunsPage experimentIds={ids(p)} runId={null} />, experiments: ids },
  { pattern: '/compare-runs', render: (_p, l) => <ComparePage location={l} /> },
  { pattern: '/models/*', render: () => <RegistryArea /> },
  { pattern: '/compare-experiments/*', render: (_p, l) => <LegacyCompareRedirect location={l} /> },
  { pattern: '/experiments', render: () => <HomeRedirect /> },
  { pattern: '/', render: () => <HomeRedirect /> },
];

export interface NavItem {
  label: string;
  href: string;
  isActive: (location: Location) => boolean;
}

/** Top-level sections in the sidebar (shown once there is more than one). */
export const NAV_ITEMS: NavItem[] = [
  {
    label: 'Experiments',
    href: '#/experiments',
    isActive: (l) => l.segments[0] === 'experiments' || l.segments[0] === 'compare-runs' || l.segments.length === 0,
  },
  { label: 'Models', href: '#/models', isActive: (l) => l.segments[0] === 'models' },
];

export function resolveRoute(location: Location): { route: AppRoute; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, location);
    if (params) return { route, params };
  }
  return null;
}
