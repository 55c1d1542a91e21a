import { invalidParam } from '../core/errors';
import { invalidValue, missingValue } from '../rest/request';
import { pyStr } from './py-format';

/**
 * MLflow's registry validation (mlflow/utils/validation.py): names, tags and aliases, with the
 * same limits and messages.
 */
export const REGISTRY_LIMITS = {
  tagKey: 250,
  tagValue: 100_000,
  aliasName: 255,
} as const;

const IS_PROMPT_TEXT_TAG_KEY = 'mlflow.prompt.text';

/** Python's `len()` counts code points. */
const pyLen = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

function checkLength(entity: string, limit: number, value: string | null): void {
  if (value !== null && pyLen(value) > limit) {
    throw invalidParam(`'${entity}' exceeds the maximum length of ${limit} characters`);
  }
}

/** posixpath.normpath */
function posixNormpath(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initial && out.length === 0) || out[out.length - 1] === '..') out.push(comp);
    else if (out.length) out.pop();
  }
  return '/'.repeat(initial) + out.join('/') || '.';
}

const TAG_NAME_RE = /^[/\p{L}\p{N}_.\- :]*$/u;
const ALIAS_RE = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS_RE = /^[vV]\d+$/;

/** `_validate_model_name`: only emptiness is checked. */
export function validateModelName(name: string | null | undefined): void {
  if (name === null || name === undefined || name === '') throw invalidParam(missingValue('name'));
}

export function validateNewModelName(name: string | null | undefined): void {
  if (name === null || name === undefined || name === '') throw invalidParam(missingValue('new_name'));
}

/** `_validate_tag_name`: param/metric name characters and no path tricks. */
export function validateTagName(key: string | null | undefined): void {
  if (key === null || key === undefined) throw invalidParam(missingValue('key'));
  if (!TAG_NAME_RE.test(key)) {
    throw invalidParam(
      invalidValue(
        'key',
        key,
        'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) ' +
          'and slashes (/).',
      ),
    );
  }
  const norm = posixNormpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw invalidParam(
      invalidValue(
        'key',
        key,
        'Names may be treated as files in certain cases, and must not resolve to other names when treated as ' +
          `such. This name would resolve to ${pyStr(norm)}`,
      ),
    );
  }
}

export function validateRegisteredModelTag(key: string, value: string | null): void {
  validateTagName(key);
  checkLength('key', REGISTRY_LIMITS.tagKey, key);
  checkLength('value', REGISTRY_LIMITS.tagValue, value);
}

export function validateModelVersionTag(key: string, value: string | null): void {
  validateTagName(key);
  if (value === null) throw invalidParam('Tag value cannot be None');
  checkLength('key', REGISTRY_LIMITS.tagKey, key);
  if (key === IS_PROMPT_TEXT_TAG_KEY && pyLen(value) > REGISTRY_LIMITS.tagValue) {
    throw invalidParam(`Prompt text exceeds max length of ${REGISTRY_LIMITS.tagValue} characters.`);
  }
  checkLength('value', REGISTRY_LIMITS.tagValue, value);
}

/** `_validate_model_alias_name`: non-empty, word characters and dashes, at most 255. */
export function validateAliasName(alias: string | null | undefined): void {
  if (alias === null || alias === undefined || alias === '') {
    throw invalidParam('Registered model alias name cannot be empty.');
  }
  if (!ALIAS_RE.test(alias)) {
    throw invalidParam(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  checkLength('Registered model alias name', REGISTRY_LIMITS.aliasName, alias);
}

/** `_validate_model_alias_name_reserved`: `latest` and `v<digits>` name versions, not aliases. */
export function validateAliasNotReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') {
    throw invalidParam("'latest' alias name (case insensitive) is reserved.");
  }
  if (VERSION_ALIAS_RE.test(alias)) throw invalidParam(`Version alias name '${alias}' is reserved.`);
}
