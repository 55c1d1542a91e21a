import { join } from 'node:path';
import { expect as baseExpect, test, type Page } from '@playwright/test';
import { createExperiment, createRun, serverUrl } from './mlflow-rest';
import {
  SHOTS,
  applyFilter,
  openExperiment,
  rowOf,
  runNames,
  runRows,
  seedExperiment,
  unique,
  watchConsole,
} from './runs-helpers';

// This 2-core machine is shared with other suites: give the UI time before calling it broken.
const expect = baseExpect.configure({ timeout: 15_000 });

/**
 * The runs spreadsheet as a user works it: column layout (resize, drag, pin), acting on a
 * selection (pin, hide, color, tags, delete/restore, compare), the experiment's own lifecycle,
 * multi-key grouping, the status and time filters, and the Python snippet.
 */

const headerIds = (page: Page) =>
  page.locator('.grid-head [data-column-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-column-id')));

const widthOf = async (page: Page, id: string) =>
  (await page.locator(`.grid-head [data-column-id="${id}"]`).boundingBox())!.width;

test('columns resize without moving, reorder by dragging, pin left, and keep all that after a reload', async ({
  page,
  request,
}) => {
  const problems = watchConsole(page);
  const { experimentId } = await seedExperiment(request, 'layout');
  await openExperiment(page, experimentId);
  const before = await headerIds(page);
  expect(before.slice(0, 4)).toEqual(['a:name', 'a:status', 'a:start_time', 'a:duration']);

  // Resize: the handle sits inside a draggable header, yet pressing it must not start a column
  // drag (which swallowed the mouse moves, reordered on release and left the resize armed).
  const w0 = await widthOf(page, 'a:status');
  const handle = (await page.locator('[data-column-id="a:status"] .resizer').boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + 10);
  await page.mouse.down();
  await page.mouse.move(handle.x + 90, handle.y + 10, { steps: 6 });
  await page.mouse.up();
  await expect.poll(() => widthOf(page, 'a:status')).toBeGreaterThan(w0 + 60);
  const resized = await widthOf(page, 'a:status');
  await page.mouse.move(handle.x + 400, handle.y + 300, { steps: 4 });
  expect(await widthOf(page, 'a:status')).toBe(resized);
  expect((await headerIds(page)).slice(0, 4)).toEqual(before.slice(0, 4));

  // Drag the User header before Status.
  await page
    .locator('.grid-head [data-column-id="a:user_id"]')
    .dragTo(page.locator('.grid-head [data-column-id="a:status"]'), { targetPosition: { x: 4, y: 12 } });
  await expect.poll(async () => (await headerIds(page)).slice(0, 3)).toEqual(['a:name', 'a:user_id', 'a:status']);

  // Pin a metric column left: it follows the name column and stays while scrolling sideways.
  await page.locator('.grid-head [data-column-id="m:loss"]').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Pin column left' }).click();
  await expect.poll(async () => (await headerIds(page)).slice(0, 2)).toEqual(['a:name', 'm:loss']);
  await page.getByTestId('runs-grid').evaluate((el) => (el.scrollLeft = 2000));
  await expect(page.locator('.grid-head [data-column-id="m:loss"]')).toBeInViewport();

  await page.waitForTimeout(700); // settings are saved 400 ms after the last change
  await page.reload();
  await expect(runRows(page).first()).toBeVisible();
  expect((await headerIds(page)).slice(0, 4)).toEqual(['a:name', 'm:loss', 'a:user_id', 'a:status']);
  expect(Math.abs((await widthOf(page, 'a:status')) - resized)).toBeLessThan(2);
  expect(problems).toEqual([]);
});

