/**
 * bench/table — the runs spreadsheet at 100,000 runs × 50 params × 50 metrics (+ a history), in
 * Chromium against serve mode, beside the SQL time of the same queries measured in this process
 * (the floor).
 *
 *   npm run bench:table              (builds first; options: --runs N --rebuild --keep
 *                                     --prof DIR: CPU profile of the server)
 *
 * Prints: time to first rows, time to re-sort by a metric, time to apply a filter, frame times
 * while scrolling to the bottom (p50/p95 of requestAnimationFrame deltas), and the SQL floor.
 * Targets (2-core machine): first rows < 500 ms, sort < 150 ms, filter < 150 ms, p95 frame < 16 ms.
 * The store is built once into a cache directory and reused (delete it or pass --rebuild).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueryService } from '../src-main/query/query-service';
import { windowDirect, countScope } from '../src-main/store/ui-queries';
import { openDatabase } from '../src-main/store/db';
import { startServe } from './serve-process';
import { buildTableStore, metricName, paramName, type TableStoreShape } from './table-store';
import type { RunsWindowRequest } from '../src-main/contract/ui-api';

// The callbacks passed to page.evaluate run in Chromium: its globals, typed loosely for this file.
declare const document: any;
declare const window: any;
declare const MutationObserver: any;
declare const requestAnimationFrame: (callback: (time: number) => void) => number;
type HTMLMetaElement = any;
type HTMLButtonElement = any;
type HTMLElement = any;
type HTMLInputElement = any;

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const num = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

const ROOT = resolve(__dirname, '..', '..');
const SHAPE: TableStoreShape = {
  runs: num('runs', 100_000),
  params: 50,
  metrics: 50,
  historyRuns: 1000,
  historySteps: 50,
};
const CACHE = join(tmpdir(), `runlens-bench-table-${SHAPE.runs}x${SHAPE.params}x${SHAPE.metrics}-v1`);
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const log = (s: string): void => void process.stdout.write(s + '\n');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function ensureStore(): string {
  const dataDir = join(CACHE, 'data');
  const done = join(CACHE, 'complete');
  if (existsSync(done) && !flag('rebuild')) {
    log(`store: reusing ${dataDir}`);
    return dataDir;
  }
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  log(`store: building ${SHAPE.runs.toLocaleString()} runs × ${SHAPE.params} params × ${SHAPE.metrics} metrics …`);
  const t0 = Date.now();
  buildTableStore(join(dataDir, 'runlens.db'), SHAPE, log);
  writeFileSync(done, new Date().toISOString());
  log(`store: built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return dataDir;
}

interface SqlFloor {
  firstWindow: number;
  sortQuick: number[];
  sortLayout: number[];
  filterQuick: number;
  filterLayout: number;
  windowRowsOnly: number;
}

const COLUMNS = {
  metrics: Array.from({ length: 50 }, (_, i) => metricName(i)),
  params: Array.from({ length: 50 }, (_, i) => paramName(i)),
  tags: [],
};
const FILTER = "params.model = 'rf' and metrics.accuracy > 0.5";

/** The same queries, in this process, without HTTP or the browser: the floor. */
async function sqlFloor(dbFile: string): Promise<SqlFloor> {
  const window = (extra: Partial<RunsWindowRequest>): RunsWindowRequest => ({
    experimentIds: ['1'],
    offset: 0,
    limit: 100,
    columns: COLUMNS,
    sort: [],
    tree: true,
    ...extra,
  });
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const fresh = (): QueryService => QueryService.open(dbFile);
  let q = fresh();
  await q.runsWindow(window({}));
  q.close();
  q = fresh();
  const firstWindow = await time(() => q.runsWindow(window({})));
  const sortQuick: number[] = [];
  const sortLayout: number[] = [];
  for (const key of ['metric_10', 'metric_11', 'metric_12']) {
    sortQuick.push(await time(() => q.runsWindow(window({ sort: [{ column: { kind: 'metric', key }, desc: true }] }))));
    // A window deep down needs the whole order (what scrolling to the bottom asks for).
    sortLayout.push(
      await time(() =>
        q.runsWindow(window({ sort: [{ column: { kind: 'metric', key: `${key}x` }, desc: true }], offset: 99_000 })),
      ),
    );
  }
  const filterQuick = await time(() => q.runsWindow(window({ filter: FILTER })));
  const filterLayout = await time(() => q.runsWindow(window({ filter: "params.model = 'xgb'", offset: 5_000 })));
  q.close();
  // The bare SQL of the first window (index range + LIMIT), no row assembly.
  const db = openDatabase(dbFile, { readonly: true });
  const scope = {
    experimentIds: [1],
    lifecycle: 'active' as const,
    filter: '',
    search: '',
    statuses: [],
    startedAfter: null,
    startedBefore: null,
    hidden: [],
    runIds: null,
  };
  windowDirect(db, scope, null, 0, 100);
  const t0 = performance.now();
  windowDirect(db, scope, { key: 'metric_20', desc: true }, 0, 100);
  countScope(db, scope);
  const windowRowsOnly = performance.now() - t0;
  db.close();
  return { firstWindow, sortQuick, sortLayout, filterQuick, filterLayout, windowRowsOnly };
}

