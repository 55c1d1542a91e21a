import type { ImportPhase, ImportProgress, ImportReport } from '@contract/import-api';
import type { ImportTask } from './import-store';

export const num = (n: number): string => n.toLocaleString('en-US');

const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
/** Short form for the panel's counters: 874,000 → 874K, 6,013,000 → 6M (exact below 100,000). */
export const compact = (n: number): string => (n < 100_000 ? num(n) : compactFormat.format(n));

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const PHASE_LABEL: Record<ImportPhase, string> = {
  queued: 'Waiting to start',
  scanning: 'Scanning',
  experiments: 'Experiments',
  runs: 'Runs and metrics',
  models: 'Logged models',
  registry: 'Model registry',
  finishing: 'Finishing',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Overall fraction of an import from its counts: metric points weigh most, then runs. */
export function importFraction(p: ImportProgress): number {
  const parts: [number, number, number][] = [
    [p.experimentsDone, p.experimentsTotal, 1],
    [p.runsDone, p.runsTotal, 3],
    [p.metricPointsDone, p.metricPointsTotal, 6],
  ];
  let sum = 0;
  let weight = 0;
  for (const [done, total, w] of parts) {
    if (total <= 0) continue;
    sum += Math.min(1, done / total) * w;
    weight += w;
  }
  return weight ? sum / weight : 0;
}

/** Share of an upload task's bar taken by the upload (the import fills the rest). */
const UPLOAD_SHARE = 0.5;

/**
 * The task's bar (0-100; null = indeterminate): for an upload, the bytes sent fill the first half
 * and the import the second, so the bar never jumps back when one stage hands over to the next.
 */
export function taskPercent(t: ImportTask): number | null {
  if (t.stage === 'finished') return 100;
  const base = t.mode === 'upload' ? UPLOAD_SHARE : 0;
  if (t.stage === 'uploading') {
    const u = t.upload;
    if (!u || (u.bytesTotal === 0 && u.filesTotal === 0)) return null;
    const frac = u.bytesTotal ? u.bytesDone / u.bytesTotal : u.filesDone / u.filesTotal;
    return Math.floor(100 * UPLOAD_SHARE * frac);
  }
  if (t.stage === 'starting' || !t.progress || t.progress.phase === 'queued' || t.progress.phase === 'scanning') {
    return base ? Math.floor(100 * base) : null;
  }
  // 99 at most until the report arrives: "100%" means it is really over.
  return Math.min(99, Math.floor(100 * (base + (1 - base) * importFraction(t.progress))));
}

export function taskTitle(t: ImportTask): string {
  if (t.stage === 'uploading') return t.cancelling ? `Cancelling upload of ${t.label}` : `Uploading ${t.label}`;
  if (t.stage === 'starting') return `Starting import of ${t.label}`;
  if (t.stage === 'importing') return t.cancelling ? `Cancelling import of ${t.label}` : `Importing ${t.label}`;
  if (t.outcome === 'completed') return `Imported ${t.label}`;
  if (t.outcome === 'cancelled') return `Import of ${t.label} cancelled`;
  return `Import of ${t.label} failed`;
}

export interface Summary {
  imported: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/** Runs brought in or changed, runs already there, and items skipped (report issues + files not uploaded). */
export function summarize(report: ImportReport, notUploaded = 0): Summary {
  const c = report.counts;
  return {
    imported: c.runsCreated,
    updated: c.runsUpdated,
    unchanged: c.runsUnchanged,
    skipped: report.issueCount + notUploaded,
  };
}

/** A report path as the user knows it: an upload's temp folder is stripped. */
export function displayPath(path: string, uploadRoot: string | null): string {
  if (uploadRoot && (path === uploadRoot || path.startsWith(uploadRoot + '/') || path.startsWith(uploadRoot + '\\'))) {
    return path.slice(uploadRoot.length + 1) || '.';
  }
  return path;
}
