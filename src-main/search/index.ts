/**
 * MLflow search syntax, parsed exactly as MLflow 3.5.1 parses it (no SQL here: the store turns the
 * parsed clauses into queries, see store/search-runs.ts and store/search-experiments.ts).
 */
export {
  parseFilter,
  parseExperimentFilter,
  parseLoggedModelFilter,
  translateKeyAlias,
  type EntityType,
  type FilterClause,
} from './filter-parser';
export { parseOrderBy, parseExperimentOrderBy, type OrderByClause } from './order-by';
export { createPageToken, parseStartOffset } from './page-token';
export {
  resolveRunFilter,
  resolveRunOrderBy,
  resolveExperimentFilter,
  resolveExperimentOrderBy,
  type RunPredicate,
  type RunOrderKey,
  type ExperimentPredicate,
  type ExperimentOrderKey,
} from './resolve';
