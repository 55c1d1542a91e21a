import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createExperiment, createRun, finishRun, logBatch, serverUrl } from './mlflow-rest';

/** Screenshots land here for humans to look at (not compared). */
const SHOTS = join(__dirname, '..', 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const unique = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // A 400 is the expected answer to the deliberately invalid filter; anything else is a problem.
    if (/status of 400/.test(msg.text())) return;
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

const rows = (page: Page) => page.locator('.body-row:not(.placeholder)');
const row = (page: Page, name: string) => page.locator('.body-row', { hasText: name });
const experimentItem = (page: Page, name: string) => page.locator('.experiment-item', { hasText: name });

test('runs logged through the REST API appear in the UI, and new ones arrive live', async ({ page, request }) => {
  const problems = watchConsole(page);
  const exp = unique('first-window');
  const expId = await createExperiment(request, exp);
  const t0 = Date.now() - 60 * 60 * 1000;
  const runs = [
    { name: 'run-alpha', accuracy: 0.913, loss: 0.2412, lr: '0.01', optimizer: 'adam' },
    { name: 'run-bravo', accuracy: 0.874, loss: 0.3307, lr: '0.1', optimizer: 'sgd' },
    { name: 'run-charlie', accuracy: 0.951, loss: 0.1523, lr: '0.001', optimizer: 'adam' },
  ];
  for (const [i, r] of runs.entries()) {
    const id = await createRun(request, expId, r.name, t0 + i * 60_000);
    await logBatch(
      request,
      id,
      { accuracy: r.accuracy - 0.1, loss: r.loss + 0.1 },
      { lr: r.lr, optimizer: r.optimizer },
      0,
    );
    await logBatch(request, id, { accuracy: r.accuracy, loss: r.loss }, {}, 1);
    await finishRun(request, id, i === 1 ? 'FAILED' : 'FINISHED', t0 + i * 60_000 + 95_000 + i * 1000);
  }

  await page.goto(serverUrl());
  await experimentItem(page, exp).click();
  await expect(page.getByRole('heading', { name: exp })).toBeVisible();
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId('run-total')).toHaveText('3 runs');
  for (const r of runs) {
    const line = row(page, r.name);
    await expect(line).toBeVisible();
    // The latest metric values (step 1), not the first ones, and the params.
    await expect(line).toContainText(String(r.accuracy));
    await expect(line).toContainText(String(r.loss));
    await expect(line).toContainText(r.optimizer);
  }
  await expect(row(page, 'run-bravo')).toContainText('Failed');
  await expect(row(page, 'run-alpha')).toContainText('Finished');
  await expect(row(page, 'run-alpha')).toContainText('1m 35s');
  // Newest first by default.
  await expect(rows(page).first()).toContainText('run-charlie');
  await expect(experimentItem(page, exp)).toContainText('3');
  await expect(page.getByRole('status')).toContainText('Live');
  await page.screenshot({ path: join(SHOTS, 'runs-light.png') });

  // MLflow's filter grammar, evaluated in the main process.
  const filter = page.getByRole('textbox', { name: 'Filter runs' });
  await filter.fill("metrics.accuracy > 0.9 and params.optimizer = 'adam'");
  await filter.press('Enter');
  await expect(rows(page)).toHaveCount(2);
  await expect(page.getByTestId('run-total')).toHaveText('2 runs match');
  await expect(row(page, 'run-bravo')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'runs-filtered-light.png') });
  await filter.fill('metrics.accuracy >');
  await filter.press('Enter');
  await expect(page.getByRole('alert')).toContainText('Invalid');
  await filter.press('Escape');
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Sorting happens in the main process: best accuracy first, then worst first.
  await page.getByRole('button', { name: /^accuracy/ }).click();
  await expect(rows(page).first()).toContainText('run-charlie');
  await expect(rows(page).last()).toContainText('run-bravo');
  await page.getByRole('button', { name: /^accuracy/ }).click();
  await expect(rows(page).first()).toContainText('run-bravo');

  // Live: a run logged while the page is open appears without a reload.
  await page.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));
  const liveId = await createRun(request, expId, 'run-delta-live');
  const started = Date.now(); // the run exists from here on
  await logBatch(request, liveId, { accuracy: 0.777, f1: 0.8123 }, { lr: '0.05', optimizer: 'adamw' });
  await expect(row(page, 'run-delta-live')).toBeVisible({ timeout: 3_000 });
  const arrivalMs = Date.now() - started;
  await expect(row(page, 'run-delta-live')).toContainText('Running');
  await expect(row(page, 'run-delta-live')).toContainText('0.777');
  // A metric key no run had before becomes a column.
  await expect(page.getByRole('button', { name: /^f1/ })).toBeVisible();
  await expect(row(page, 'run-delta-live')).toContainText('0.8123');
  await expect(page.getByTestId('run-total')).toHaveText('4 runs');
  await expect(experimentItem(page, exp)).toContainText('4');

  // Updates to a run already shown land too.
  await logBatch(request, liveId, { accuracy: 0.801 }, {}, 5);
  await finishRun(request, liveId);
  await expect(row(page, 'run-delta-live')).toContainText('0.801');
  await expect(row(page, 'run-delta-live')).toContainText('Finished');

  expect(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  console.log(`live run visible ${arrivalMs} ms after runs/create returned`);
  await page.screenshot({ path: join(SHOTS, 'runs-live-light.png') });

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'runs-dark.png') });
  expect(problems).toEqual([]);
});

