import {
  ATTRIBUTE_COLUMNS,
  type AttributeColumn,
  type ColumnRef,
  type ColumnSet,
  type ExperimentKeys,
} from '@contract/ui-api';

/**
 * Column identity: `a:<attribute>`, `m:<metric>` (latest), `mmin:`/`mmax:` (series min/max),
 * `p:<param>`, `t:<tag>`. The id says what the server fetches and sorts by.
 */
export type ColumnId = string;

export function columnId(ref: ColumnRef): ColumnId {
  switch (ref.kind) {
    case 'attribute':
      return `a:${ref.key}`;
    case 'metric':
      return ref.agg === 'min' ? `mmin:${ref.key}` : ref.agg === 'max' ? `mmax:${ref.key}` : `m:${ref.key}`;
    case 'param':
      return `p:${ref.key}`;
    case 'tag':
      return `t:${ref.key}`;
  }
}

export function columnRef(id: ColumnId): ColumnRef | null {
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const prefix = id.slice(0, colon);
  const key = id.slice(colon + 1);
  switch (prefix) {
    case 'a':
      return (ATTRIBUTE_COLUMNS as readonly string[]).includes(key)
        ? { kind: 'attribute', key: key as AttributeColumn }
        : null;
    case 'm':
      return { kind: 'metric', key };
    case 'mmin':
      return { kind: 'metric', key, agg: 'min' };
    case 'mmax':
      return { kind: 'metric', key, agg: 'max' };
    case 'p':
      return { kind: 'param', key };
    case 't':
      return { kind: 'tag', key };
    default:
      return null;
  }
}

export const ATTRIBUTE_LABELS: Record<AttributeColumn, string> = {
  name: 'Run name',
  run_id: 'Run ID',
  experiment_id: 'Experiment',
  status: 'Status',
  user_id: 'User',
  start_time: 'Started',
  end_time: 'Ended',
  duration: 'Duration',
  source: 'Source',
  git_commit: 'Git commit',
};

/** Header label (the key itself for metrics/params/tags). */
export function columnLabel(ref: ColumnRef): string {
  if (ref.kind === 'attribute') return ATTRIBUTE_LABELS[ref.key];
  if (ref.kind === 'metric' && ref.agg && ref.agg !== 'latest') return `${ref.key} (${ref.agg})`;
  return ref.key;
}

export const DEFAULT_ATTRIBUTES: AttributeColumn[] = ['name', 'status', 'start_time', 'duration', 'user_id', 'source'];
/** Auto columns (before the user chooses): every metric and param up to this many each. */
export const AUTO_KEYS_PER_KIND = 100;

export function autoColumns(keys: ExperimentKeys | null, multiExperiment: boolean): ColumnId[] {
  const attrs = DEFAULT_ATTRIBUTES.map((a) => `a:${a}`);
  if (multiExperiment) attrs.splice(1, 0, 'a:experiment_id');
  if (!keys) return attrs;
  return [
    ...attrs,
    ...keys.metrics.slice(0, AUTO_KEYS_PER_KIND).map((k) => `m:${k}`),
    ...keys.params.slice(0, AUTO_KEYS_PER_KIND).map((k) => `p:${k}`),
  ];
}

/** What the server must fetch for these columns. */
export function columnSet(ids: readonly ColumnId[]): Required<ColumnSet> {
  const set: Required<ColumnSet> = { metrics: [], metricMin: [], metricMax: [], params: [], tags: [] };
  for (const id of ids) {
    const ref = columnRef(id);
    if (!ref || ref.kind === 'attribute') continue;
    if (ref.kind === 'metric')
      (ref.agg === 'min' ? set.metricMin : ref.agg === 'max' ? set.metricMax : set.metrics).push(ref.key);
    else if (ref.kind === 'param') set.params.push(ref.key);
    else set.tags.push(ref.key);
  }
  return set;
}

export function isNumericColumn(ref: ColumnRef): boolean {
  return ref.kind === 'metric' || (ref.kind === 'attribute' && ref.key === 'duration');
}

/** Initial width: fits the label (≈7.4px per character) within bounds. */
export function defaultWidth(ref: ColumnRef): number {
  if (ref.kind === 'attribute') {
    const fixed: Partial<Record<AttributeColumn, number>> = {
      name: 240,
      run_id: 150,
      experiment_id: 150,
      status: 112,
      start_time: 150,
      end_time: 150,
      duration: 100,
      user_id: 110,
      source: 150,
      git_commit: 110,
    };
    return fixed[ref.key] ?? 140;
  }
  return Math.round(Math.min(280, Math.max(110, 58 + columnLabel(ref).length * 7.4)));
}
