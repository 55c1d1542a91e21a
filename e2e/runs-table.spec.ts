import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect as baseExpect, test } from '@playwright/test';
import { createRun, logBatch, serverUrl } from './mlflow-rest';
import {
  SHOTS,
  applyFilter,
  openExperiment,
  rowOf,
  runNames,
  runRows,
  seedExperiment,
  watchConsole,
} from './runs-helpers';

// This 2-core machine is shared with other suites: give the UI time before calling it broken.
const expect = baseExpect.configure({ timeout: 15_000 });

/**
 * The runs spreadsheet against real serve mode: filter (autocomplete, inline errors), sort,
 * group, column chooser, shift-selection, CSV export, keyboard, deep links, live arrival.
 */

test('filters with the MLflow grammar, autocompletes keys and values, and points at mistakes', async ({
  page,
  request,
}) => {
  const problems = watchConsole(page);
  const { experimentId } = await seedExperiment(request, 'filter');
  await openExperiment(page, experimentId);
  await expect(page.getByTestId('run-total')).toHaveText('9 runs');

  const box = page.getByRole('textbox', { name: 'Filter runs' });
  await box.click();
  await box.pressSequentially('params.mo');
  const suggestions = page.getByRole('listbox', { name: 'Suggestions' });
  await expect(suggestions.getByRole('option', { name: /model/ })).toBeVisible();
  await box.press('Tab');
  await expect(box).toHaveValue('params.model ');
  await box.pressSequentially('= ');
  // Values of the key come from the main process.
  await expect(suggestions.getByRole('option', { name: /xgb/ })).toBeVisible();
  await box.pressSequentially("'x");
  await expect(suggestions.getByRole('option')).toHaveCount(1);
  await box.press('Tab');
  await expect(box).toHaveValue("params.model = 'xgb' ");
  await box.press('Enter');
  await expect(page.getByTestId('run-total')).toHaveText('2 runs match');
  expect((await runNames(page)).sort()).toEqual(['bravo', 'echo']);

  // A mistake is underlined where it is, with MLflow's message, and nothing is applied.
  await box.fill("params.model = 'xgb' and metrics.loss <<< 3");
  await box.press('Enter');
  await expect(page.getByRole('alert')).toContainText("Invalid comparator '<<<'");
  await expect(page.locator('.filter-bad')).toHaveText('<<<');
  await expect(page.getByTestId('run-total')).toHaveText('2 runs match');
  await box.fill('metrics.accuracy > 0.85');
  await box.press('Enter');
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect((await runNames(page)).sort()).toEqual(['alpha', 'bravo', 'charlie']);

  // Quick search on names and the status filter combine with it.
  await page.getByRole('searchbox', { name: 'Search run names' }).fill('CHAR');
  await expect(page.getByTestId('run-total')).toHaveText('1 run matches');
  await page.getByRole('searchbox', { name: 'Search run names' }).fill('');
  await box.press('Escape'); // closes nothing open, so clears the filter
  await expect(page.getByTestId('run-total')).toHaveText('9 runs');
  await page.getByRole('button', { name: /Any status/ }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Failed' }).click();
  await expect(page.getByTestId('run-total')).toHaveText('1 run matches');
  expect(await runNames(page)).toEqual(['echo']);
  await page.screenshot({ path: join(SHOTS, 'runs-status-filter.png') });
  expect(problems).toEqual([]);
});

test('sorts in the main process: numbers as numbers, missing values last, several keys with shift', async ({
  page,
  request,
}) => {
  const { experimentId } = await seedExperiment(request, 'sort');
  await openExperiment(page, experimentId);
  const header = (label: string) => page.locator('.cell.head').getByRole('button', { name: label, exact: true });

  // Metrics: biggest first on the first click, missing (delta) last both ways.
  await header('accuracy').click();
  await expect(runRows(page).first()).toContainText('charlie');
  let names = await runNames(page);
  expect(names[names.length - 1]).toBe('delta');
  await header('accuracy').click();
  await expect(runRows(page).first()).toContainText('sweep-parent');
  names = await runNames(page);
  expect(names[names.length - 1]).toBe('delta');

  // Params holding numbers sort as numbers (0.01 < 0.1 < 0.5 < 1 < 2 < 10), not as text.
  await header('lr').click();
  await expect(runRows(page).first()).toContainText('bravo');
  names = await runNames(page);
  expect(names.slice(0, 6)).toEqual(['bravo', 'alpha', 'echo', 'foxtrot', 'delta', 'charlie']);

  // Shift-click adds a second key: model A→Z, then accuracy within each model.
  await header('model').click();
  await header('accuracy').click({ modifiers: ['Shift'] });
  await expect(page.locator('.cell.head[aria-sort="descending"]')).toHaveCount(1);
  await expect(page.locator('.sort-indicator sup')).toHaveCount(2);
  names = await runNames(page);
  expect(names.slice(0, 5)).toEqual(['delta', 'charlie', 'alpha', 'foxtrot', 'sweep-parent']);
});

test('groups by a param with per-group aggregates, collapsible', async ({ page, request }) => {
  const { experimentId } = await seedExperiment(request, 'group');
  await openExperiment(page, experimentId);
  await page.getByRole('button', { name: 'Group by ▾' }).click();
  await page.getByRole('searchbox', { name: 'Search group keys' }).fill('model');
  await page.getByRole('checkbox', { name: /param\s*model/ }).check();
  await page.keyboard.press('Escape');
  const groups = page.locator('.group-row');
  await expect(groups).toHaveCount(4);
  await expect(groups.nth(0)).toContainText('mlp');
  await expect(groups.nth(1)).toContainText('rf');
  // rf: 3 runs, mean accuracy (0.91 + 0.95 + 0.83) / 3 = 0.89667
  const rf = page.locator('.group-row', { hasText: 'rf' });
  await expect(rf.locator('.group-count')).toHaveText('3');
  await expect(rf).toContainText('0.89667');
  await page.screenshot({ path: join(SHOTS, 'runs-grouped.png') });
  await rf.click();
  await expect(rf).toHaveAttribute('aria-expanded', 'false');
  await expect(rowOf(page, 'charlie')).toHaveCount(0);
  await rf.click();
  await expect(rowOf(page, 'charlie')).toBeVisible();
  // The group statistic can be switched.
  await page.getByRole('button', { name: /Grouped: model/ }).click();
  await page.getByRole('combobox', { name: 'Aggregate shown in group rows' }).selectOption('max');
  await page.keyboard.press('Escape');
  await expect(rf).toContainText('0.95');
});

test('the column chooser searches keys, adds and removes columns, min/max, and only fetches those', async ({
  page,
  request,
}) => {
  const { experimentId } = await seedExperiment(request, 'columns');
  // 1,500 more param keys on one run: the chooser must stay searchable.
  const wide = await createRun(request, experimentId, 'wide');
  const params: Record<string, string> = {};
  for (let i = 0; i < 1500; i++) params[`hp_${String(i).padStart(4, '0')}`] = String(i);
  for (let i = 0; i < 1500; i += 100) {
    await logBatch(request, wide, {}, Object.fromEntries(Object.entries(params).slice(i, i + 100)));
  }
  await openExperiment(page, experimentId);
  await page.getByRole('button', { name: 'Columns ▾' }).click();
  const search = page.getByRole('searchbox', { name: 'Search columns' });
  await search.fill('hp_1234');
  await expect(page.locator('.chooser-row')).toHaveCount(1);
  await page.getByRole('checkbox', { name: 'param hp_1234' }).check();
  await page.keyboard.press('Escape');
  // An added column comes into view (the table scrolls sideways to it).
  await expect(page.locator('.cell.head[data-column-id="p:hp_1234"]')).toBeVisible();
  await page.getByRole('button', { name: 'Columns ▾' }).click();
  await search.fill('loss');
  await page.getByRole('button', { name: 'min of loss' }).click();
  await search.fill('phase');
  await page.getByRole('checkbox', { name: 'tag phase' }).check();
  await page.keyboard.press('Escape');
  await expect(page.locator('.cell.head[data-column-id="t:phase"]')).toBeVisible();
  await expect(page.locator('.cell.head[data-column-id="mmin:loss"]')).toBeVisible();
  await expect(rowOf(page, 'charlie').locator('.cell', { hasText: 'baseline' })).toBeVisible();

  // Only chosen columns in or near the viewport travel: the table is scrolled to its right end
  // (the added columns), so the first params are not asked for, nor keys nobody chose.
  const asked = page.waitForRequest((r) => r.url().endsWith('/runs-window'));
  await page.getByRole('button', { name: 'Columns ▾' }).click();
  await page.getByRole('searchbox', { name: 'Search columns' }).fill('accuracy');
  await page.getByRole('checkbox', { name: 'metric accuracy' }).uncheck();
  await page.keyboard.press('Escape');
  const body = JSON.parse((await asked).postData() ?? '{}') as {
    columns: { metrics: string[]; metricMin: string[]; params: string[]; tags: string[] };
  };
  expect(body.columns.params).toContain('hp_1234');
  expect(body.columns.metricMin).toEqual(['loss']);
  expect(body.columns.tags).toEqual(['phase']);
  expect(body.columns.metrics).not.toContain('accuracy');
  // Automatic columns cap params at 100 of the 1,502 keys; a key nobody chose is not fetched.
  expect(body.columns.params).not.toContain('hp_1300');
  expect(body.columns.params).not.toContain('hp_0000');
  expect(body.columns.params.length).toBeLessThan(40);
  await expect(page.locator('.cell.head[data-column-id="m:accuracy"]')).toHaveCount(0);

  // Back at the left edge, the columns scrolled into view are fetched and filled in.
  await page.getByTestId('runs-grid').evaluate((el) => (el.scrollLeft = 0));
  await expect(rowOf(page, 'wide').locator('.cell', { hasText: /^0$/ })).toBeVisible(); // hp_0000
  await expect(rowOf(page, 'wide').locator('.skeleton')).toHaveCount(0);
});

test('selects with click, shift-click and ctrl-click, and exports exactly the view as CSV', async ({
  page,
  request,
}) => {
  const { experimentId } = await seedExperiment(request, 'select');
  await openExperiment(page, experimentId);
  await applyFilter(page, "params.model != 'sweep'");
  await expect(page.getByTestId('run-total')).toHaveText('6 runs match');
  await page.locator('.cell.head').getByRole('button', { name: 'loss', exact: true }).click(); // biggest first
  await expect(runRows(page).first()).toContainText('echo');
  const order = await runNames(page);
  expect(order).toEqual(['echo', 'delta', 'foxtrot', 'bravo', 'alpha', 'charlie']);

  const cellOf = (name: string) => rowOf(page, name).locator('.cell').nth(3);
  await cellOf('delta').click();
  await cellOf('alpha').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('selection-count')).toHaveText('4 runs selected');
  await expect(page.locator('.body-row.selected .run-name')).toHaveText(['delta', 'foxtrot', 'bravo', 'alpha']);
  await cellOf('charlie').click({ modifiers: ['Control'] });
  await cellOf('foxtrot').click({ modifiers: ['Control'] });
  await expect(page.getByTestId('selection-count')).toHaveText('4 runs selected');
  await expect(page.locator('.body-row.selected .run-name')).toHaveText(['delta', 'bravo', 'alpha', 'charlie']);
  await page.screenshot({ path: join(SHOTS, 'runs-selection.png') });

  // Export: the filtered, sorted view with its columns, as a download.
  await page.getByRole('button', { name: 'Export ▾' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: /CSV/ }).click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8').trim().split('\r\n');
  const header = csv[0]!.split(',');
  expect(header.slice(0, 2)).toEqual(['run_name', 'run_id']);
  expect(header).toContain('metrics.loss');
  expect(header).toContain('params.lr');
  expect(csv).toHaveLength(7);
  const col = (name: string) => header.indexOf(name);
  expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(order);
  expect(csv[1]!.split(',')[col('metrics.loss')]).toBe('0.6');
  expect(csv[1]!.split(',')[col('params.model')]).toBe('xgb');
  expect(csv[2]!.split(',')[col('metrics.accuracy')]).toBe(''); // delta has none
});