test('an experiment without runs shows the line to add to a script', async ({ page, request }) => {
  const problems = watchConsole(page);
  const exp = unique('empty');
  await createExperiment(request, exp);
  await page.goto(serverUrl());
  await experimentItem(page, exp).click();
  await expect(page.getByRole('heading', { name: `No runs in “${exp}” yet` })).toBeVisible();
  await expect(page.getByTestId('export-line')).toHaveText(`export MLFLOW_TRACKING_URI=${serverUrl()}`);
  await expect(page.locator('.code-block')).toContainText(`mlflow.set_experiment("${exp}")`);
  await page.screenshot({ path: join(SHOTS, 'empty-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'empty-dark.png') });
  expect(problems).toEqual([]);
});

test('scrolls through 600 runs loading windows on demand', async ({ page, request }) => {
  const exp = unique('many');
  const expId = await createExperiment(request, exp);
  const t0 = Date.now() - 10 * 24 * 3600 * 1000;
  for (let i = 0; i < 600; i++) {
    const id = await createRun(request, expId, `many-${String(i).padStart(4, '0')}`, t0 + i * 1000);
    if (i % 100 === 0) await logBatch(request, id, { score: i / 600 });
  }
  await page.goto(serverUrl());
  await experimentItem(page, exp).click();
  await expect(page.getByTestId('run-total')).toHaveText('600 runs');
  await expect(rows(page).first()).toContainText('many-0599');
  // Far fewer rows in the DOM than runs: the table is virtualized, and windows load on demand.
  expect(await page.locator('.body-row').count()).toBeLessThan(120);
  const windowRequests: number[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/runs-window')) windowRequests.push(JSON.parse(r.postData() ?? '{}').offset);
  });
  await page.locator('.grid-scroll').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(row(page, 'many-0000')).toBeVisible();
  expect(Math.max(...windowRequests)).toBeGreaterThanOrEqual(400);
  await page.screenshot({ path: join(SHOTS, 'many-bottom.png') });
});

test('the UI API refuses requests without the launch token', async ({ request, page }) => {
  const api = `${serverUrl()}/runlens-api/v1/experiments`;
  expect((await request.get(api)).status()).toBe(403);
  expect((await request.get(api, { headers: { 'x-runlens-token': 'guess' } })).status()).toBe(403);
  expect((await request.get(`${serverUrl()}/runlens-api/v1/events?token=guess`)).status()).toBe(403);
  // The page's own token works, and the document is served with a strict CSP.
  const res = await page.goto(serverUrl());
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  const token = await page.locator('meta[name="runlens-token"]').getAttribute('content');
  expect(token).toBeTruthy();
  expect((await request.get(api, { headers: { 'x-runlens-token': token! } })).status()).toBe(200);
  // DNS rebinding: a foreign Host is refused even with the token.
  expect((await request.get(api, { headers: { 'x-runlens-token': token!, host: 'evil.example:80' } })).status()).toBe(
    403,
  );
});
