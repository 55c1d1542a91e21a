import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase } from '../store/db';
import { TrackingStore } from '../store/tracking-store';
import { importWorkerFile, runImportInProcess, startImport } from './import-job';
import type { ImportProgress, ImportReport } from './import-types';

/**
 * `runlens import PATH...`: imports into the store of `dataDir` (the same file the app serves, so
 * it may run while the app is up: WAL + short transactions). Uses the worker threads when the
 * built worker is there, else imports in this thread. Prints progress about once a second and a
 * summary with the problems found. Throws when the import itself failed (not for bad input).
 */
export interface ImportCliOptions {
  dataDir: string;
  log: (line: string) => void;
  copyArtifacts?: boolean;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

export function progressLine(p: ImportProgress): string {
  const pct =
    p.metricPointsTotal > 0 ? ` (${Math.min(100, Math.floor((p.metricPointsDone / p.metricPointsTotal) * 100))}%)` : '';
  return (
    `${p.phase}: experiments ${p.experimentsDone}/${p.experimentsTotal}, runs ${fmt(p.runsDone)}/${fmt(p.runsTotal)}, ` +
    `metric points ${fmt(p.metricPointsDone)}/${fmt(p.metricPointsTotal)}${pct}` +
    (p.issues ? `, ${p.issues} problem(s)` : '')
  );
}

export function summaryLines(r: ImportReport): string[] {
  const c = r.counts;
  const lines = [
    `import ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s (report ${r.id})`,
    `  experiments: ${c.experimentsCreated} created, ${c.experimentsMerged} merged`,
    `  runs: ${c.runsCreated} created, ${c.runsUpdated} updated, ${c.runsUnchanged} unchanged`,
    `  metric points: ${fmt(c.metricPointsInserted)} new of ${fmt(c.metricPointsRead)} read; params ${c.params}, tags ${c.tags}`,
    `  datasets ${c.datasets}, dataset inputs ${c.datasetInputs}, logged models ${c.loggedModels}, ` +
      `registered models ${c.registeredModels}, model versions ${c.modelVersions}`,
  ];
  if (c.tracesSkipped) lines.push(`  traces skipped (not imported): ${c.tracesSkipped}`);
  if (c.artifactFilesCopied) lines.push(`  artifact files copied: ${c.artifactFilesCopied}`);
  for (const e of r.experiments.filter((x) => x.action === 'remapped')) {
    lines.push(`  experiment "${e.name}": id ${e.sourceExperimentId} -> ${e.experimentId}`);
  }
  if (r.issueCount) {
    lines.push(`  ${r.issueCount} problem(s) skipped:`);
    for (const i of r.issues.slice(0, 20)) lines.push(`    ${i.path}: ${i.reason}`);
    if (r.issueCount > 20) lines.push(`    ... (${r.issueCount - 20} more in the report)`);
  }
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines;
}

export async function runImportCommand(paths: readonly string[], options: ImportCliOptions): Promise<void> {
  mkdirSync(options.dataDir, { recursive: true });
  const dbPath = join(options.dataDir, 'runlens.db');
  // Creates/migrates the store and its Default experiment before the worker opens it.
  const db = openDatabase(dbPath);
  new TrackingStore(db);
  const absolute = paths.map((p) => resolve(p));
  let last = 0;
  const onProgress = (p: ImportProgress): void => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    options.log(progressLine(p));
  };
  let report: ImportReport;
  try {
    if (existsSync(importWorkerFile())) {
      const job = startImport({
        paths: absolute,
        dbPath,
        dataDir: options.dataDir,
        copyArtifacts: options.copyArtifacts,
      });
      job.onProgress(onProgress);
      report = await job.done;
    } else {
      report = runImportInProcess(db, {
        paths: absolute,
        dataDir: options.dataDir,
        copyArtifacts: options.copyArtifacts,
        onProgress,
      });
    }
  } finally {
    db.close();
  }
  for (const line of summaryLines(report)) options.log(line);
  if (report.status === 'failed') throw new Error(report.error ?? 'import failed');
}
