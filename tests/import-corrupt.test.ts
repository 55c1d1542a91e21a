import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportInProcess } from '../src-main/importers/import-job';
import type { ImportIssue, ImportReport } from '../src-main/importers/import-types';
import { MLRUNS, copyToTemp, count, filesUnder, freshStore, hashTree, type TestStore } from './import-helpers';

/**
 * A copy of mlruns-small with one of each kind of damage the issue lists. Each must be skipped and
 * reported (file, reason); everything else must be imported; the source must stay unchanged.
 */

interface Damaged {
  root: string;
  /** Runs that cannot be imported (no meta.yaml / invalid meta.yaml / meta.yaml is a folder). */
  lostRuns: number;
  paths: Record<string, string>;
}

function runDirs(root: string): string[] {
  const out: string[] = [];
  for (const exp of readdirSync(root)) {
    if (exp === 'models' || exp.startsWith('.')) continue;
    for (const r of readdirSync(join(root, exp))) {
      const p = join(root, exp, r);
      if (/^[0-9a-f]{32}$/.test(r) && statSync(p).isDirectory()) out.push(p);
    }
  }
  return out.sort();
}

function damage(): Damaged {
  const root = join(copyToTemp(MLRUNS), 'mlruns-small');
  const runs = runDirs(root);
  // The run holding the 100k-point series keeps its meta.yaml; damage its metric file instead.
  const longFile = filesUnder(root)
    .filter((f) => f.includes('/metrics/') && !f.includes('/artifacts/') && !f.includes('/models/'))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  const longRun = longFile.slice(0, longFile.indexOf('/metrics/'));
  const others = runs.filter((r) => r !== longRun && !readFileSync(join(r, 'meta.yaml'), 'utf8').includes('deleted'));
  const [noMeta, badMeta, dirMeta, binParam, loopRun, binMetric] = others;
  const rest = others.slice(6);
  const has = (run: string, sub: string): boolean => filesUnder(join(run, sub)).length > 0;
  const midRun = rest.find((r) => has(r, 'metrics'))!;
  const tagRun = rest.find((r) => r !== midRun && filesUnder(join(r, 'tags')).some((f) => f.endsWith('/mlflow.user')))!;
  const paramRun = rest.find((r) => r !== midRun && r !== tagRun && has(r, 'params'))!;

  // 1. Truncated last line: cut the long series mid-line ("<ts> <va" parses, but is cut short).
  const text = readFileSync(longFile, 'latin1');
  writeFileSync(longFile, text.slice(0, text.length - 6));
  // A truncated line in the middle of a file too (the rest of the file stays readable).
  const midFile = filesUnder(join(midRun, 'metrics'))[0]!;
  writeFileSync(midFile, `1795394745000 0.5 0\n17953947\n${readFileSync(midFile, 'latin1')}`);

  // 2. Missing meta.yaml, invalid meta.yaml, meta.yaml that is a folder.
  rmSync(join(noMeta!, 'meta.yaml'));
  writeFileSync(join(badMeta!, 'meta.yaml'), 'run_id: [unclosed\n  status: {{{\n');
  rmSync(join(dirMeta!, 'meta.yaml'));
  mkdirSync(join(dirMeta!, 'meta.yaml'));

  // 3. Binary data where text was expected: a param and a metric file.
  const bin = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d, 0x0a, 0x1a, 0xff, 0xfe, 0x00, 0x00]);
  mkdirSync(join(binParam!, 'params'), { recursive: true });
  writeFileSync(join(binParam!, 'params', 'weights_blob'), bin);
  mkdirSync(join(binMetric!, 'metrics'), { recursive: true });
  writeFileSync(join(binMetric!, 'metrics', 'garbage'), Buffer.concat([bin, bin, Buffer.from('\n'), bin]));

  // 4. Symlink loops: a folder linking to itself, and a link pointing at itself.
  mkdirSync(join(loopRun!, 'metrics'), { recursive: true });
  symlinkSync('.', join(loopRun!, 'metrics', 'again'));
  symlinkSync('self', join(loopRun!, 'tags', 'self'));

  // 5. Permission error (effective only for a non-root reader, see below).
  const secretTag = join(tagRun, 'tags', 'mlflow.user');
  chmodSync(secretTag, 0o000);
  const secretDir = join(paramRun, 'params');
  chmodSync(secretDir, 0o000);

  // 6. An experiment folder without meta.yaml: reported, its runs not imported.
  mkdirSync(join(root, '123', 'abcdefabcdefabcdefabcdefabcdefab'), { recursive: true });

  return {
    root,
    lostRuns: 3,
    paths: {
      longFile,
      midFile,
      noMeta: noMeta!,
      badMeta: badMeta!,
      dirMeta: dirMeta!,
      binParam: join(binParam!, 'params', 'weights_blob'),
      binMetric: join(binMetric!, 'metrics', 'garbage'),
      loopDir: join(loopRun!, 'metrics', 'again'),
      loopLink: join(loopRun!, 'tags', 'self'),
      secretTag,
      secretDir,
      noExpMeta: join(root, '123', 'meta.yaml'),
    },
  };
}

const find = (issues: ImportIssue[], path: string): ImportIssue | undefined => issues.find((i) => i.path === path);

