import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { generateMlruns } from '../bench/mlruns-generator';
import { createExperiment, createRun, finishRun, logBatch, serverUrl } from './mlflow-rest';

/**
 * Issue 3's UI in serve mode (a browser, no Electron paths): import the fixture `mlruns` folder by
 * folder upload (a damaged copy, so the report has skipped items) and by typed path, an
 * `mlflow.db` by a synthetic drop onto the window, the errors for things that are not importable,
 * and a large import that keeps the UI usable and is cancelled. Counts come from the fixture files.
 */

const SHOTS = join(__dirname, '..', 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const FIXTURES = resolve(__dirname, '..', 'tests', 'fixtures');
const MLRUNS = join(FIXTURES, 'mlruns-small');
const MLFLOW_DB = join(FIXTURES, 'mlflow-small.db');

test.describe.configure({ mode: 'serial' });

// ---------------------------------------------------------------- the fixture, read from disk

interface FixtureRun {
  dir: string;
  name: string;
  active: boolean;
  child: boolean;
}
interface FixtureExperiment {
  dir: string;
  name: string;
  runs: FixtureRun[];
}

const field = (yaml: string, key: string): string =>
  (new RegExp(`^${key}: (.*)$`, 'm').exec(yaml)?.[1] ?? '').replace(/^'(.*)'$/, '$1');

function readFixture(root: string): FixtureExperiment[] {
  const out: FixtureExperiment[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (name === 'models' || name.startsWith('.') || !existsSync(join(dir, 'meta.yaml'))) continue;
    const runs: FixtureRun[] = [];
    for (const r of readdirSync(dir)) {
      const meta = join(dir, r, 'meta.yaml');
      if (!/^[0-9a-f]{32}$/.test(r) || !existsSync(meta)) continue;
      const yaml = readFileSync(meta, 'utf8');
      runs.push({
        dir: join(dir, r),
        name: field(yaml, 'run_name'),
        active: field(yaml, 'lifecycle_stage') === 'active',
        child: existsSync(join(dir, r, 'tags', 'mlflow.parentRunId')),
      });
    }
    out.push({ dir, name: field(readFileSync(join(dir, 'meta.yaml'), 'utf8'), 'name'), runs });
  }
  return out;
}

const experiments = readFixture(MLRUNS);
/** Every run of the folder, also those of deleted experiments (moved to `.trash/`). */
const TOTAL_RUNS = [...experiments, ...readFixture(join(MLRUNS, '.trash'))].reduce((n, e) => n + e.runs.length, 0);
const activeRuns = (name: string): number =>
  experiments.find((e) => e.name === name)!.runs.filter((r) => r.active).length;
const byName = (name: string): FixtureExperiment => experiments.find((e) => e.name === name)!;
const IMPORTED = ['iris-classification', 'long-training', 'nlp-sentiment'];

// ---------------------------------------------------------------- page helpers

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

const experimentCount = (page: Page, name: string): Locator =>
  page
    .locator('.experiment-item', { has: page.locator('.experiment-name', { hasText: new RegExp(`^${name}$`) }) })
    .locator('.experiment-count');
const importDialog = (page: Page): Locator => page.getByTestId('import-dialog');
const latestTask = (page: Page): Locator => page.getByTestId('import-task').first();

async function openImportDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = importDialog(page);
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Waits for the newest import to end; returns every progress value seen on its bar on the way. */
async function watchToTheEnd(page: Page, outcome = 'completed'): Promise<number[]> {
  const task = latestTask(page);
  const bar = task.getByRole('progressbar');
  const seen: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const [stage, now] = await Promise.all([task.getAttribute('data-stage'), bar.getAttribute('aria-valuenow')]);
    if (now !== null && seen[seen.length - 1] !== Number(now)) seen.push(Number(now));
    if (stage === 'finished') break;
    await page.waitForTimeout(50);
  }
  await expect(task).toHaveAttribute('data-stage', 'finished');
  await expect(task).toHaveAttribute('data-outcome', outcome);
  await expect(bar).toHaveAttribute('aria-valuenow', '100');
  return seen;
}

// ---------------------------------------------------------------- tests

let work: string;
test.beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runlens-e2e-import-'));
});
test.afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

