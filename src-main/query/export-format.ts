import type { ColumnRef, ExportFormat, MetricValue, RunRowData } from '../contract/ui-api';

/**
 * Exports of the runs view: one line per run, the view's columns in display order, named the way
 * `mlflow.search_runs()` names DataFrame columns (`metrics.acc`, `params.lr`, `tags.team`).
 */

const ATTRIBUTE_HEADERS: Record<string, string> = {
  name: 'run_name',
  run_id: 'run_id',
  experiment_id: 'experiment_id',
  status: 'status',
  user_id: 'user_id',
  start_time: 'start_time',
  end_time: 'end_time',
  duration: 'duration_ms',
  source: 'source',
  git_commit: 'git_commit',
};

export function exportHeader(c: ColumnRef): string {
  switch (c.kind) {
    case 'attribute':
      return ATTRIBUTE_HEADERS[c.key] ?? c.key;
    case 'metric':
      return c.agg === 'min' || c.agg === 'max' ? `metrics.${c.key} (${c.agg})` : `metrics.${c.key}`;
    case 'param':
      return `params.${c.key}`;
    case 'tag':
      return `tags.${c.key}`;
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A cell's value: numbers stay numbers (NaN/±Infinity as text), missing is null. */
export function exportValue(r: RunRowData, c: ColumnRef): string | number | null {
  switch (c.kind) {
    case 'attribute':
      switch (c.key) {
        case 'name':
          return r.name;
        case 'run_id':
          return r.runId;
        case 'experiment_id':
          return r.experimentId;
        case 'status':
          return r.status;
        case 'user_id':
          return r.userId;
        case 'start_time':
          return iso(r.startTime);
        case 'end_time':
          return iso(r.endTime);
        case 'duration':
          return r.startTime !== null && r.endTime !== null ? r.endTime - r.startTime : null;
        case 'source':
          return r.source;
        case 'git_commit':
          return r.gitCommit;
      }
      return null;
    case 'metric': {
      const from = c.agg === 'min' ? r.metricMin : c.agg === 'max' ? r.metricMax : r.metrics;
      const v: MetricValue | undefined = from?.[c.key];
      return v === undefined ? null : v;
    }
    case 'param':
      return r.params[c.key] ?? null;
    case 'tag':
      return r.tags[c.key] ?? null;
  }
}

function delimited(value: string | number | null, sep: string): string {
  if (value === null) return '';
  const text = String(value);
  return /["\r\n]/.test(text) || text.includes(sep) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatExport(rows: RunRowData[], columns: ColumnRef[], format: ExportFormat): string {
  const headers = columns.map(exportHeader);
  if (format === 'json') {
    return JSON.stringify(
      rows.map((r) => Object.fromEntries(columns.map((c, i) => [headers[i]!, exportValue(r, c)]))),
      null,
      1,
    );
  }
  const sep = format === 'tsv' ? '\t' : ',';
  const lines = [headers.map((h) => delimited(h, sep)).join(sep)];
  for (const r of rows) lines.push(columns.map((c) => delimited(exportValue(r, c), sep)).join(sep));
  return lines.join('\r\n') + '\r\n';
}