function checkReport(report: ImportReport, d: Damaged): void {
  const issues = report.issues;
  expect(report.status).toBe('completed');
  expect(find(issues, d.paths.longFile!)?.reason).toMatch(/^truncated last line skipped \(line 100000: /);
  expect(find(issues, d.paths.midFile!)?.reason).toMatch(/1 malformed line\(s\) skipped \(first at line 2/);
  expect(find(issues, join(d.paths.noMeta!, 'meta.yaml'))?.reason).toMatch(/not found/);
  expect(find(issues, d.paths.noMeta!)?.reason).toMatch(/run skipped/);
  expect(find(issues, join(d.paths.badMeta!, 'meta.yaml'))?.reason).toMatch(/invalid meta.yaml/);
  expect(find(issues, join(d.paths.dirMeta!, 'meta.yaml'))?.reason).toMatch(/directory|not a regular file/);
  expect(find(issues, d.paths.binParam!)?.reason).toMatch(/binary data/);
  expect(find(issues, d.paths.binMetric!)?.reason).toMatch(/not a metric file/);
  expect(find(issues, d.paths.loopDir!)?.reason).toMatch(/symlink loop/);
  expect(find(issues, d.paths.loopLink!)?.reason).toMatch(/symlink loop/);
  expect(find(issues, d.paths.noExpMeta!)?.reason).toMatch(/missing meta.yaml/);
}

function checkRestImported(t: TestStore, d: Damaged): void {
  expect(count(t.db, 'SELECT COUNT(*) FROM runs')).toBe(22 - d.lostRuns);
  // The long series lost its truncated last point; everything else is there.
  expect(count(t.db, 'SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM metrics GROUP BY run_pk, key_id)')).toBe(99999);
  expect(count(t.db, 'SELECT COUNT(*) FROM experiments')).toBe(5);
  expect(count(t.db, 'SELECT COUNT(*) FROM registered_models')).toBe(1);
  expect(count(t.db, "SELECT COUNT(*) FROM params WHERE key = 'weights_blob'")).toBe(0);
  expect(count(t.db, "SELECT COUNT(*) FROM metric_keys WHERE key = 'garbage'")).toBe(0);
}

describe('import a damaged mlruns copy', () => {
  let d: Damaged;
  let t: TestStore;
  let report: ImportReport;
  let before: string;
  beforeAll(() => {
    d = damage();
    before = hashTree(d.root);
    t = freshStore();
    report = runImportInProcess(t.db, { paths: [d.root] });
  });
  afterAll(() => {
    t.close();
    chmodSync(d.paths.secretDir!, 0o755);
    rmSync(join(d.root, '..'), { recursive: true, force: true });
  });

  it('reports each kind of damage with the file and the reason', () => {
    if (process.env.SHOW_ISSUES) console.log(report.issues);
    checkReport(report, d);
  });
  it('imports everything else', () => checkRestImported(t, d));
  it('left the damaged source unchanged', () => expect(hashTree(d.root)).toBe(before));
  it('a second import reports the same problems and adds nothing', () => {
    const metrics = count(t.db, 'SELECT COUNT(*) FROM metrics');
    const again = runImportInProcess(t.db, { paths: [d.root] });
    expect(again.issueCount).toBe(report.issueCount);
    expect(again.counts.runsCreated).toBe(0);
    expect(count(t.db, 'SELECT COUNT(*) FROM metrics')).toBe(metrics);
  });

  // Root reads every file whatever its mode, so permission errors are checked as `nobody`.
  const asRoot = process.getuid?.() === 0;
  it.runIf(asRoot)('reports permission errors (import run as an unprivileged user)', () => {
    const script = join(__dirname, '..', 'out', 'test', `import-cli-${process.pid}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({
      stdin: {
        contents: `
          import { openDatabase } from './src-main/store/db';
          import { TrackingStore } from './src-main/store/tracking-store';
          import { runImportInProcess } from './src-main/importers/import-job';
          const db = openDatabase(process.argv[2]);
          new TrackingStore(db);
          process.stdout.write(JSON.stringify(runImportInProcess(db, { paths: [process.argv[3]] })));
          db.close();`,
        resolveDir: join(__dirname, '..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      external: ['better-sqlite3'],
      outfile: script,
      logLevel: 'warning',
    });
    const store = freshStore();
    store.db.close();
    try {
      chmodSync(store.dir, 0o777);
      chmodSync(join(store.dir, 'runlens.db'), 0o666);
      for (const f of ['runlens.db-wal', 'runlens.db-shm']) {
        try {
          chmodSync(join(store.dir, f), 0o666);
        } catch {
          // not there
        }
      }
      // The temp copy's top folder is 0700 (mkdtemp): let `nobody` in.
      chmodSync(join(d.root, '..'), 0o755);
      const res = spawnSync(process.execPath, [script, join(store.dir, 'runlens.db'), d.root], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
      });
      expect(res.stderr).toBe('');
      const asNobody = JSON.parse(res.stdout) as ImportReport;
      expect(find(asNobody.issues, d.paths.secretTag!)?.reason).toBe('permission denied');
      expect(find(asNobody.issues, d.paths.secretDir!)?.reason).toBe('permission denied');
      checkReport(asNobody, d);
    } finally {
      rmSync(store.dir, { recursive: true, force: true });
      rmSync(script, { force: true });
    }
  });
});