test('moves with the keyboard, selects with space, opens a run with enter', async ({ page, request }) => {
  const { experimentId, runs } = await seedExperiment(request, 'keys');
  await openExperiment(page, experimentId);
  await page.keyboard.press('/');
  await expect(page.getByRole('textbox', { name: 'Filter runs' })).toBeFocused();
  await page.getByRole('textbox', { name: 'Filter runs' }).press('Escape');
  await page.getByTestId('runs-grid').focus();
  const names = await runNames(page);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.body-row.cursor .run-name')).toHaveText(names[2]!);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-count')).toHaveText('1 run selected');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByTestId('selection-count')).toHaveText('2 runs selected');
  await page.keyboard.press('End');
  await expect(page.locator('.body-row.cursor .run-name')).toHaveText(names[names.length - 1]!);
  await page.keyboard.press('Home');
  await expect(page.locator('.body-row.cursor .run-name')).toHaveText(names[0]!);
  await page.keyboard.press('PageDown');
  await expect(page.locator('.body-row.cursor .run-name')).toHaveText(names[names.length - 1]!);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('selection-count')).toHaveCount(0);

  // Enter opens the run: detail panel and its own URL.
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  const first = runs.find((r) => r.name === names[0])!;
  await expect(page).toHaveURL(new RegExp(`#/experiments/${experimentId}/runs/${first.id}$`));
  await expect(page.getByTestId('run-detail').getByRole('heading', { name: names[0] })).toBeVisible();
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);
});

