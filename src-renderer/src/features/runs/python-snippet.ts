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

export function pythonSnippet(q: RunsQuery, trackingUri: string): string {
  const filters: string[] = [];
  if (q.filter?.trim()) filters.push(q.filter.trim());
  if (q.statuses?.length === 1) filters.push(`attributes.status = '${q.statuses[0]}'`);
  if (q.startedAfter) filters.push(`attributes.start_time >= ${q.startedAfter}`);
  const order = q.sort.map((s) => orderTerm(s.column, s.desc)).filter((t): t is string => t !== null);
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
  if (order.length) lines.push(`    order_by=[${order.map(py).join(', ')}],`);
  lines.push('    max_results=100000,', ')');
  if ((q.statuses?.length ?? 0) > 1)
    lines.push(`runs = runs[runs["status"].isin([${q.statuses!.map(py).join(', ')}])]`);
  if (q.search?.trim()) {
    lines.push(
      `runs = runs[runs["tags.mlflow.runName"].str.contains(${py(q.search.trim())}, case=False, regex=False)]`,
    );
  }
  if (q.hidden?.length) lines.push(`runs = runs[~runs["run_id"].isin([${q.hidden.map(py).join(', ')}])]`);
  return lines.join('\n');
}
