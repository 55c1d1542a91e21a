import tracking from './001-tracking';
import registry from './002-registry';
import imports from './003-imports';
import uiIndexes from './004-ui-indexes';
import searchIndexes from './005-search-indexes';
import metricStepShape from './006-metric-step-shape';

/**
 * Numbered migrations, applied in order at open. Each applied migration's SHA-256 is recorded;
 * if a shipped migration's text later differs from what a database recorded, opening fails
 * loudly instead of silently diverging (edit by adding a new number, never by changing one).
 * Registry (002) and import bookkeeping (003) are appended by their own modules' files.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'tracking', sql: tracking },
  { id: 2, name: 'registry', sql: registry },
  { id: 3, name: 'imports', sql: imports },
  { id: 4, name: 'ui-indexes', sql: uiIndexes },
  { id: 5, name: 'search-indexes', sql: searchIndexes },
  { id: 6, name: 'metric-step-shape', sql: metricStepShape },
];
