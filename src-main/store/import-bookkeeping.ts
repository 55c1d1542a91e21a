import type { Db } from './db';

/** Statements over migration 003's tables: import sources, experiment id mappings, reports. */
export function importBookkeeping(db: Db) {
  return {
    touchSource: db.prepare<{ source_key: string; kind: string; now: number; report_id: string }>(
      `INSERT INTO import_sources (source_key, kind, first_imported_at, last_imported_at, last_report_id)
       VALUES (@source_key, @kind, @now, @now, @report_id)
       ON CONFLICT (source_key) DO UPDATE SET last_imported_at = @now, last_report_id = @report_id, kind = @kind`,
    ),
    mapping: db.prepare<[string, string], { experiment_id: number; name: string; created: number }>(
      'SELECT experiment_id, name, created FROM import_experiment_map WHERE source_key = ? AND source_experiment_id = ?',
    ),
    saveMapping: db.prepare<{
      source_key: string;
      source_experiment_id: string;
      experiment_id: number;
      name: string;
      created: number;
    }>(
      `INSERT INTO import_experiment_map (source_key, source_experiment_id, experiment_id, name, created)
       VALUES (@source_key, @source_experiment_id, @experiment_id, @name, @created)
       ON CONFLICT (source_key, source_experiment_id) DO UPDATE SET
         experiment_id = excluded.experiment_id, name = excluded.name, created = excluded.created`,
    ),
    mappingsForSource: db.prepare<
      [string],
      { source_experiment_id: string; experiment_id: number; name: string; created: number }
    >(
      'SELECT source_experiment_id, experiment_id, name, created FROM import_experiment_map WHERE source_key = ? ORDER BY name',
    ),
    saveReport: db.prepare<{
      report_id: string;
      started_at: number;
      finished_at: number | null;
      status: string;
      paths_json: string;
      report_json: string;
    }>(
      `INSERT INTO import_reports (report_id, started_at, finished_at, status, paths_json, report_json)
       VALUES (@report_id, @started_at, @finished_at, @status, @paths_json, @report_json)
       ON CONFLICT (report_id) DO UPDATE SET finished_at = excluded.finished_at, status = excluded.status,
         report_json = excluded.report_json`,
    ),
    report: db.prepare<[string], { report_json: string }>('SELECT report_json FROM import_reports WHERE report_id = ?'),
    recentReports: db.prepare<
      [number],
      { report_id: string; started_at: number; finished_at: number | null; status: string; paths_json: string }
    >(
      `SELECT report_id, started_at, finished_at, status, paths_json FROM import_reports
       ORDER BY started_at DESC LIMIT ?`,
    ),
  };
}

export type ImportBookkeeping = ReturnType<typeof importBookkeeping>;
