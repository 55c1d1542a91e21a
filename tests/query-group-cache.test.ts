import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { QueryService } from '../src-main/query/query-service';
import type { GroupItem, RunsWindowRequest } from '../src-main/contract/ui-api';

/**
 * Grouped views keep their run order and aggregates while the data is unchanged, so collapsing
 * one group does not sort and aggregate every run again; a write must still show at once.
 */

let dir: string;
let db: Db;
let store: TrackingStore;
let q: QueryService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-group-cache-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new TrackingStore(db);
  q = QueryService.open(join(dir, 'runlens.db'));
});

afterEach(() => {
  q.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(experimentId: string, name: string, model: string, acc: number, start: number): string {
  const id = store.createRun({ experimentId, userId: 'ana', startTime: start, tags: [], runName: name }).info.run_id;
  store.logBatch(id, {
    metrics: [{ key: 'acc', value: acc, timestamp: 1000, step: 0 }],
    params: [{ key: 'model', value: model }],
    tags: [],
  });
  return id;
}

const grouped = (experimentId: string, toggledGroups: string[] = []): RunsWindowRequest => ({
  experimentIds: [experimentId],
  offset: 0,
  limit: 100,
  columns: { metrics: ['acc'], params: ['model'], tags: [] },
  sort: [{ column: { kind: 'metric', key: 'acc' }, desc: true }],
  groupBy: [{ kind: 'param', key: 'model' }],
  aggregates: ['acc'],
  toggledGroups,
});

const groups = (items: { type: string }[]): GroupItem[] => items.filter((i): i is GroupItem => i.type === 'group');

it('toggling groups reuses the order and aggregates, and a write refreshes them', async () => {
  const exp = store.createExperiment('g', null, []);
  run(exp, 'a', 'rf', 0.9, 1000);
  run(exp, 'b', 'rf', 0.7, 2000);
  run(exp, 'c', 'xgb', 0.5, 3000);

  const first = await q.runsWindow(grouped(exp));
  expect(groups(first.items).map((g) => [g.values[0], g.count, g.aggregates.acc?.mean])).toEqual([
    ['rf', 2, 0.8],
    ['xgb', 1, 0.5],
  ]);
  const rfKey = groups(first.items)[0]!.key;

  // Collapsing rf: its runs leave the window, the aggregates stay.
  const collapsed = await q.runsWindow(grouped(exp, [rfKey]));
  expect(collapsed.items.map((i) => (i.type === 'group' ? `[${i.values[0]}]` : i.run.name))).toEqual([
    '[rf]',
    '[xgb]',
    'c',
  ]);
  expect(groups(collapsed.items)[0]!.aggregates.acc?.mean).toBeCloseTo(0.8);

  // A new run changes the data version: order, counts and aggregates are computed again.
  run(exp, 'd', 'rf', 1.0, 4000);
  const after = await q.runsWindow(grouped(exp, [rfKey]));
  expect(groups(after.items).map((g) => [g.values[0], g.count])).toEqual([
    ['rf', 3],
    ['xgb', 1],
  ]);
  expect(groups(after.items)[0]!.aggregates.acc?.mean).toBeCloseTo(0.8666666);
  const expanded = await q.runsWindow(grouped(exp));
  expect(expanded.items.map((i) => (i.type === 'group' ? `[${i.values[0]}]` : i.run.name))).toEqual([
    '[rf]',
    'd',
    'a',
    'b',
    '[xgb]',
    'c',
  ]);
});