test('the bad token of a filter stays readable under its mark; typing a clause is not an error yet', async ({
  page,
  request,
}) => {
  const { experimentId } = await seedExperiment(request, 'mark');
  await openExperiment(page, experimentId);
  const box = page.getByRole('textbox', { name: 'Filter runs' });
  await box.click();
  await box.pressSequentially('attributes.status = ');
  await expect(page.getByRole('listbox', { name: 'Suggestions' })).toBeVisible();
  await page.waitForTimeout(700); // past the live check's debounce
  await expect(page.locator('#filter-error')).toHaveCount(0);

  await box.fill('metrics.loss > 1 and params.lr = 3');
  await box.press('Enter');
  await expect(page.locator('#filter-error')).toContainText('Expected a quoted string value');
  const bad = page.locator('.filter-bad');
  await expect(bad).toHaveText('3');
  // The input (with its text) is painted above the highlight, not hidden by it.
  const r = (await bad.boundingBox())!;
  const onTop = await page.evaluate(({ x, y }) => (document.elementFromPoint(x, y) as HTMLElement | null)?.id ?? '', {
    x: r.x + r.width / 2,
    y: r.y + r.height / 2,
  });
  expect(onTop).toBe('runs-filter');
});

test('a selection is pinned, hidden, colored, tagged, compared, deleted and restored', async ({ page, request }) => {
  const problems = watchConsole(page);
  const { experimentId } = await seedExperiment(request, 'actions');
  await openExperiment(page, experimentId);
  const bar = page.getByRole('toolbar', { name: 'Selected runs' });

  // Pin two runs: they come first, whatever the sort.
  await rowOf(page, 'delta').locator('.cell').nth(3).click();
  await rowOf(page, 'bravo')
    .locator('.cell')
    .nth(3)
    .click({ modifiers: ['Control'] });
  await expect(page.getByTestId('selection-count')).toHaveText('2 runs selected');
  await bar.getByRole('button', { name: 'Pin', exact: true }).click();
  await expect.poll(async () => (await runNames(page)).slice(0, 2).sort()).toEqual(['bravo', 'delta']);
  await expect(rowOf(page, 'delta').getByLabel('Pinned')).toBeVisible();

  // Color them: the chip shows in the row.
  await bar.getByRole('button', { name: 'Color #ef4444' }).click();
  await expect(rowOf(page, 'delta').locator('.color-chip')).toHaveCSS('background-color', 'rgb(239, 68, 68)');

  // Pinned runs stay in view whatever the filter: unpin them before filtering by a tag.
  await bar.getByRole('button', { name: 'Unpin' }).click();
  await expect(rowOf(page, 'delta').getByLabel('Pinned')).toHaveCount(0);

  // Tag them, then find them by the tag.
  await bar.getByRole('button', { name: 'Tags…' }).click();
  await page.getByLabel('Tag key').fill('review');
  await page.getByLabel('Tag value').fill('yes');
  await page.getByRole('button', { name: 'Set tag' }).click();
  await applyFilter(page, "tags.review = 'yes'");
  await expect(page.getByTestId('run-total')).toHaveText('2 runs match');

  // Compare opens the compare view with both, in their colors.
  await runRows(page).first().locator('.cell').nth(3).click();
  await runRows(page)
    .nth(1)
    .locator('.cell')
    .nth(3)
    .click({ modifiers: ['Shift'] });
  await bar.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByTestId('compare-table')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Compare 2 runs' })).toBeVisible();
  await page.goBack();
  await expect(runRows(page).first()).toBeVisible();

  // Remove the tag again from one of them.
  await rowOf(page, 'bravo').locator('.cell').nth(3).click();
  await bar.getByRole('button', { name: 'Tags…' }).click();
  await page.getByRole('radio', { name: 'Remove' }).click();
  await page.getByLabel('Tag key').fill('review');
  await page.getByRole('button', { name: 'Remove tag' }).click();
  await expect(page.getByTestId('run-total')).toHaveText('1 run matches');
  await page.getByRole('button', { name: 'Clear filter' }).click();
  await expect(page.getByTestId('run-total')).toHaveText('9 runs');

  // Hide one: it leaves the view; "Show hidden runs" brings it back dimmed.
  await rowOf(page, 'echo').locator('.cell').nth(3).click();
  await bar.getByRole('button', { name: 'Hide' }).click();
  await expect(rowOf(page, 'echo')).toHaveCount(0);
  await page.getByRole('button', { name: 'More view options' }).click();
  await page.getByRole('menuitemcheckbox', { name: /Show hidden runs \(1\)/ }).click();
  await expect(rowOf(page, 'echo')).toHaveClass(/is-hidden/);
  // The header says runs are hidden and toggles them too.
  await page.getByRole('button', { name: '1 hidden (shown)' }).click();
  await expect(rowOf(page, 'echo')).toHaveCount(0);
  await page.getByRole('button', { name: '1 hidden', exact: true }).click();
  await expect(rowOf(page, 'echo')).toHaveClass(/is-hidden/);

  // Delete (with confirmation), find it under Deleted, restore it.
  await rowOf(page, 'alpha').locator('.cell').nth(3).click();
  await bar.getByRole('button', { name: 'Delete' }).click();
  await page
    .getByRole('dialog', { name: /Delete 1 run/ })
    .getByRole('button', { name: 'Delete', exact: true })
    .click();
  await expect(rowOf(page, 'alpha')).toHaveCount(0);
  await page.getByRole('radio', { name: 'Deleted' }).click();
  await expect(rowOf(page, 'alpha')).toBeVisible();
  await expect(runRows(page)).toHaveCount(1);
  await rowOf(page, 'alpha').locator('.cell').nth(3).click();
  await bar.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByTestId('no-match')).toBeVisible();
  await page.getByRole('radio', { name: 'Active' }).click();
  await expect(rowOf(page, 'alpha')).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'runs-actions.png') });
  expect(problems).toEqual([]);
});