test('MLflow run links open the right experiment and run; nested runs expand under their parent', async ({
  page,
  request,
}) => {
  const { experimentId, runs } = await seedExperiment(request, 'deeplink');
  const charlie = runs.find((r) => r.name === 'charlie')!;
  // The URL the MLflow client prints after a run: http://host:port/#/experiments/<id>/runs/<run id>
  await page.goto(`${serverUrl()}/#/experiments/${experimentId}/runs/${charlie.id}`);
  const detail = page.getByTestId('run-detail');
  await expect(detail.getByRole('heading', { name: 'charlie' })).toBeVisible();
  await expect(detail).toContainText(charlie.id);
  await expect(detail).toContainText('0.95');
  await expect(page.locator('#experiment-title')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'runs-detail-light.png') });
  await page.getByRole('button', { name: 'Close run details' }).click();
  await expect(page).toHaveURL(new RegExp(`#/experiments/${experimentId}$`));

  const parent = rowOf(page, 'sweep-parent');
  await expect(parent.locator('.child-count')).toHaveText('2');
  await expect(rowOf(page, 'trial-1')).toHaveCount(0);
  await parent.getByRole('button', { name: /Expand 2 nested runs/ }).click();
  await expect(rowOf(page, 'trial-1')).toBeVisible();
  const names = await runNames(page);
  const at = names.indexOf('sweep-parent');
  expect(names.slice(at, at + 3).sort()).toEqual(['sweep-parent', 'trial-1', 'trial-2']);
});

