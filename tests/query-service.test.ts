import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { QueryService } from '../src-main/query/query-service';
import { MlflowError } from '../src-main/core/errors';
import type { RunRowData, RunsWindow, RunsWindowRequest, SortSpec } from '../src-main/contract/ui-api';

let dir: string;
let db: Db;
let store: TrackingStore;
let q: QueryService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-query-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new TrackingStore(db);
  q = QueryService.open(join(dir, 'runlens.db'));
});

afterEach(() => {
  q.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(
  experimentId: string,
  name: string,
  startTime: number | null,
  data: {
    metrics?: Record<string, number>;
    params?: Record<string, string>;
    tags?: Record<string, string>;
    step?: number;
  } = {},
): string {
  const id = store.createRun({ experimentId, userId: 'ana', startTime, tags: [], runName: name }).info.run_id;
  store.logBatch(id, {
    metrics: Object.entries(data.metrics ?? {}).map(([key, value]) => ({
      key,
      value,
      timestamp: 1000,
      step: data.step ?? 0,
    })),
    params: Object.entries(data.params ?? {}).map(([key, value]) => ({ key, value })),
    tags: Object.entries(data.tags ?? {}).map(([key, value]) => ({ key, value })),
  });
  return id;
}

const window = (experimentIds: string[], extra: Partial<RunsWindowRequest> = {}): RunsWindowRequest => ({
  experimentIds,
  offset: 0,
  limit: 100,
  columns: { metrics: [], params: [], tags: [] },
  sort: [],
  ...extra,
});

const rowsOf = (w: RunsWindow): RunRowData[] => w.items.flatMap((i) => (i.type === 'run' ? [i.run] : []));
const names = async (req: RunsWindowRequest): Promise<string[]> => rowsOf(await q.runsWindow(req)).map((r) => r.name);
const by = (kind: SortSpec['column']['kind'], key: string, desc = false): SortSpec[] => [
  { column: { kind, key } as SortSpec['column'], desc },
];

describe('listExperiments', () => {
  it('lists active experiments newest first with active run counts and last run start', async () => {
    const a = store.createExperiment('alpha', null, []);
    const b = store.createExperiment('bravo', null, []);
    const gone = store.createExperiment('gone', null, []);
    store.deleteExperiment(gone);
    run(a, 'r1', 100);
    const r2 = run(a, 'r2', 300);
    run(a, 'r3', 200);
    store.deleteRun(r2);
    const list = await q.listExperiments();
    // Deleted experiments are listed too (the sidebar offers to restore them).
    expect(list.map((e) => [e.name, e.lifecycleStage])).toEqual([
      ['gone', 'deleted'],
      ['bravo', 'active'],
      ['alpha', 'active'],
      ['Default', 'active'],
    ]);
    const alpha = list.find((e) => e.experimentId === a)!;
    expect(alpha.runCount).toBe(2);
    expect(alpha.lastRunStartTime).toBe(300);
    expect(list.find((e) => e.experimentId === b)).toMatchObject({
      runCount: 0,
      lastRunStartTime: null,
      lifecycleStage: 'active',
    });
  });

  it('sees writes committed after the read connection opened', async () => {
    expect((await q.listExperiments()).length).toBe(1);
    store.createExperiment('later', null, []);
    expect((await q.listExperiments()).map((e) => e.name)).toContain('later');
  });
});

describe('experimentKeys', () => {
  it('lists the metric, param and tag keys of the given experiments only, sorted', async () => {
    const a = store.createExperiment('a', null, []);
    const b = store.createExperiment('b', null, []);
    run(a, 'r1', 1, { metrics: { loss: 1, acc: 0.5 }, params: { lr: '0.1' }, tags: { team: 'x' } });
    run(a, 'r2', 2, { metrics: { acc: 0.6, 'val/acc': 0.4 }, params: { depth: '3' } });
    run(b, 'r3', 3, { metrics: { other: 1 }, params: { other: 'p' } });
    const keys = await q.experimentKeys([a]);
    expect(keys.metrics).toEqual(['acc', 'loss', 'val/acc']);
    expect(keys.params).toEqual(['depth', 'lr']);
    expect(keys.tags).toEqual(['mlflow.runName', 'team']);
    expect((await q.experimentKeys([a, b])).metrics).toEqual(['acc', 'loss', 'other', 'val/acc']);
    expect(await q.experimentKeys([])).toEqual({ metrics: [], params: [], tags: [] });
  });

  it('follows the lifecycle filter', async () => {
    const a = store.createExperiment('a', null, []);
    const r = run(a, 'r1', 1, { metrics: { only_deleted: 1 } });
    run(a, 'r2', 2, { metrics: { kept: 1 } });
    store.deleteRun(r);
    expect((await q.experimentKeys([a])).metrics).toEqual(['kept']);
    expect((await q.experimentKeys([a], 'deleted')).metrics).toEqual(['only_deleted']);
    expect((await q.experimentKeys([a], 'all')).metrics).toEqual(['kept', 'only_deleted']);
  });
});

describe('runsWindow', () => {
  it('returns attributes and only the requested columns, with the latest metric value', async () => {
    const a = store.createExperiment('a', null, []);
    const id = run(a, 'r1', 1000, {
      metrics: { acc: 0.5, loss: 2 },
      params: { lr: '0.1', depth: '4' },
      tags: { team: 'x' },
    });
    store.logBatch(id, { metrics: [{ key: 'acc', value: 0.9, timestamp: 2000, step: 3 }], params: [], tags: [] });
    store.updateRun(id, 'FINISHED', 61_000, null);
    const res = await q.runsWindow(
      window([a], { columns: { metrics: ['acc', 'missing'], params: ['lr'], tags: ['team'] } }),
    );
    expect(res.total).toBe(1);
    expect(rowsOf(res)[0]).toEqual({
      runId: id,
      experimentId: a,
      name: 'r1',
      status: 'FINISHED',
      startTime: 1000,
      endTime: 61_000,
      userId: 'ana',
      lifecycleStage: 'active',
      source: null,
      gitCommit: null,
      parentRunId: null,
      metrics: { acc: 0.9 },
      params: { lr: '0.1' },
      tags: { team: 'x' },
    });
  });

  it('carries NaN and ±Infinity as strings', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'r1', 1, { metrics: { n: NaN, p: Infinity, m: -Infinity, z: 0 } });
    const [row] = rowsOf(
      await q.runsWindow(window([a], { columns: { metrics: ['n', 'p', 'm', 'z'], params: [], tags: [] } })),
    );
    expect(row!.metrics).toEqual({ n: 'NaN', p: 'Infinity', m: '-Infinity', z: 0 });
  });

  it('pages through windows of the sorted result with a stable total', async () => {
    const a = store.createExperiment('a', null, []);
    for (let i = 0; i < 25; i++) run(a, `r${String(i).padStart(2, '0')}`, 1000 + i);
    const page1 = await q.runsWindow(window([a], { offset: 0, limit: 10 }));
    const page3 = await q.runsWindow(window([a], { offset: 20, limit: 10 }));
    expect(page1.total).toBe(25);
    expect(
      rowsOf(page1)
        .map((r) => r.name)
        .slice(0, 3),
    ).toEqual(['r24', 'r23', 'r22']); // newest first
    expect(page3).toMatchObject({ total: 25, offset: 20 });
    expect(rowsOf(page3).map((r) => r.name)).toEqual(['r04', 'r03', 'r02', 'r01', 'r00']);
    const beyond = await q.runsWindow(window([a], { offset: 100, limit: 10 }));
    expect(beyond).toEqual({ total: 25, runCount: 25, offset: 100, items: [] });
    expect((await q.runsWindow(window([a], { limit: 0 }))).items).toEqual([]);
  });

  it('sorts by a metric with missing values and NaN last in both directions', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'low', 1, { metrics: { acc: 0.1 } });
    run(a, 'high', 2, { metrics: { acc: 0.9 } });
    run(a, 'none', 3, { metrics: { other: 1 } });
    run(a, 'nan', 4, { metrics: { acc: NaN } });
    run(a, 'inf', 5, { metrics: { acc: Infinity } });
    expect(await names(window([a], { sort: by('metric', 'acc', true) }))).toEqual([
      'inf',
      'high',
      'low',
      'nan',
      'none',
    ]);
    expect(await names(window([a], { sort: by('metric', 'acc', false) }))).toEqual([
      'low',
      'high',
      'inf',
      'nan',
      'none',
    ]);
  });

  it('sorts params holding numbers as numbers, before strings, missing last', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'ten', 1, { params: { n: '10' } });
    run(a, 'two', 2, { params: { n: '2' } });
    run(a, 'word', 3, { params: { n: 'abc' } });
    run(a, 'half', 4, { params: { n: '0.5' } });
    run(a, 'none', 5);
    expect(await names(window([a], { sort: by('param', 'n') }))).toEqual(['half', 'two', 'ten', 'word', 'none']);
    expect(await names(window([a], { sort: by('param', 'n', true) }))).toEqual(['ten', 'two', 'half', 'word', 'none']);
  });

  it('sorts by attributes and by several keys, ties broken by start time then run id', async () => {
    const a = store.createExperiment('a', null, []);
    const b1 = run(a, 'beta', 100, { params: { g: 'x' }, metrics: { m: 1 } });
    const a1 = run(a, 'Alpha', 200, { params: { g: 'y' }, metrics: { m: 2 } });
    const c1 = run(a, 'gamma', 300, { params: { g: 'x' }, metrics: { m: 3 } });
    store.updateRun(b1, 'FINISHED', 100 + 5000, null);
    store.updateRun(a1, 'FAILED', 200 + 1000, null);
    expect(await names(window([a], { sort: by('attribute', 'name') }))).toEqual(['Alpha', 'beta', 'gamma']);
    expect(await names(window([a], { sort: by('attribute', 'duration', true) }))).toEqual(['beta', 'Alpha', 'gamma']);
    expect(await names(window([a], { sort: by('attribute', 'status') }))).toEqual(['Alpha', 'beta', 'gamma']);
    expect(await names(window([a], { sort: by('attribute', 'start_time') }))).toEqual(['beta', 'Alpha', 'gamma']);
    const multi: SortSpec[] = [
      { column: { kind: 'param', key: 'g' }, desc: false },
      { column: { kind: 'metric', key: 'm' }, desc: true },
    ];
    expect(await names(window([a], { sort: multi }))).toEqual(['gamma', 'beta', 'Alpha']);
    // Ties on the only sort key: newest first.
    expect(await names(window([a], { sort: by('tag', 'nope') }))).toEqual(['gamma', 'Alpha', 'beta']);
    expect(c1).toBeTruthy();
  });

  it('spans several experiments and follows the lifecycle filter', async () => {
    const a = store.createExperiment('a', null, []);
    const b = store.createExperiment('b', null, []);
    run(a, 'a1', 1);
    const gone = run(b, 'b1', 2);
    run(b, 'b2', 3);
    store.deleteRun(gone);
    expect(await names(window([a, b]))).toEqual(['b2', 'a1']);
    expect(await names(window([a, b], { lifecycle: 'deleted' }))).toEqual(['b1']);
    expect((await q.runsWindow(window([a, b], { lifecycle: 'all' }))).total).toBe(3);
    expect((await q.runsWindow(window([]))).total).toBe(0);
  });

  it('rejects malformed requests with INVALID_PARAMETER_VALUE', async () => {
    const bad: unknown[] = [
      null,
      { experimentIds: 'x' },
      { experimentIds: ['not-a-number'] },
      { experimentIds: ['1'], limit: -1 },
      { experimentIds: ['1'], limit: 1_000_000 },
      { experimentIds: ['1'], offset: 1.5 },
      { experimentIds: ['1'], sort: [{ column: { kind: 'attribute', key: 'secret' } }] },
      { experimentIds: ['1'], sort: [{ column: { kind: 'sql', key: 'x' } }] },
      { experimentIds: ['1'], sort: [{ column: { kind: 'metric', key: 'x' }, desc: 'yes' }] },
      { experimentIds: ['1'], columns: { metrics: [1] } },
      { experimentIds: ['1'], lifecycle: 'gone' },
    ];
    for (const body of bad) {
      const err = await q.runsWindow(body as RunsWindowRequest).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(MlflowError);
      expect((err as MlflowError).errorCode).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it("filters with MLflow's search grammar, combined with the UI's sort and windows", async () => {
    const a = store.createExperiment('a', null, []);
    const b = store.createExperiment('b', null, []);
    run(a, 'rf-good', 1, { metrics: { acc: 0.95 }, params: { model: 'rf', n: '10' }, tags: { phase: 'tuning' } });
    run(a, 'rf-bad', 2, { metrics: { acc: 0.7 }, params: { model: 'rf', n: '2' }, tags: { phase: 'tuning' } });
    run(a, 'xgb-good', 3, { metrics: { acc: 0.93 }, params: { model: 'xgb', n: '5' } });
    const gone = run(a, 'rf-deleted', 4, { metrics: { acc: 0.99 }, params: { model: 'rf' } });
    run(b, 'rf-other-exp', 5, { metrics: { acc: 0.99 }, params: { model: 'rf' } });
    store.deleteRun(gone);
    const f = (filter: string, extra: Partial<RunsWindowRequest> = {}) => names(window([a], { filter, ...extra }));
    expect(await f('metrics.acc > 0.9')).toEqual(['xgb-good', 'rf-good']);
    expect(await f("params.model = 'rf'")).toEqual(['rf-bad', 'rf-good']);
    expect(await f("metrics.acc > 0.9 and params.model = 'rf' and tags.phase = 'tuning'")).toEqual(['rf-good']);
    expect(await f("attributes.run_name LIKE 'rf-%'")).toEqual(['rf-bad', 'rf-good']);
    // The UI's own sort (params holding numbers sort as numbers) applies to the filtered set.
    expect(await f("params.model = 'rf'", { sort: by('param', 'n') })).toEqual(['rf-bad', 'rf-good']);
    expect(await f("params.model = 'rf'", { lifecycle: 'all' })).toEqual(['rf-deleted', 'rf-bad', 'rf-good']);
    const page = await q.runsWindow(window([a], { filter: 'metrics.acc >= 0.7', offset: 1, limit: 1 }));
    expect(page.total).toBe(3);
    expect(rowsOf(page).map((r) => r.name)).toEqual(['rf-bad']);
    expect(await names(window([a, b], { filter: 'metrics.acc > 0.98' }))).toEqual(['rf-other-exp']);
    expect((await q.runsWindow(window([a], { filter: 'metrics.never_logged > 0' }))).total).toBe(0);
    expect(await f('   ')).toHaveLength(3);
    for (const bad of ['metrics.acc >', "params.model IN ('rf')", 'nonsense', 'metrics.acc > 0.9 or params.x = 1']) {
      const err = await q.runsWindow(window([a], { filter: bad })).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(MlflowError);
      expect((err as MlflowError).errorCode, bad).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('treats keys as data, never as SQL', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'r', 1, { params: { "x'); DROP TABLE runs; --": 'v' } });
    const key = "x'); DROP TABLE runs; --";
    const res = await q.runsWindow(
      window([a], { sort: by('param', key), columns: { metrics: [], params: [key], tags: [] } }),
    );
    expect(rowsOf(res)[0]!.params[key]).toBe('v');
    expect((await q.runsWindow(window([a]))).total).toBe(1);
  });
});