test('grouping by two keys shows both values; several statuses and a custom time range filter', async ({
  page,
  request,
}) => {
  const { experimentId } = await seedExperiment(request, 'group2');
  await openExperiment(page, experimentId);
  await page.getByRole('button', { name: 'Group by ▾' }).click();
  await page.getByRole('searchbox', { name: 'Search group keys' }).fill('model');
  await page.getByRole('checkbox', { name: /param\s*model/ }).check();
  await page.getByRole('searchbox', { name: 'Search group keys' }).fill('phase');
  await page.getByRole('checkbox', { name: /tag\s*phase/ }).check();
  await page.keyboard.press('Escape');
  const label = page.locator('.group-row .group-label', { hasText: 'xgb' }).first();
  await expect(label).toHaveText(/xgb · (baseline|tuning)/);
  // The whole label fits its cell (it used to be cut after the first key's name).
  expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  await expect(page.getByRole('button', { name: /Grouped: model, phase/ })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'runs-grouped-two-keys.png') });
  await page.getByRole('button', { name: /Grouped: model, phase/ }).click();
  await page.getByRole('button', { name: 'Stop grouping by model' }).click();
  await page.getByRole('button', { name: 'Stop grouping by phase' }).click();
  await page.keyboard.press('Escape');
  await expect(page.locator('.group-row')).toHaveCount(0);

  // Statuses: the menu stays open while several are checked.
  await page.getByRole('button', { name: /Any status/ }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Failed' }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Running' }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: /2 statuses/ })).toBeVisible();
  // echo failed; the sweep's three runs were never finished.
  expect((await runNames(page)).sort()).toEqual(['echo', 'sweep-parent']);
  await page.getByRole('button', { name: /2 statuses/ }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Any status' }).click();

  // A custom start-time range: the seeded runs start 3 h ago, one a minute; keep the first three.
  const t0 = await page.evaluate(async (id) => {
    const token = document.querySelector<HTMLMetaElement>('meta[name="runlens-token"]')!.content;
    const res = await fetch('/runlens-api/v1/runs-window', {
      method: 'POST',
      headers: { 'x-runlens-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        experimentIds: [id],
        sort: [{ column: { kind: 'attribute', key: 'start_time' }, desc: false }],
        tree: false,
        offset: 0,
        limit: 1,
        columns: { metrics: [], params: [], tags: [] },
      }),
    });
    return ((await res.json()) as { items: { run: { startTime: number } }[] }).items[0]!.run.startTime;
  }, experimentId);
  const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByRole('button', { name: /Any time/ }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Custom range…' }).click();
  await page.getByLabel('Started from').fill(local(t0));
  await page.getByLabel('Started until').fill(local(t0 + 2 * 60_000));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('run-total')).toHaveText('3 runs match');
  expect((await runNames(page)).sort()).toEqual(['alpha', 'bravo', 'charlie']);
  await page.waitForTimeout(700);
  await page.reload();
  await expect(page.getByTestId('run-total')).toHaveText('3 runs match');
});

