import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImportCommand } from '../src-main/importers/import-cli';
import { setImportWorkerFile } from '../src-main/importers/import-job';
import { openDatabase } from '../src-main/store/db';
import { MLFLOW_DB, MLRUNS, buildImportWorker, count } from './import-helpers';

describe('runlens import PATH... (the CLI function)', () => {
  for (const mode of ['in-process', 'worker'] as const) {
    it(`imports into the data dir and prints a summary (${mode})`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'runlens-cli-'));
      if (mode === 'worker') setImportWorkerFile(buildImportWorker());
      const lines: string[] = [];
      try {
        await runImportCommand([MLRUNS, MLFLOW_DB], { dataDir, log: (l) => lines.push(l) });
        expect(lines.find((l) => l.startsWith('import completed'))).toBeTruthy();
        expect(lines).toContain('  runs: 44 created, 0 updated, 0 unchanged');
        expect(lines.some((l) => /experiment "iris-classification": id \d+ -> \d+/.test(l))).toBe(true);
        const db = openDatabase(join(dataDir, 'runlens.db'));
        expect(count(db, 'SELECT COUNT(*) FROM runs')).toBe(44);
        db.close();
        lines.length = 0;
        await runImportCommand(['/nonexistent/path'], { dataDir, log: (l) => lines.push(l) });
        expect(lines).toContain('  1 problem(s) skipped:');
      } finally {
        setImportWorkerFile(null);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
