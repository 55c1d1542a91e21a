import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { createExperiment, createRun, finishRun, logBatch, serverUrl } from './mlflow-rest';

/** Shared fixtures for the runs spreadsheet tests (e2e/runs-*.spec.ts). */

export const SHOTS = join(__dirname, '..', 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export const unique = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export async function setTag(request: APIRequestContext, runId: string, key: string, value: string): Promise<void> {
  const res = await request.post(`${serverUrl()}/api/2.0/mlflow/runs/set-tag`, { data: { run_id: runId, key, value } });
  expect(res.ok(), await res.text()).toBe(true);
}

export interface SeededRun {
  id: string;
  name: string;
}

/**
 * One experiment of 8 runs: models rf/xgb/mlp, lr params that sort differently as numbers and
 * as text, accuracy (one run without), loss, a phase tag, and a parent with two nested runs.
 */
export async function seedExperiment(request: APIRequestContext, prefix: string) {
  const name = unique(prefix);
  const experimentId = await createExperiment(request, name);
  const t0 = Date.now() - 3 * 3600_000;
  const spec = [
    { name: 'alpha', model: 'rf', lr: '0.1', acc: 0.91, loss: 0.3 },
    { name: 'bravo', model: 'xgb', lr: '0.01', acc: 0.87, loss: 0.35 },
    { name: 'charlie', model: 'rf', lr: '10', acc: 0.95, loss: 0.2 },
    { name: 'delta', model: 'mlp', lr: '2', acc: null, loss: 0.5 },
    { name: 'echo', model: 'xgb', lr: '0.5', acc: 0.78, loss: 0.6 },
    { name: 'foxtrot', model: 'rf', lr: '1', acc: 0.83, loss: 0.4 },
  ];
  const runs: SeededRun[] = [];
  for (const [i, r] of spec.entries()) {
    const id = await createRun(request, experimentId, r.name, t0 + i * 60_000);
    const metrics: Record<string, number> = { loss: r.loss };
    if (r.acc !== null) metrics.accuracy = r.acc;
    await logBatch(request, id, metrics, { model: r.model, lr: r.lr }, 0);
    await setTag(request, id, 'phase', i % 2 ? 'tuning' : 'baseline');
    await finishRun(request, id, i === 4 ? 'FAILED' : 'FINISHED', t0 + i * 60_000 + 30_000 + i * 1000);
    runs.push({ id, name: r.name });
  }
  const parent = await createRun(request, experimentId, 'sweep-parent', t0 + 10 * 60_000);
  await logBatch(request, parent, { accuracy: 0.5 }, { model: 'sweep' });
  for (const child of ['trial-1', 'trial-2']) {
    const id = await createRun(request, experimentId, child, t0 + 11 * 60_000);
    await setTag(request, id, 'mlflow.parentRunId', parent);
    await logBatch(request, id, { accuracy: child === 'trial-1' ? 0.6 : 0.7 }, { model: 'sweep' });
    runs.push({ id, name: child });
  }
  runs.push({ id: parent, name: 'sweep-parent' });
  return { name, experimentId, runs };
}

export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/status of 400/.test(msg.text()) || /Permissions-Policy/.test(msg.text())) return;
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

/** Loaded run rows (not placeholders, not group headers), in display order. */
export const runRows = (page: Page) => page.locator('.body-row[data-run-id]');
export const rowOf = (page: Page, name: string) =>
  page.locator('.body-row[data-run-id]', { has: page.locator('.run-name', { hasText: new RegExp(`^${name}$`) }) });

export async function runNames(page: Page): Promise<string[]> {
  return page.locator('.body-row[data-run-id] .run-name').allInnerTexts();
}

export async function openExperiment(page: Page, experimentId: string): Promise<void> {
  await page.goto(`${serverUrl()}/#/experiments/${experimentId}`);
  await expect(runRows(page).first()).toBeVisible();
}

/** Applies an MLflow filter through the filter box. */
export async function applyFilter(page: Page, filter: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Filter runs' });
  await box.fill(filter);
  await box.press('Enter');
}