test('the Python snippet says the view in MLflow’s own terms', async ({ page, request, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serverUrl() });
  const { experimentId, runs } = await seedExperiment(request, 'snippet');
  await openExperiment(page, experimentId);
  await applyFilter(page, "params.model = 'rf'");
  await page.getByRole('searchbox', { name: 'Search run names' }).fill('ha');
  await expect(page.getByTestId('run-total')).toHaveText('2 runs match'); // alpha, charlie
  await rowOf(page, 'alpha').locator('.cell').nth(3).click();
  await page.getByRole('toolbar', { name: 'Selected runs' }).getByRole('button', { name: 'Hide' }).click();
  await page.getByRole('button', { name: /Any status/ }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Finished' }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Failed' }).click();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'More view options' }).click();
  await page.getByRole('menuitem', { name: /Copy Python snippet/ }).click();
  const snippet = await page.evaluate(() => navigator.clipboard.readText());
  const alpha = runs.find((r) => r.name === 'alpha')!.id;
  expect(snippet).toContain(`experiment_ids=["${experimentId}"]`);
  expect(snippet).toContain(
    `filter_string="params.model = 'rf' and attributes.run_name ILIKE '%ha%' and attributes.run_id NOT IN ('${alpha}')"`,
  );
  // What MLflow's grammar cannot say runs on the frame, and only when it has rows (an empty
  // result has no columns to index).
  expect(snippet).toContain('if len(runs):\n    runs = runs[runs["status"].isin(["FINISHED", "FAILED"])]');
});

test('deleting the open experiment leaves it; its page says it is deleted and restores it', async ({
  page,
  request,
}) => {
  const { experimentId, name } = await seedExperiment(request, 'doomed');
  await openExperiment(page, experimentId);
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Delete experiment' }).click();
  await expect(page).not.toHaveURL(new RegExp(`#/experiments/${experimentId}$`));
  await expect(page.getByRole('button', { name: `Actions for ${name}` })).toHaveCount(0);

  // Opened anyway (a link): no "log your first run" page, but what happened and the way back.
  await page.goto(`${serverUrl()}/#/experiments/${experimentId}`);
  const banner = page.getByTestId('deleted-experiment');
  await expect(banner).toContainText('This experiment is deleted');
  await expect(page.getByText('Add this line to your shell')).toHaveCount(0);
  await banner.getByRole('button', { name: 'Show its runs' }).click();
  await expect(page.getByTestId('run-total')).toHaveText('9 runs match');
  // Rows shown because the view changed are not flagged as live arrivals.
  await expect(page.locator('.body-row.fresh')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'experiment-deleted.png') });
  await banner.getByRole('button', { name: 'Restore experiment' }).click();
  await expect(banner).toHaveCount(0);
  await page.getByRole('radio', { name: 'Active' }).click();
  await expect(page.getByTestId('run-total')).toHaveText('9 runs');
  await expect(page.getByRole('button', { name: `Actions for ${name}` })).toBeVisible();
});

