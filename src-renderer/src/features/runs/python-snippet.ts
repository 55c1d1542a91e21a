import type { ColumnRef, RunsQuery } from '@contract/ui-api';

/**
 * A Python snippet reproducing the view with the MLflow client: `mlflow.search_runs(...)` with the
 * same experiments, filter, lifecycle and order; the UI-only filters MLflow's grammar cannot say
 * (several statuses, name substring, time window) become pandas lines after the call.
 */

const py = (s: string): string => JSON.stringify(s);

function orderTerm(c: ColumnRef, desc: boolean): string | null {
  const dir = desc ? ' DESC' : ' ASC';
  switch (c.kind) {
    case 'metric':
      return c.agg && c.agg !== 'latest' ? null : `metrics.\`${c.key}\`${dir}`;
    case 'param':
      return `params.\`${c.key}\`${dir}`;
    case 'tag':
      return `tags.\`${c.key}\`${dir}`;
    case 'attribute': {
      const map: Record<string, string> = {
        name: 'attributes.run_name',
        run_id: 'attributes.run_id',
        status: 'attributes.status',
        user_id: 'attributes.user_id',
        start_time: 'attributes.start_time',
        end_time: 'attributes.end_time',
      };
      return map[c.key] ? `${map[c.key]}${dir}` : null;
    }
  }
}

/** Run ids listed in the filter itself (MLflow accepts `run_id IN/NOT IN` lists) up to this many. */
const MAX_LISTED_IDS = 200;

const sqlList = (ids: readonly string[]): string => `(${ids.map((id) => `'${id}'`).join(', ')})`;

export function pythonSnippet(q: RunsQuery, trackingUri: string): string {
  const filters: string[] = [];
  const after: string[] = [];
  if (q.filter?.trim()) filters.push(q.filter.trim());
  if (q.statuses?.length === 1) filters.push(`attributes.status = '${q.statuses[0]}'`);
  if (q.startedAfter) filters.push(`attributes.start_time >= ${q.startedAfter}`);
  if (q.startedBefore) filters.push(`attributes.start_time <= ${q.startedBefore}`);
  const search = q.search?.trim() ?? '';
  // The name search is a case-insensitive substring: ILIKE says it exactly unless the text holds
  // a wildcard or a quote, which pandas then matches literally.
  if (search && !/[%_'"\\]/.test(search)) filters.push(`attributes.run_name ILIKE '%${search}%'`);
  else if (search) {
    after.push(
      `runs = runs[runs["tags.mlflow.runName"].str.contains(${py(search)}, case=False, regex=False, na=False)]`,
    );
  }
  if (q.runIds?.length && q.runIds.length <= MAX_LISTED_IDS) filters.push(`attributes.run_id IN ${sqlList(q.runIds)}`);
  else if (q.runIds?.length) after.push(`runs = runs[runs["run_id"].isin([${q.runIds.map(py).join(', ')}])]`);
  if (q.hidden?.length && q.hidden.length <= MAX_LISTED_IDS)
    filters.push(`attributes.run_id NOT IN ${sqlList(q.hidden)}`);
  else if (q.hidden?.length) after.push(`runs = runs[~runs["run_id"].isin([${q.hidden.map(py).join(', ')}])]`);
  if ((q.statuses?.length ?? 0) > 1)
    after.unshift(`runs = runs[runs["status"].isin([${q.statuses!.map(py).join(', ')}])]`);
  const order = q.sort.map((s) => orderTerm(s.column, s.desc)).filter((t): t is string => t !== null);
  const textOrder = q.sort.some((s) => s.column.kind === 'param' || s.column.kind === 'tag');
  const view = q.lifecycle === 'deleted' ? 'DELETED_ONLY' : q.lifecycle === 'all' ? 'ALL' : 'ACTIVE_ONLY';
  const lines = [
    'import mlflow',
    'from mlflow.entities import ViewType',
    '',
    `mlflow.set_tracking_uri(${py(trackingUri)})`,
    'runs = mlflow.search_runs(',
    `    experiment_ids=[${q.experimentIds.map(py).join(', ')}],`,
  ];
  if (filters.length) lines.push(`    filter_string=${py(filters.join(' and '))},`);
  lines.push(`    run_view_type=ViewType.${view},`);
  if (textOrder) lines.push('    # MLflow orders params and tags as text (Runlens sorts numeric ones as numbers).');
  if (order.length) lines.push(`    order_by=[${order.map(py).join(', ')}],`);
  lines.push('    max_results=100000,', ')');
  // An empty result has no columns at all: only filter a frame that has rows.
  if (after.length) lines.push('if len(runs):', ...after.map((l) => `    ${l}`));
  return lines.join('\n');
}
