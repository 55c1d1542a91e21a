import { openDatabase, type Db } from '../store/db';
import {
  runFilterSubquery,
  uiQueryStatements,
  type UiQueryStatements,
  type UiRunRow,
  type UiSortTerm,
} from '../store/ui-queries';
import type {
  ExperimentKeys,
  ExperimentSummary,
  LifecycleFilter,
  MetricValue,
  RunRowData,
  RunStatus,
  RunlensQueries,
  RunsWindow,
  RunsWindowRequest,
} from '../contract/ui-api';
import { parseExperimentIds, parseLifecycle, parseRunsWindowRequest } from './validate';

/**
 * The UI's read side. Runs on its own read-only connection (WAL lets it read while the single
 * writer commits), and every method is async so the whole service can move into a worker thread
 * later without changing callers. Inputs are validated here, so any transport can call it.
 */
export class QueryService implements RunlensQueries {
  private readonly q: UiQueryStatements;

  constructor(private readonly db: Db) {
    this.q = uiQueryStatements(db);
  }

  /** Opens a read-only connection on the tracking database file (the writer must have created it). */
  static open(dbFile: string): QueryService {
    return new QueryService(openDatabase(dbFile, { readonly: true }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  async listExperiments(): Promise<ExperimentSummary[]> {
    return this.q.experiments.all().map((e) => ({
      experimentId: String(e.experiment_id),
      name: e.name,
      lifecycleStage: e.lifecycle_stage,
      creationTime: e.creation_time,
      lastUpdateTime: e.last_update_time,
      runCount: e.run_count,
      lastRunStartTime: e.last_run_start,
    }));
  }

  async experimentKeys(experimentIds: string[], lifecycle?: LifecycleFilter): Promise<ExperimentKeys> {
    const bound = {
      experiment_ids: JSON.stringify(parseExperimentIds(experimentIds)),
      lifecycle: parseLifecycle(lifecycle),
    };
    return this.q.snapshot(() => ({
      metrics: this.q.metricKeys.all(bound).map((r) => r.key),
      params: this.q.paramKeys.all(bound).map((r) => r.key),
      tags: this.q.tagKeys.all(bound).map((r) => r.key),
    }));
  }

  async runsWindow(request: RunsWindowRequest): Promise<RunsWindow> {
    const req = parseRunsWindowRequest(request);
    const sort: UiSortTerm[] = req.sort.map(
      (s) => ({ kind: s.column.kind, key: s.column.key, desc: s.desc }) as UiSortTerm,
    );
    const ids = JSON.stringify(req.experimentIds);
    return this.q.snapshot(() => {
      const restrict = runFilterSubquery(this.db, req.experimentIds, req.filter);
      const scope = { experimentIds: req.experimentIds, lifecycle: req.lifecycle };
      const total = restrict
        ? this.q.countFilteredRuns({ ...scope, restrict })
        : (this.q.countRuns.get({ experiment_ids: ids, lifecycle: req.lifecycle })?.n ?? 0);
      const runs =
        req.limit === 0 ? [] : this.q.runsWindow({ ...scope, sort, offset: req.offset, limit: req.limit, restrict });
      const rows = runs.map(toRowData);
      if (rows.length) this.fillColumns(runs, rows, req.columns);
      return { total, offset: req.offset, rows };
    });
  }

  private fillColumns(runs: UiRunRow[], rows: RunRowData[], columns: RunsWindowRequest['columns']): void {
    const byPk = new Map<number, RunRowData>();
    runs.forEach((r, i) => byPk.set(r.run_pk, rows[i]!));
    const runPks = JSON.stringify(runs.map((r) => r.run_pk));
    if (columns.metrics.length) {
      for (const m of this.q.latestMetrics.all({ run_pks: runPks, keys: JSON.stringify(columns.metrics) })) {
        const row = byPk.get(m.run_pk);
        if (row) row.metrics[m.key] = encodeMetric(m.value, m.is_nan);
      }
    }
    if (columns.params.length) {
      for (const p of this.q.params.all({ run_pks: runPks, keys: JSON.stringify(columns.params) })) {
        const row = byPk.get(p.run_pk);
        if (row) row.params[p.key] = p.value;
      }
    }
    if (columns.tags.length) {
      for (const t of this.q.tags.all({ run_pks: runPks, keys: JSON.stringify(columns.tags) })) {
        const row = byPk.get(t.run_pk);
        if (row) row.tags[t.key] = t.value;
      }
    }
  }
}

function toRowData(r: UiRunRow): RunRowData {
  return {
    runId: r.run_uuid,
    experimentId: String(r.experiment_id),
    name: r.name,
    status: r.status as RunStatus,
    startTime: r.start_time,
    endTime: r.end_time,
    userId: r.user_id,
    lifecycleStage: r.lifecycle_stage,
    metrics: {},
    params: {},
    tags: {},
  };
}

/** JSON has no NaN/Infinity: they travel as strings (as in MLflow's own JSON). */
export function encodeMetric(value: number, isNan: number): MetricValue {
  if (isNan) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}