test('the sidebar finds, compares, renames and describes experiments; the theme toggles', async ({ page, request }) => {
  const problems = watchConsole(page);
  const a = await seedExperiment(request, 'side-a');
  const b = await seedExperiment(request, 'side-b');
  await openExperiment(page, a.experimentId);
  const sidebar = page.getByRole('navigation', { name: 'Experiments' });

  // Search narrows the list; the counts are the active runs.
  await page.getByRole('searchbox', { name: 'Filter experiments' }).fill('side-b');
  await expect(sidebar.locator('.experiment-item')).toHaveCount(1);
  await expect(sidebar.locator('.experiment-item').first()).toContainText(`${b.name}9`);
  await page.getByRole('searchbox', { name: 'Filter experiments' }).fill('');

  // Ctrl-click adds an experiment: the runs of both, with an Experiment column.
  await sidebar.getByRole('button', { name: new RegExp(`^${b.name}`) }).click({ modifiers: ['Control'] });
  await expect(page.getByRole('heading', { name: 'Comparing 2 experiments' })).toBeVisible();
  await expect(page.getByTestId('run-total')).toHaveText('18 runs');
  await expect(page.locator('.grid-head [data-column-id="a:experiment_id"]')).toBeVisible();
  await page.getByRole('button', { name: 'back to one' }).click();
  await expect(page.getByRole('heading', { name: a.name })).toBeVisible();

  // Rename from the item menu.
  await page.getByRole('button', { name: `Actions for ${a.name}` }).click();
  await page.getByRole('menuitem', { name: 'Rename…' }).click();
  const field = page.getByRole('textbox', { name: `New name for ${a.name}` });
  await field.fill(`${a.name}-renamed`);
  await field.press('Enter');
  await expect(page.getByRole('heading', { name: `${a.name}-renamed` })).toBeVisible();

  // A markdown description (MLflow's mlflow.note.content tag).
  await page.getByRole('button', { name: '+ Add a description' }).click();
  await page.getByRole('textbox', { name: 'Experiment description (markdown)' }).fill('Sweep of **learning rates**.');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.description strong')).toHaveText('learning rates');
  const tags = await request.get(`${serverUrl()}/api/2.0/mlflow/experiments/get?experiment_id=${a.experimentId}`);
  expect(JSON.stringify(await tags.json())).toContain('Sweep of **learning rates**.');

  // Theme: system → light → dark, remembered.
  const theme = page.locator('.theme-toggle');
  await theme.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await theme.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: join(SHOTS, 'runs-dark-toggle.png') });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.locator('.theme-toggle').click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  expect(problems).toEqual([]);
});

test('runs arriving above a scrolled table do not move the rows on screen', async ({ page, request }) => {
  const expId = await createExperiment(request, unique('anchor'));
  const t0 = Date.now() - 24 * 3600_000;
  for (let i = 0; i < 250; i++) await createRun(request, expId, `r-${String(i).padStart(3, '0')}`, t0 + i * 1000);
  await openExperiment(page, expId);
  const grid = page.getByTestId('runs-grid');
  await grid.evaluate((el) => (el.scrollTop = 32 * 120));
  await expect(page.locator('.body-row.placeholder')).toHaveCount(0);
  // The run drawn right under the header.
  const topRun = () =>
    page.evaluate(() => {
      const g = document.querySelector('[data-testid="runs-grid"]')!.getBoundingClientRect();
      const el = document.elementFromPoint(g.left + 120, g.top + 44 + 16);
      return el?.closest('.body-row')?.querySelector('.run-name')?.textContent ?? null;
    });
  const before = await topRun();
  expect(before).toMatch(/^r-\d{3}$/);
  await rowOf(page, before!).locator('.cell').nth(3).click();
  // Newest first: these land at the top of the view, above the viewport.
  await createRun(request, expId, 'new-1');
  await createRun(request, expId, 'new-2');
  await expect(page.getByTestId('run-total')).toHaveText('252 runs');
  await expect.poll(topRun).toBe(before);
  await expect(rowOf(page, before!)).toHaveClass(/selected/);
  // The keyboard cursor stayed on the same run too: Enter opens it.
  await grid.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-detail').getByRole('heading', { name: before! })).toBeVisible();
  // At the top, arrivals simply show.
  await page.keyboard.press('Escape');
  await grid.evaluate((el) => (el.scrollTop = 0));
  await createRun(request, expId, 'new-3');
  await expect(runRows(page).first()).toContainText('new-3');
});
