import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { createExperiment, createRun, finishRun, logBatch, serverUrl } from './mlflow-rest';

/**
 * The registry view end to end, against serve mode: a run logs an MLflow 3 logged model (with an
 * MLmodel file) and a classic `model/` artifact folder through the REST API; the user registers
 * them, moves versions through Staging and Production, sets an alias and finds it all in the
 * models list. Screenshots (light and dark) land in test-results/screenshots.
 */

const SHOTS = join(__dirname, '..', 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const unique = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.9
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.2
mlflow_version: 3.5.1
model_size_bytes: 182731
model_uuid: 4f1c0f3e9b0a4c1e8a7d2b6c5e4f3a21
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "double",
    "name": "petal_width", "required": true}, {"type": "string", "name": "site", "required":
    false}, {"type": "array", "items": {"type": "long"}, "name": "history", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: '[{"name": "threshold", "type": "float", "default": 0.5, "shape": null}]'
utc_time_created: '2025-11-20 10:14:03.112358'
`;

function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // The deliberately reserved alias is refused with a 400; anything else is a problem.
    if (/status of 400/.test(msg.text())) return;
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

async function api<T>(request: APIRequestContext, method: 'POST' | 'PATCH', path: string, data: unknown): Promise<T> {
  const res = await request.fetch(`${serverUrl()}/api/2.0/mlflow/${path}`, { method, data });
  if (!res.ok()) throw new Error(`${path} -> ${res.status()}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Uploads one file through the artifact proxy (as the client's `log_artifact` does). */
async function putArtifact(request: APIRequestContext, artifactUri: string, path: string, body: string) {
  const m = /^mlflow-artifacts:\/(.*)$/.exec(artifactUri);
  if (!m) throw new Error(`unexpected artifact URI ${artifactUri}`);
  const url = `${serverUrl()}/api/2.0/mlflow-artifacts/artifacts/${m[1]!.replace(/^\/+/, '')}/${path}`;
  const res = await request.put(url, { data: body, headers: { 'Content-Type': 'application/octet-stream' } });
  if (!res.ok()) throw new Error(`PUT ${url} -> ${res.status()}: ${await res.text()}`);
}

interface Logged {
  experimentId: string;
  runId: string;
  modelId: string;
}

/** A finished run with a READY logged model (MLmodel uploaded) and a `model/` artifact folder. */
async function logRunWithModel(request: APIRequestContext, runName: string): Promise<Logged> {
  const experimentId = await createExperiment(request, unique('registry-e2e'));
  const runId = await createRun(request, experimentId, runName, Date.now() - 120_000);
  await logBatch(request, runId, { accuracy: 0.957, f1: 0.948 }, { n_estimators: '200', max_depth: '8' });
  const { model } = await api<{ model: { info: { model_id: string; artifact_uri: string } } }>(
    request,
    'POST',
    'logged-models',
    { experiment_id: experimentId, name: 'model', source_run_id: runId, model_type: 'sklearn' },
  );
  await putArtifact(request, model.info.artifact_uri, 'MLmodel', MLMODEL);
  await api(request, 'PATCH', `logged-models/${model.info.model_id}`, { status: 'LOGGED_MODEL_READY' });
  // An MLflow 2 style model folder inside the run's own artifacts.
  const got = await request.get(`${serverUrl()}/api/2.0/mlflow/runs/get?run_id=${runId}`);
  const { run } = (await got.json()) as { run: { info: { artifact_uri: string } } };
  await putArtifact(
    request,
    run.info.artifact_uri,
    'classic/MLmodel',
    MLMODEL.replace('artifact_path: model', 'artifact_path: classic'),
  );
  await putArtifact(request, run.info.artifact_uri, 'classic/model.pkl', 'not really a pickle');
  await finishRun(request, runId);
  return { experimentId, runId, modelId: model.info.model_id };
}

const dialog = (page: Page) => page.getByRole('dialog');
const modelsNav = (page: Page) =>
  page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Models' });
const titleStage = (page: Page) => page.locator('h1 .rg-stage');

test('register a run’s model, move it through stages, alias it and find it in the models list', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000); // one long story; the 2-core CI machine is shared
  const problems = watchConsole(page);
  const { experimentId, runId, modelId } = await logRunWithModel(request, 'train-forest');
  const name = unique('fraud-detector');

  // ------------------------------------------------------------ register from the run page
  await page.goto(`${serverUrl()}/#/experiments/${experimentId}/runs/${runId}`);
  const runPanel = page.getByTestId('run-detail');
  await expect(runPanel.getByRole('heading', { name: 'train-forest' })).toBeVisible();
  await runPanel.getByRole('button', { name: 'Register model' }).click();
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page)).toContainText('From run train-forest');
  // Both kinds of model the run holds are offered; the logged model comes first.
  const loggedChoice = dialog(page).getByRole('radio', { name: /model logged model/ });
  await expect(loggedChoice).toBeChecked();
  await expect(dialog(page).getByRole('radio', { name: /classic artifact folder/ })).toBeVisible();
  await expect(dialog(page)).toContainText(modelId);
  await dialog(page).getByLabel('Registered model name').fill(name);
  await expect(dialog(page).getByTestId('register-name-hint')).toHaveText(
    `Creates the new model “${name}” with version 1.`,
  );
  await page.screenshot({ path: join(SHOTS, 'registry-register-light.png') });
  await dialog(page).getByRole('button', { name: 'Register', exact: true }).click();
  await expect(dialog(page)).toContainText(`Created version 1 of ${name}.`);
  await dialog(page).getByRole('button', { name: 'Open version 1' }).click();
  await expect(modelsNav(page)).toHaveAttribute('aria-current', 'page');

  // ------------------------------------------------------------ version page
  await expect(page).toHaveURL(new RegExp(`#/models/${encodeURIComponent(name)}/versions/1$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`${name} Version 1`);
  await expect(titleStage(page)).toHaveText('No stage');
  const sourceRun = page.getByTestId('source-run').getByRole('link');
  await expect(sourceRun).toContainText('train-forest');
  await expect(sourceRun).toHaveAttribute('href', `#/experiments/${experimentId}/runs/${runId}`);
  await expect(page.getByText(`models:/${modelId}`)).toBeVisible();
  // The signature comes from the logged model's MLmodel (YAML with JSON specs inside).
  const inputs = page.getByRole('table', { name: 'Signature inputs' });
  await expect(inputs.getByRole('row')).toHaveCount(5);
  await expect(inputs.getByRole('row', { name: /sepal_length/ })).toContainText('double');
  await expect(inputs.getByRole('row', { name: /site/ })).toContainText('optional');
  await expect(inputs.getByRole('row', { name: /history/ })).toContainText('Array(long)');
  await expect(page.getByRole('table', { name: 'Signature outputs' })).toContainText('Tensor(int64, [-1])');
  await expect(page.getByRole('table', { name: 'Signature params' })).toContainText('threshold');
  await expect(page.locator('.rg-flavor')).toHaveText(['python_function', 'sklearn']);

  // Stage transitions, each confirmed in a dialog.
  await page.getByRole('button', { name: 'Move to Staging' }).click();
  await expect(dialog(page)).toContainText('Transition version 1 to Staging?');
  await dialog(page).getByRole('button', { name: 'Transition to Staging' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(titleStage(page)).toHaveText('Staging');

  await page.getByRole('button', { name: 'Move to Production' }).click();
  await expect(dialog(page)).toContainText('Transition existing Production versions to Archived');
  await expect(dialog(page)).toContainText('(none at the moment)');
  await page.screenshot({ path: join(SHOTS, 'registry-transition-light.png') });
  await dialog(page).getByRole('button', { name: 'Transition to Production' }).click();
  await expect(titleStage(page)).toHaveText('Production');
  await expect(page.getByText(`models:/${name}/Production`)).toBeVisible();

  // Aliases: MLflow's validation message shows inline; a valid one appears as a chip.
  const aliases = page.getByRole('region', { name: 'Aliases' });
  await aliases.getByLabel('New alias').fill('latest');
  await aliases.getByRole('button', { name: 'Add alias' }).click();
  await expect(aliases.getByRole('alert')).toHaveText("'latest' alias name (case insensitive) is reserved.");
  await aliases.getByLabel('New alias').fill('v3');
  await aliases.getByRole('button', { name: 'Add alias' }).click();
  await expect(aliases.getByRole('alert')).toHaveText("Version alias name 'v3' is reserved.");
  await aliases.getByLabel('New alias').fill('champion');
  await aliases.getByRole('button', { name: 'Add alias' }).click();
  await expect(aliases.locator('.rg-alias')).toHaveText(['@champion']);
  await expect(aliases.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText(`models:/${name}@champion`)).toBeVisible();

  // Description (markdown, sanitized) and a tag.
  const description = page.getByRole('region', { name: 'Description' });
  await description.getByRole('button', { name: 'Edit' }).click();
  await description
    .getByLabel('Description (Markdown)')
    .fill(
      'Random forest on **2024 transactions**.\n\n- recall 0.93\n- <img src=x onerror="window.__pwned=1">\n' +
        '- [runbook](javascript:window.__pwned=2)',
    );
  await description.getByRole('button', { name: 'Save' }).click();
  await expect(description.locator('strong')).toHaveText('2024 transactions');
  await expect(description.locator('li')).toHaveCount(3);
  // Raw HTML shows as text, never as an element; script URLs are dropped by the sanitizer.
  await expect(description.locator('li').nth(1)).toHaveText('<img src=x onerror="window.__pwned=1">');
  expect(await description.locator('img, [onerror]').count()).toBe(0);
  expect(await description.getByText('runbook').getAttribute('href')).toBeNull();
  const tags = page.getByRole('region', { name: 'Tags' });
  await tags.getByLabel('Tag key').fill('validated_by');
  await tags.getByLabel('Tag value').fill('risk-team');
  await tags.getByRole('button', { name: 'Add tag' }).click();
  await expect(tags.getByRole('row', { name: /validated_by/ })).toContainText('risk-team');
  await page.screenshot({ path: join(SHOTS, 'registry-version-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'registry-version-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  // ------------------------------------------------------------ models list
  await modelsNav(page).click();
  await expect(page).toHaveURL(/#\/models$/);
  const row = page.locator('tr', { has: page.getByRole('link', { name, exact: true }) });
  await expect(row).toBeVisible();
  await expect(row.locator('.rg-latest')).toHaveText(['Productionv1']);
  await expect(row.locator('.rg-alias')).toHaveText(['@championv1']);
  const search = page.getByRole('searchbox', { name: 'Search models' });
  await search.fill(name.slice(0, 14).toUpperCase()); // ILIKE: case-insensitive substring
  await expect(row).toBeVisible();
  await expect(page.getByTestId('model-total')).toContainText('match');
  await page.screenshot({ path: join(SHOTS, 'registry-models-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'registry-models-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  // Sorting happens in the main process (order_by); the header says which way.
  const nameHeader = page.getByRole('columnheader', { name: /Name/ });
  await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
  await nameHeader.getByRole('button').click();
  await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(row).toBeVisible();
  await search.fill('no-such-model-anywhere');
  await expect(page.getByText('No model name contains “no-such-model-anywhere”.')).toBeVisible();
  await search.fill('');

  // ------------------------------------------------------------ a second version, archiving the first
  await row.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
  await page.getByRole('button', { name: 'Register a version' }).click();
  await dialog(page).getByLabel('Run ID').fill(runId);
  await dialog(page)
    .getByRole('radio', { name: /classic artifact folder/ })
    .check();
  await expect(dialog(page).getByLabel('Registered model name')).toHaveValue(name);
  await expect(dialog(page).getByTestId('register-name-hint')).toHaveText(`Adds a new version to “${name}”.`);
  await dialog(page).getByRole('button', { name: 'Register', exact: true }).click();
  await expect(dialog(page)).toContainText(`Created version 2 of ${name}.`);
  await dialog(page).getByRole('button', { name: 'Close' }).first().click();
  const versions = page.getByRole('table', { name: 'Versions' });
  await expect(versions.locator('tbody tr')).toHaveCount(2);
  await versions.getByRole('link', { name: 'Version 2' }).click();
  await expect(page.getByTestId('source-run')).toContainText('train-forest');
  await expect(page.locator('.rg-break')).toHaveText(/\/classic$/);
  await page.getByRole('button', { name: 'Move to Production' }).click();
  await expect(dialog(page)).toContainText('(version 1)');
  await dialog(page)
    .getByRole('checkbox', { name: /Transition existing Production versions to Archived/ })
    .check();
  await dialog(page).getByRole('button', { name: 'Transition to Production' }).click();
  await expect(titleStage(page)).toHaveText('Production');
  // Moving the alias: the form says where it points now.
  const aliases2 = page.getByRole('region', { name: 'Aliases' });
  await aliases2.getByLabel('New alias').fill('champion');
  await expect(aliases2.getByTestId('alias-move-hint')).toHaveText(
    '@champion points to version 1 now; adding it here moves it.',
  );
  await aliases2.getByRole('button', { name: 'Move alias' }).click();
  await expect(aliases2.locator('.rg-alias')).toHaveText(['@champion']);

  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name }).click();
  await expect(versions.locator('tr[data-version="1"] .rg-stage')).toHaveText('Archived');
  await expect(versions.locator('tr[data-version="2"] .rg-stage')).toHaveText('Production');
  await expect(versions.locator('tr[data-version="2"] .rg-alias')).toHaveText(['@champion']);
  await expect(page.getByRole('region', { name: 'Description' })).toContainText('No description yet.');
  await page.screenshot({ path: join(SHOTS, 'registry-model-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, 'registry-model-dark.png'), fullPage: true });

  // The source run link leads back to the run in the runs view.
  await versions.locator('tr[data-version="2"]').getByRole('link', { name: 'train-forest' }).click();
  await expect(page).toHaveURL(new RegExp(`#/experiments/${experimentId}/runs/${runId}$`));
  await expect(page.getByTestId('run-detail').getByRole('heading', { name: 'train-forest' })).toBeVisible();

  // The REST API (what scripts see) agrees with the screens.
  const byAlias = await request.get(
    `${serverUrl()}/api/2.0/mlflow/registered-models/alias?name=${encodeURIComponent(name)}&alias=champion`,
  );
  expect((await byAlias.json()).model_version).toMatchObject({ version: '2', current_stage: 'Production' });
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(problems).toEqual([]);
});

test('the registry pages say so when a model does not exist', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${serverUrl()}/#/models/${encodeURIComponent('nope/not here')}`);
  await expect(page.getByRole('alert')).toContainText('Registered Model with name=nope/not here not found');
  await page.goto(`${serverUrl()}/#/models/${encodeURIComponent('nope/not here')}/versions/3`);
  await expect(page.getByRole('alert')).toContainText('not found');
  expect(problems).toEqual([]);
});