test('a folder upload imports a damaged mlruns copy, shows progress, the runs and the skipped files', async ({
  page,
}) => {
  const problems = watchConsole(page);
  // A copy with a run whose meta.yaml is garbage and a metric file with a truncated last line.
  const copy = join(work, 'upload', 'mlruns-small');
  cpSync(MLRUNS, copy, { recursive: true });
  const iris = byName('iris-classification');
  const broken = iris.runs.find((r) => r.active && !r.child && r.name === 'final-model-v2')!;
  const brokenMeta = join(copy, iris.dir.slice(MLRUNS.length), broken.dir.slice(iris.dir.length), 'meta.yaml');
  writeFileSync(brokenMeta, Buffer.from([0x00, 0xff, 0x3a, 0x5b, 0x0a, 0x7b]));
  const grid = iris.runs.find((r) => r.name === 'grid-search')!;
  const metricsDir = join(copy, grid.dir.slice(MLRUNS.length), 'metrics');
  const metricFile = readdirSync(metricsDir)[0]!;
  appendFileSync(join(metricsDir, metricFile), '1795394999999 0.5');

  await page.goto(serverUrl());
  const dialog = await openImportDialog(page);
  await dialog.getByTestId('import-folder-input').setInputFiles(copy);
  const selection = dialog.getByRole('list', { name: 'To import' }).getByRole('listitem');
  await expect(selection).toHaveCount(1);
  await expect(selection).toContainText('mlruns-small');
  await expect(selection).toContainText('will be uploaded');
  // An upload is a temporary copy: its artifacts are always copied in.
  const copyBox = dialog.getByRole('checkbox', { name: 'Copy artifacts into Runlens' });
  await expect(copyBox).toBeChecked();
  await expect(copyBox).toBeDisabled();
  await page.screenshot({ path: join(SHOTS, 'import-dialog-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-dialog-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toHaveCount(0);

  const task = latestTask(page);
  await expect(task).toHaveAttribute('data-stage', /uploading|starting|importing|finished/);
  const seen = await watchToTheEnd(page);
  console.log(`folder upload: progress values seen ${seen.join(' → ')}`);
  const total = TOTAL_RUNS;
  expect(total).toBe(22); // the fixtures README
  const summary = task.getByTestId('import-summary');
  await expect(summary).toContainText(new RegExp(`(^|\\D)${total - 1} runs imported`));
  await expect(summary).toContainText(/(^|\D)0 unchanged/);
  await expect(task).toHaveAccessibleName('Imported mlruns-small');

  // The experiments list refreshed on `done`: counts per experiment as in the fixture.
  await expect(experimentCount(page, 'iris-classification')).toHaveText(String(activeRuns('iris-classification') - 1));
  await expect(experimentCount(page, 'long-training')).toHaveText(String(activeRuns('long-training')));
  await expect(experimentCount(page, 'nlp-sentiment')).toHaveText(String(activeRuns('nlp-sentiment')));
  await page.screenshot({ path: join(SHOTS, 'import-done-light.png') });

  // The report lists each damaged file (paths as dropped, not the server's temp folder).
  await task.getByRole('button', { name: 'View report' }).click();
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible();
  await expect(report.locator('.imp-badge')).toHaveText('completed');
  const skipped = report.getByRole('region', { name: 'Skipped items' });
  const brokenRel = `mlruns-small${brokenMeta.slice(copy.length)}`;
  await expect(skipped.getByRole('row', { name: new RegExp(brokenRel.replace(/[.]/g, '\\.')) })).toBeVisible();
  await expect(skipped).toContainText(`mlruns-small${join(metricsDir, metricFile).slice(copy.length)}`);
  await expect(skipped).not.toContainText('import-uploads');
  const mapping = report.getByRole('region', { name: 'Experiments' });
  for (const name of IMPORTED) await expect(mapping.getByRole('button', { name })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'import-report-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-report-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // From the report straight to an imported experiment's runs.
  await mapping.getByRole('button', { name: 'nlp-sentiment' }).click();
  await expect(report).toHaveCount(0);
  for (const r of byName('nlp-sentiment').runs.filter((x) => x.active && !x.child)) {
    await expect(page.locator('.body-row:not(.placeholder)', { hasText: r.name }).first()).toBeVisible();
  }
  expect(problems).toEqual([]);
});

test('the path field imports the fixture in place; importing again adds only what was missing', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(serverUrl());
  const dialog = await openImportDialog(page);
  const copyBox = dialog.getByRole('checkbox', { name: 'Copy artifacts into Runlens' });
  await expect(copyBox).not.toBeChecked();
  await expect(copyBox).toBeEnabled();
  await dialog.getByLabel('Import from a folder or file path on this machine').fill(MLRUNS);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await watchToTheEnd(page);
  const summary = latestTask(page).getByTestId('import-summary');
  // The run whose meta.yaml was broken in the uploaded copy comes in now; the rest is unchanged.
  await expect(summary).toContainText(/(^|\D)1 run imported/);
  const total = TOTAL_RUNS;
  await expect(summary).toContainText(new RegExp(`(^|\\D)${total - 1} unchanged`));
  for (const name of IMPORTED) await expect(experimentCount(page, name)).toHaveText(String(activeRuns(name)));

  await page.locator('.experiment-item', { hasText: 'iris-classification' }).click();
  for (const r of byName('iris-classification').runs.filter((x) => x.active && !x.child)) {
    await expect(page.locator('.body-row:not(.placeholder)', { hasText: r.name }).first()).toBeVisible();
  }
  await page.screenshot({ path: join(SHOTS, 'import-runs-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-runs-dark.png') });
  expect(problems).toEqual([]);
});

test('paths and files that are not an mlruns folder or an mlflow.db are refused with a clear message', async ({
  page,
}) => {
  const problems = watchConsole(page);
  const empty = join(work, 'just-photos');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'cat.jpg'), 'not a run');
  const notDb = join(work, 'notes.db');
  writeFileSync(notDb, 'plain text, not SQLite');

  await page.goto(serverUrl());
  const dialog = await openImportDialog(page);
  const path = dialog.getByLabel('Import from a folder or file path on this machine');
  const go = dialog.getByRole('button', { name: 'Import', exact: true });
  const alert = dialog.getByRole('alert');

  await path.fill(empty);
  await go.click();
  await expect(alert).toHaveText(
    `'${empty}' is not an mlruns folder or an mlflow.db file (no mlruns folder or mlflow.db found here)`,
  );
  await path.fill(notDb);
  await go.click();
  await expect(alert).toContainText(`'${notDb}' is not an mlruns folder or an mlflow.db file`);
  await path.fill(join(work, 'missing', 'mlruns'));
  await go.click();
  await expect(alert).toHaveText(`'${join(work, 'missing', 'mlruns')}' does not exist`);
  await path.fill('relative/mlruns');
  await go.click();
  await expect(alert).toContainText('Enter the full path');
  await page.screenshot({ path: join(SHOTS, 'import-error-light.png') });

  // The same check before uploading a file that is not SQLite.
  await path.fill('');
  await dialog.getByTestId('import-db-input').setInputFiles(notDb);
  await go.click();
  await expect(alert).toHaveText("'notes.db' is not an mlruns folder or an mlflow.db file (not an SQLite database)");
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-error-dark.png') });
  // Nothing started.
  await expect(page.getByTestId('import-task')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('an mlflow.db dropped onto the window is uploaded and imported', async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto(serverUrl());
  await expect(experimentCount(page, 'iris-classification')).toHaveText(String(activeRuns('iris-classification')));
  // A drop from the desktop, synthesized: a DataTransfer holding the file, dragged over the window.
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'e2e-drop-source';
    input.hidden = true;
    document.body.append(input);
  });
  await page.setInputFiles('#e2e-drop-source', MLFLOW_DB);
  await page.evaluate(() => {
    const input = document.getElementById('e2e-drop-source') as HTMLInputElement;
    const dt = new DataTransfer();
    for (const f of input.files ?? []) dt.items.add(f);
    const target = document.querySelector('.main') ?? document.body;
    const fire = (type: string): void => {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    };
    fire('dragenter');
    // Browsers repeat dragover while a drag hovers.
    const w = window as unknown as { __e2eDrag: ReturnType<typeof setInterval>; __e2eDrop: () => void };
    w.__e2eDrag = setInterval(() => fire('dragover'), 50);
    w.__e2eDrop = () => {
      clearInterval(w.__e2eDrag);
      fire('drop');
    };
  });
  const overlay = page.getByTestId('import-drop-overlay');
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText('Drop an mlruns folder or mlflow.db to import');
  await page.screenshot({ path: join(SHOTS, 'import-drop-overlay-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-drop-overlay-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.evaluate(() => (window as unknown as { __e2eDrop: () => void }).__e2eDrop());
  await expect(overlay).toHaveCount(0);

  const dialog = importDialog(page);
  await expect(dialog).toBeVisible();
  const selection = dialog.getByRole('list', { name: 'To import' }).getByRole('listitem');
  await expect(selection).toContainText('mlflow-small.db');
  await expect(selection).toContainText('will be uploaded');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await watchToTheEnd(page);
  // Other run ids than the folder's: the db's runs come in beside them, merged by experiment name.
  const total = TOTAL_RUNS;
  await expect(latestTask(page).getByTestId('import-summary')).toContainText(
    new RegExp(`(^|\\D)${total} runs imported`),
  );
  for (const name of IMPORTED) await expect(experimentCount(page, name)).toHaveText(String(2 * activeRuns(name)));
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-db-done-dark.png') });
  expect(problems).toEqual([]);
});

test('a large import runs in the background: Cancel stops it, a re-run completes it, the UI stays usable', async ({
  page,
  request,
}) => {
  // Writing and importing millions of points on a busy 2-core machine takes a while.
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  const big = join(work, 'big-mlruns');
  const RUNS = 200;
  const t0 = Date.now();
  generateMlruns(big, { runs: RUNS, metrics: 10, steps: 2000 });
  console.log(`generated ${(RUNS * 10 * 2000) / 1e6}M metric points in ${Date.now() - t0} ms`);
  const points = async (task: Locator): Promise<string> =>
    (await task.getByTestId('import-count-points').textContent()) ?? '';

  await page.goto(serverUrl());
  let dialog = await openImportDialog(page);
  await dialog.getByLabel('Import from a folder or file path on this machine').fill(big);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  const task = latestTask(page);
  await expect(task).toHaveAccessibleName('Importing big-mlruns');
  // Counts move while it runs; then Cancel stops it between two transactions.
  await expect.poll(() => points(task), { timeout: 30_000 }).toMatch(/^[1-9]/);
  await expect(task.getByRole('progressbar')).not.toHaveAttribute('aria-valuenow', '100');
  await page.screenshot({ path: join(SHOTS, 'import-progress-light.png') });
  await task.getByRole('button', { name: 'Cancel' }).click();
  await watchToTheEnd(page, 'cancelled');
  await expect(task).toHaveAccessibleName('Import of big-mlruns cancelled');
  await task.getByRole('button', { name: 'View report' }).click();
  const report = page.getByTestId('import-report');
  await expect(report.locator('.imp-badge')).toHaveText('cancelled');
  await report.locator('.imp-modal-foot').getByRole('button', { name: 'Close' }).click();
  await task.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('import-task')).toHaveCount(0);

  // Importing again completes it. A reload (or another window) finds the running import again.
  dialog = await openImportDialog(page);
  await dialog.getByLabel('Import from a folder or file path on this machine').fill(big);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(task).toHaveAttribute('data-stage', 'importing');
  await page.reload();
  await expect(task).toHaveAccessibleName(/big-mlruns/);
  // Meanwhile the REST port takes writes and the UI stays usable: a run logged now shows up.
  const exp = `during-import-${Date.now().toString(36)}`;
  const runId = await createRun(request, await createExperiment(request, exp), 'logged-while-importing');
  await logBatch(request, runId, { accuracy: 0.5 }, { lr: '0.1' });
  await finishRun(request, runId);
  await page.locator('.experiment-item', { hasText: exp }).click();
  await expect(page.locator('.body-row:not(.placeholder)', { hasText: 'logged-while-importing' })).toBeVisible();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'import-progress-dark.png') });
  await watchToTheEnd(page);
  const summary = (await task.getByTestId('import-summary').textContent()) ?? '';
  const count = (re: RegExp): number => Number(re.exec(summary)![1]!.replace(/,/g, ''));
  const imported = count(/([\d,]+) runs? imported/);
  const updated = count(/([\d,]+) updated/);
  const unchanged = count(/([\d,]+) unchanged/);
  // Nothing twice: what the cancelled import brought in is found again, the rest is new.
  expect(imported + updated + unchanged).toBe(RUNS);
  expect(imported).toBeGreaterThan(0);
  expect(unchanged + updated).toBeGreaterThan(0);
  await expect(experimentCount(page, 'bench-1')).toHaveText(String(Math.min(RUNS, 100)));
  await page.screenshot({ path: join(SHOTS, 'import-rerun-done-dark.png') });
  expect(problems).toEqual([]);
});