test('runs logged while the table is open arrive live, keeping selection and scroll', async ({ page, request }) => {
  const { experimentId } = await seedExperiment(request, 'live');
  await openExperiment(page, experimentId);
  await rowOf(page, 'alpha').locator('.cell').nth(3).click();
  await expect(page.getByTestId('selection-count')).toHaveText('1 run selected');
  await page.evaluate(() => ((globalThis as unknown as { __same: boolean }).__same = true));
  const id = await createRun(request, experimentId, 'golf-live');
  const started = Date.now();
  await logBatch(request, id, { accuracy: 0.99, brand_new_metric: 42 }, { model: 'live' });
  await expect(rowOf(page, 'golf-live')).toBeVisible({ timeout: 3000 });
  console.log(`live run visible ${Date.now() - started} ms after it was logged`);
  await expect(page.getByTestId('run-total')).toHaveText('10 runs');
  await expect(rowOf(page, 'golf-live')).toContainText('Running');
  await expect(page.locator('.cell.head[data-column-id="m:brand_new_metric"]')).toBeAttached();
  // Selection survived, and the page was never reloaded.
  await expect(page.getByTestId('selection-count')).toHaveText('1 run selected');
  await expect(rowOf(page, 'alpha')).toHaveClass(/selected/);
  expect(await page.evaluate(() => (globalThis as unknown as { __same?: boolean }).__same)).toBe(true);
  // Values of a run already shown update in place.
  await logBatch(request, id, { accuracy: 0.42 }, {}, 3);
  await expect(rowOf(page, 'golf-live')).toContainText('0.42');
});

test('view settings persist per experiment across reloads', async ({ page, request }) => {
  const { experimentId } = await seedExperiment(request, 'persist');
  await openExperiment(page, experimentId);
  await applyFilter(page, "params.model = 'rf'");
  await page.locator('.cell.head').getByRole('button', { name: 'accuracy', exact: true }).click();
  await expect(runRows(page).first()).toContainText('charlie');
  await page.waitForTimeout(800); // settings are saved shortly after the last change
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Filter runs' })).toHaveValue("params.model = 'rf'");
  await expect(page.getByTestId('run-total')).toHaveText('3 runs match');
  await expect(runRows(page).first()).toContainText('charlie');
  await expect(page.locator('.cell.head[data-column-id="m:accuracy"]')).toHaveAttribute('aria-sort', 'descending');
});
