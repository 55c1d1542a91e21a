import { invalidParam } from '../core/errors';
import { invalidValue, missingValue } from './request';

/** MLflow's limits (mlflow/utils/validation.py), enforced identically. */
export const LIMITS = {
  paramsTagsPerBatch: 100,
  metricsPerBatch: 1000,
  entitiesPerBatch: 1000,
  batchRequestBytes: 1_000_000,
  paramValue: 6000,
  tagValue: 8000,
  experimentName: 500,
  experimentTagKey: 250,
  experimentTagValue: 5000,
  entityKey: 250,
  searchMaxResults: 50000,
} as const;

// Python's `\w` is Unicode-aware (letters, digits, marks, underscore); JS's `\w` is ASCII-only.
const NAME_RE = /^[/\p{L}\p{N}\p{M}_.\- :]*$/u;
const RUN_ID_RE = /^[a-zA-Z0-9][\w-]{0,255}$/;

const joinPath = (base: string, field: string): string => (base ? `${base}.${field}` : field);

function posixNormpath(p: string): string {
  if (p === '') return '.';
  const initialSlashes = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initialSlashes && out.length === 0) || out[out.length - 1] === '..') out.push(comp);
    else if (out.length) out.pop();
  }
  const joined = '/'.repeat(initialSlashes) + out.join('/');
  return joined || '.';
}

const badCharacters =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
const badPath = (name: string): string =>
  'Names may be treated as files in certain cases, and must not resolve to other names when treated as such. ' +
  `This name would resolve to '${posixNormpath(name)}'`;

function pathNotUnique(name: string): boolean {
  const norm = posixNormpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

/** Shared by metric, param and tag names. `nullMessage` differs per entity in MLflow. */
function validateName(name: string, path: string): void {
  if (!NAME_RE.test(name)) throw invalidParam(invalidValue(path, name, badCharacters));
  if (pathNotUnique(name)) throw invalidParam(invalidValue(path, name, badPath(name)));
}

export function validateLength(entity: string, limit: number, value: string, truncate = false): string {
  if (value.length <= limit) return value;
  // MLflow's server truncates long param/tag values (MLFLOW_TRUNCATE_LONG_VALUES defaults to true).
  if (truncate) return value.slice(0, limit);
  throw invalidParam(`'${entity}' exceeds the maximum length of ${limit} characters`);
}

export function validateMetric(key: unknown, value: unknown, timestamp: unknown, step: unknown, path = ''): void {
  if (key === null || key === undefined) {
    throw invalidParam(
      invalidValue(joinPath(path, 'name'), null, 'Metric name cannot be None. A key name must be provided.'),
    );
  }
  validateName(String(key), joinPath(path, 'name'));
  if (value === null || value === undefined) throw invalidParam(missingValue(joinPath(path, 'value')));
  if (typeof value !== 'number') {
    throw invalidParam(
      invalidValue(
        joinPath(path, 'value'),
        value,
        `(timestamp=${String(timestamp)}). Please specify value as a valid double (64-bit floating point)`,
      ),
    );
  }
  if (typeof timestamp !== 'number' || timestamp < 0) {
    throw invalidParam(
      invalidValue(
        joinPath(path, 'timestamp'),
        timestamp ?? null,
        `metric '${String(key)}' (value=${pyFloat(value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  if (typeof step !== 'number') {
    throw invalidParam(
      invalidValue(
        joinPath(path, 'step'),
        step ?? null,
        `metric '${String(key)}' (value=${pyFloat(value)}). Step must be a valid long (64-bit integer).`,
      ),
    );
  }
  validateLength('Metric name', LIMITS.entityKey, String(key));
}

const pyFloat = (v: number): string =>
  Number.isNaN(v)
    ? 'nan'
    : v === Infinity
      ? 'inf'
      : v === -Infinity
        ? '-inf'
        : Number.isInteger(v)
          ? `${v}.0`
          : String(v);

export function validateParam(key: string | null, value: string, path = ''): { key: string; value: string } {
  if (key === null) throw invalidParam(invalidValue(joinPath(path, 'key'), '', 'A key name must be provided.'));
  validateName(key, joinPath(path, 'key'));
  return {
    key: validateLength('Param key', LIMITS.entityKey, key),
    value: validateLength('Param value', LIMITS.paramValue, value, true),
  };
}

export function validateTag(key: string | null, value: string, path = ''): { key: string; value: string } {
  if (key === null) throw invalidParam(missingValue(joinPath(path, 'key')));
  validateName(key, joinPath(path, 'key'));
  return {
    key: validateLength(joinPath(path, 'key'), LIMITS.entityKey, key),
    value: validateLength(joinPath(path, 'value'), LIMITS.tagValue, value, true),
  };
}

export function validateExperimentTag(key: string, value: string): void {
  validateName(key, 'key');
  validateLength('key', LIMITS.experimentTagKey, key);
  validateLength('value', LIMITS.experimentTagValue, value);
}

export function validateRunId(runId: string, path = 'run_id'): void {
  if (!RUN_ID_RE.test(runId)) throw invalidParam(invalidValue(path, runId));
}

export function validateExperimentName(name: string): void {
  if (name === '') throw invalidParam(`Invalid experiment name: '${name}'`);
  if (name.length > LIMITS.experimentName) {
    throw invalidParam(`'name' exceeds the maximum length of ${LIMITS.experimentName} characters`);
  }
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (entity: string, limit: number, length: number): void => {
    if (length > limit) {
      throw invalidParam(
        `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. ` +
          `Please split up ${entity} across multiple requests and try again.`,
      );
    }
  };
  check('metrics', LIMITS.metricsPerBatch, metrics);
  check('params', LIMITS.paramsTagsPerBatch, params);
  check('tags', LIMITS.paramsTagsPerBatch, tags);
  check('metrics, params, and tags', LIMITS.entitiesPerBatch, metrics + params + tags);
}

export function validateParamKeysUnique(params: readonly { key: string }[]): void {
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of params) {
    if (seen.has(p.key)) dupes.push(p.key);
    seen.add(p.key);
  }
  if (dupes.length) {
    throw invalidParam(
      `Duplicate parameter keys have been submitted: [${dupes.map((d) => `'${d}'`).join(', ')}]. ` +
        'Please ensure the request contains only one param value per param key.',
    );
  }
}

export function validateArtifactLocation(location: string | null): void {
  if (location === null || location === '') return;
  if (location.startsWith('runs:')) {
    throw invalidParam(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  let url: URL | null = null;
  try {
    url = new URL(location);
  } catch {
    url = null;
  }
  if (location.includes('#') || (url && /;/.test(url.pathname))) {
    throw invalidParam("'artifact_location' URL can't include fragments or params.");
  }
  if (url && url.search && /(\.\.|%2e%2e|\/)/i.test(decodeURIComponent(url.search.slice(1)))) {
    throw invalidParam('Invalid query string');
  }
}