interface BrowserFigures {
  firstRows: number[];
  sort: number[];
  filter: number[];
  fastScroll: { frames: number; p50: number; p95: number; max: number; seconds: number };
  readScroll: { frames: number; p50: number; p95: number; max: number };
  reachedBottom: boolean;
}

async function browserFigures(url: string): Promise<BrowserFigures> {
  const { chromium } = createRequire(__filename)('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.RUNLENS_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    // Reset the view (settings persist per experiment) so every run starts from the default.
    await page.goto(`${url}/#/`);
    await page.evaluate(async () => {
      const token = (document.querySelector('meta[name=runlens-token]') as HTMLMetaElement).content as string;
      await fetch('/runlens-api/v1/ui-state/put', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-runlens-token': token },
        body: JSON.stringify({ key: 'view:1', value: null }),
      });
    });

    // Time to first rows: navigation start → first run row in the DOM (median of 3 fresh loads).
    await page.addInitScript(() => {
      const w = window as unknown as { __firstRows?: number };
      new MutationObserver((_: unknown, obs: { disconnect(): void }) => {
        if (document.querySelector('.body-row[data-run-id]')) {
          w.__firstRows = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const firstRows: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto('about:blank'); // a fresh document each time (a hash change would not reload)
      await page.goto(`${url}/#/experiments/1`);
      await page.waitForFunction(() => (window as unknown as { __firstRows?: number }).__firstRows !== undefined);
      firstRows.push(await page.evaluate(() => (window as unknown as { __firstRows: number }).__firstRows));
    }
    await page.waitForTimeout(1500); // let the background layout finish
    mkdirSync(SHOTS, { recursive: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(SHOTS, 'table-100k-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'table-100k-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    /** Sort: click a metric header → the new order's first run on screen, measured in the page. */
    const sort: number[] = [];
    for (const key of ['accuracy', 'loss', 'f1', 'metric_05', 'loss']) {
      const measured = page.evaluate((label) => {
        const first = (): string | null =>
          document.querySelector('.body-row[data-run-id]')?.getAttribute('data-run-id') ?? null;
        const before = first();
        const button = ([...document.querySelectorAll('.cell.head .sort-button')] as HTMLButtonElement[]).find(
          (b) => b.getAttribute('aria-label') === label,
        );
        if (!button) throw new Error(`no header ${label}`);
        const t0 = performance.now();
        button.click();
        return new Promise<number>((done) => {
          const tick = (): void => {
            const now = first();
            if (now !== null && now !== before) done(performance.now() - t0);
            else requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        });
      }, key);
      sort.push(await measured);
      await page.waitForTimeout(400);
    }

    // Filter: Enter in the filter box → rows of the filtered view on screen.
    const filter: number[] = [];
    for (const f of [FILTER, "params.optimizer = 'sgd' and metrics.loss < 0.2", "params.model = 'mlp'"]) {
      const box = page.getByRole('textbox', { name: 'Filter runs' });
      await box.fill(f);
      await page.waitForTimeout(600); // the live syntax check runs while typing, before Enter
      filter.push(
        await page.evaluate(() => {
          const first = (): string | null =>
            document.querySelector('.body-row[data-run-id]')?.getAttribute('data-run-id') ?? null;
          const before = first();
          const input = document.getElementById('runs-filter') as HTMLInputElement;
          const t0 = performance.now();
          input.form!.requestSubmit();
          return new Promise<number>((done) => {
            const tick = (): void => {
              const now = first();
              if (now !== null && now !== before) done(performance.now() - t0);
              else requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
          });
        }),
      );
      await page.waitForTimeout(400);
    }
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=run-total]')?.textContent === '100,000 runs');
    await page.waitForTimeout(1500);

    // Scrolling: one scroll step per animation frame, frame times from rAF timestamps.
    const scroll = (step: number, maxFrames: number) =>
      page.evaluate(
        ([stepPx, limit]) => {
          const el = document.querySelector('.grid-scroll') as HTMLElement;
          el.scrollTop = 0;
          const deltas: number[] = [];
          return new Promise<{ deltas: number[]; bottom: boolean; seconds: number }>((done) => {
            let last = 0;
            const t0 = performance.now();
            const frame = (t: number): void => {
              if (last) deltas.push(t - last);
              last = t;
              const bottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
              if (bottom || deltas.length >= limit!) {
                done({ deltas, bottom, seconds: (performance.now() - t0) / 1000 });
                return;
              }
              el.scrollTop += stepPx!;
              requestAnimationFrame(frame);
            };
            requestAnimationFrame(frame);
          });
        },
        [step, maxFrames],
      );
    // Reading speed first (rows fully loaded as they come), then a fling all the way down.
    const read = await scroll(96, 400);
    const fast = await scroll(2400, 5000);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(SHOTS, 'table-100k-bottom.png') });
    const stats = (d: number[]) => ({ frames: d.length, p50: pct(d, 50), p95: pct(d, 95), max: Math.max(...d) });
    return {
      firstRows,
      sort,
      filter,
      fastScroll: { ...stats(fast.deltas), seconds: fast.seconds },
      readScroll: stats(read.deltas),
      reachedBottom: fast.bottom,
    };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  if (
    !existsSync(join(ROOT, 'out', 'renderer', 'index.html')) ||
    !existsSync(join(ROOT, 'out', 'main', 'query-worker.js'))
  ) {
    throw new Error('Runlens is not built: run `npm run build` first (npm run bench:table does).');
  }
  const dataDir = ensureStore();
  const dbFile = join(dataDir, 'runlens.db');
  openDatabase(dbFile).close(); // migrations, before the read-only connections
  log('sql floor (this process, no HTTP, no browser) …');
  const floor = await sqlFloor(dbFile);
  log('serve mode + Chromium …');
  const { url, child } = await startServe(join(ROOT, 'bin', 'runlens.js'), dataDir);
  let figures: BrowserFigures;
  try {
    figures = await browserFigures(url);
  } finally {
    child.kill('SIGTERM');
  }
  const row = (label: string, value: string, target: string, floorText: string): void =>
    log(`  ${label.padEnd(34)} ${value.padStart(12)}   target ${target.padEnd(9)} floor ${floorText}`);
  log('');
  log(
    `bench/table — ${SHAPE.runs.toLocaleString()} runs × ${SHAPE.params} params × ${SHAPE.metrics} metrics, 2-core machine`,
  );
  row(
    'time to first rows (median of 3)',
    ms(median(figures.firstRows)),
    '< 500 ms',
    `${ms(floor.firstWindow)} (first window, 100 rows × 105 cols)`,
  );
  log(`    each load: ${figures.firstRows.map(ms).join(', ')}`);
  row(
    're-sort by a metric (median of 5)',
    ms(median(figures.sort)),
    '< 150 ms',
    `${ms(median(floor.sortQuick))} (window), ${ms(median(floor.sortLayout))} (whole order)`,
  );
  log(`    each sort: ${figures.sort.map(ms).join(', ')}`);
  row(
    'apply a filter (median of 3)',
    ms(median(figures.filter)),
    '< 150 ms',
    `${ms(floor.filterQuick)} (window), ${ms(floor.filterLayout)} (whole order)`,
  );
  log(`    each filter: ${figures.filter.map(ms).join(', ')}`);
  row('scroll frame p50 (fling to bottom)', ms(figures.fastScroll.p50), '', '');
  row('scroll frame p95 (fling to bottom)', ms(figures.fastScroll.p95), '< 16 ms', '');
  log(
    `    ${figures.fastScroll.frames} frames in ${figures.fastScroll.seconds.toFixed(1)} s, max ${ms(figures.fastScroll.max)}, reached bottom: ${figures.reachedBottom}`,
  );
  row('scroll frame p50 (reading speed)', ms(figures.readScroll.p50), '', '');
  row('scroll frame p95 (reading speed)', ms(figures.readScroll.p95), '< 16 ms', '');
  log(`    ${figures.readScroll.frames} frames, max ${ms(figures.readScroll.max)}`);
  log(`  index range + LIMIT + count alone: ${ms(floor.windowRowsOnly)}`);
  log(`  screenshots: ${join(SHOTS, 'table-100k-{light,dark,bottom}.png')}`);
  if (!flag('keep')) log(`  (store kept for next time in ${CACHE}; --rebuild to rebuild)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
