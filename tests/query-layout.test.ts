import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { QueryService } from '../src-main/query/query-service';
import { checkFilter } from '../src-main/query/filter-check';
import type {
  GroupItem,
  RunItem,
  RunsQuery,
  RunsWindow,
  RunsWindowRequest,
  SortSpec,
} from '../src-main/contract/ui-api';

/**
 * The runs view beyond plain windows: the fast sort path against SQLite's own ORDER BY, grouping
 * with aggregates, nested runs, pinned and hidden runs, the UI's own filters, exports and the
 * filter checker's error positions.
 */

let dir: string;
let db: Db;
let store: TrackingStore;
let q: QueryService;
/** Same database, always through the merge path (no small-view shortcut). */
let fast: QueryService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-layout-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new TrackingStore(db);
  q = QueryService.open(join(dir, 'runlens.db'), { smallView: Infinity });
  fast = QueryService.open(join(dir, 'runlens.db'), { smallView: 0 });
});

afterEach(() => {
  q.close();
  fast.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(
  experimentId: string,
  name: string,
  startTime: number | null,
  data: { metrics?: Record<string, number>; params?: Record<string, string>; tags?: Record<string, string> } = {},
): string {
  const id = store.createRun({ experimentId, userId: 'ana', startTime, tags: [], runName: name }).info.run_id;
  store.logBatch(id, {
    metrics: Object.entries(data.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 1000, step: 0 })),
    params: Object.entries(data.params ?? {}).map(([key, value]) => ({ key, value })),
    tags: Object.entries(data.tags ?? {}).map(([key, value]) => ({ key, value })),
  });
  return id;
}

const req = (experimentIds: string[], extra: Partial<RunsWindowRequest> = {}): RunsWindowRequest => ({
  experimentIds,
  offset: 0,
  limit: 1000,
  columns: { metrics: [], params: [], tags: [] },
  sort: [],
  ...extra,
});

const runsOf = (w: RunsWindow): RunItem[] => w.items.filter((i): i is RunItem => i.type === 'run');
const names = async (s: QueryService, r: RunsWindowRequest): Promise<string[]> =>
  runsOf(await s.runsWindow(r)).map((i) => i.run.name);
const sortBy = (kind: SortSpec['column']['kind'], key: string, desc = false): SortSpec[] => [
  { column: { kind, key } as SortSpec['column'], desc },
];

describe('sorting big views', () => {
  it('merges index-ordered values exactly as SQLite sorts them (ties, NaN, missing, numbers in text)', async () => {
    const a = store.createExperiment('a', null, []);
    const other = store.createExperiment('other', null, []);
    const values = [0.5, 0.5, 0.1, NaN, 2, -1, 0.5, Infinity, -Infinity];
    const texts = ['10', '9', 'abc', '0.5', '', 'abc', '1e3', 'Zed', '10', ' 7 '];
    let n = 0;
    for (let i = 0; i < 40; i++) {
      const metrics: Record<string, number> = {};
      const params: Record<string, string> = {};
      if (i % 7 !== 3) metrics.m = values[i % values.length]!;
      if (i % 5 !== 2) params.p = texts[i % texts.length]!;
      // Equal start times make the run id the final tie-breaker.
      run(a, `r${n++}`, i % 6 === 0 ? null : 1000 + (i % 4), { metrics, params, tags: { t: texts[(i * 3) % 10]! } });
    }
    run(other, 'elsewhere', 5, { metrics: { m: 100 }, params: { p: '0' } });
    const failed = run(a, 'failed', 1003, { metrics: { m: 0.5 }, params: { p: '9' } });
    store.updateRun(failed, 'FAILED', 2000, null);
    const gone = run(a, 'gone', 1002, { metrics: { m: 0.5 } });
    store.deleteRun(gone);

    for (const kind of ['metric', 'param', 'tag'] as const) {
      for (const desc of [false, true]) {
        const key = kind === 'metric' ? 'm' : kind === 'param' ? 'p' : 't';
        for (const extra of [
          {},
          { statuses: ['FINISHED', 'RUNNING'] as RunsQuery['statuses'] },
          { filter: "params.p != 'abc'" },
        ]) {
          const r = req([a], { sort: sortBy(kind, key, desc), ...extra });
          const expected = await names(q, r);
          expect(await names(fast, r), `${kind} ${desc} ${JSON.stringify(extra)}`).toEqual(expected);
        }
      }
    }
    // First windows come straight from an index (no layout): same order as the laid-out view.
    const ids = store.createExperiment('ids', null, []);
    const made = values.map((v, i) =>
      run(ids, `q${i}`, i % 3 === 0 ? null : 50 + (i % 2), { metrics: i % 4 === 1 ? {} : { m: v } }),
    );
    for (const desc of [false, true]) {
      for (const extra of [
        {},
        { pinned: [made[3]!, made[0]!] },
        { hidden: [made[2]!] },
        { search: 'q1' },
        // A filter: few matches, read by run key and sorted (all three segments: values, NaN, none).
        { filter: "attributes.run_name LIKE 'q%'", pinned: [made[3]!] },
      ]) {
        const r = req([ids], { sort: sortBy('metric', 'm', desc), ...extra });
        const laidOut = await q.runIds(r);
        for (const [offset, limit] of [
          [0, 100],
          [1, 3],
          [4, 2],
          [8, 5],
        ] as const) {
          const w = await fast.runsWindow({ ...r, offset, limit });
          expect(
            runsOf(w).map((i) => i.run.runId),
            `${desc} ${JSON.stringify(extra)} ${offset}`,
          ).toEqual(laidOut.slice(offset, offset + limit));
          expect(w.total).toBe(laidOut.length);
        }
      }
    }
    // Missing values last both ways; NaN after numbers.
    const asc = await names(fast, req([a], { sort: sortBy('metric', 'm') }));
    const desc = await names(fast, req([a], { sort: sortBy('metric', 'm', true) }));
    expect(asc.slice(-5)).toEqual(desc.slice(-5));
  });
});

describe('grouping', () => {
  it('groups by a param with counts and aggregates, numbers ordered as numbers, missing last', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'a1', 1, { params: { lr: '0.1', model: 'rf' }, metrics: { acc: 0.5 } });
    run(a, 'a2', 2, { params: { lr: '0.1', model: 'xgb' }, metrics: { acc: 0.7 } });
    run(a, 'a3', 3, { params: { lr: '0.01', model: 'rf' }, metrics: { acc: 0.9 } });
    run(a, 'a4', 4, { params: { lr: '1e-3', model: 'rf' }, metrics: { acc: NaN } });
    run(a, 'a5', 5, { params: { model: 'rf' } });
    const w = await q.runsWindow(
      req([a], { groupBy: [{ kind: 'param', key: 'lr' }], aggregates: ['acc'], sort: sortBy('metric', 'acc', true) }),
    );
    const shape = w.items.map((i) => (i.type === 'group' ? `[${i.values.join(',')}:${i.count}]` : i.run.name));
    expect(shape).toEqual(['[1e-3:1]', 'a4', '[0.01:1]', 'a3', '[0.1:2]', 'a2', 'a1', '[:1]', 'a5']);
    expect(w.total).toBe(9);
    expect(w.runCount).toBe(5);
    const g = w.items[4] as GroupItem;
    expect(g.aggregates.acc!.count).toBe(2);
    expect(g.aggregates.acc!.mean).toBeCloseTo(0.6);
    expect(g.aggregates.acc!.min).toBe(0.5);
    expect(g.aggregates.acc!.max).toBe(0.7);
    expect(g.aggregates.acc!.std).toBeCloseTo(Math.sqrt(0.02));
    // NaN is not a value: the 1e-3 group has no aggregate values.
    expect((w.items[0] as GroupItem).aggregates.acc).toEqual({ count: 0, mean: null, min: null, max: null, std: null });

    // Collapsed by default, one group toggled open; windows slice headers and runs alike.
    const collapsed = await q.runsWindow(
      req([a], { groupBy: [{ kind: 'param', key: 'lr' }], groupsCollapsed: true, toggledGroups: [g.key] }),
    );
    expect(
      collapsed.items.map((i) => (i.type === 'group' ? `${i.collapsed ? '+' : '-'}${i.values[0]}` : i.run.name)),
    ).toEqual(['+1e-3', '+0.01', '-0.1', 'a2', 'a1', '+null']);
    const second = await q.runsWindow(
      req([a], {
        groupBy: [{ kind: 'param', key: 'lr' }],
        groupsCollapsed: true,
        toggledGroups: [g.key],
        offset: 3,
        limit: 2,
      }),
    );
    expect(second.items.map((i) => (i.type === 'run' ? i.run.name : 'group'))).toEqual(['a2', 'a1']);

    // Several keys: one group per combination.
    const multi = await q.runsWindow(
      req([a], {
        groupBy: [
          { kind: 'param', key: 'model' },
          { kind: 'attribute', key: 'status' },
        ],
      }),
    );
    expect(multi.items.filter((i) => i.type === 'group').map((i) => (i as GroupItem).values)).toEqual([
      ['rf', 'RUNNING'],
      ['xgb', 'RUNNING'],
    ]);
  });
});

describe('nested runs, pinned and hidden runs', () => {
  it('lists children under their expanded parent, and a child whose parent is filtered out as a root', async () => {
    const a = store.createExperiment('a', null, []);
    const parent = run(a, 'parent', 10, { params: { kind: 'sweep' } });
    const c1 = run(a, 'child-1', 11, { tags: { 'mlflow.parentRunId': parent }, params: { kind: 'trial' } });
    run(a, 'child-2', 12, { tags: { 'mlflow.parentRunId': parent }, params: { kind: 'trial' } });
    run(a, 'grandchild', 13, { tags: { 'mlflow.parentRunId': c1 }, params: { kind: 'trial' } });
    run(a, 'solo', 5);
    const collapsed = await q.runsWindow(req([a], { tree: true }));
    expect(runsOf(collapsed).map((i) => [i.run.name, i.childCount, i.depth])).toEqual([
      ['parent', 2, 0],
      ['solo', 0, 0],
    ]);
    expect(collapsed.runCount).toBe(5);
    const open = await q.runsWindow(req([a], { tree: true, expanded: [parent, c1] }));
    expect(runsOf(open).map((i) => `${'  '.repeat(i.depth)}${i.run.name}`)).toEqual([
      'parent',
      '  child-2',
      '  child-1',
      '    grandchild',
      'solo',
    ]);
    expect(runsOf(open)[0]!.expanded).toBe(true);
    // The parent does not match: its children stand alone.
    expect(await names(q, req([a], { tree: true, filter: "params.kind = 'trial'" }))).toEqual(['child-2', 'child-1']);
    // runIds lists every run of the view, whatever is collapsed.
    expect((await q.runIds({ experimentIds: [a], sort: [], tree: true })).length).toBe(5);
  });

  it('puts pinned runs first and leaves hidden runs out', async () => {
    const a = store.createExperiment('a', null, []);
    const ids = ['r1', 'r2', 'r3', 'r4'].map((n, i) => run(a, n, i, { metrics: { m: i } }));
    const w = await q.runsWindow(
      req([a], { pinned: [ids[0]!, ids[2]!], hidden: [ids[3]!], sort: sortBy('metric', 'm', true) }),
    );
    expect(runsOf(w).map((i) => [i.run.name, i.pinned])).toEqual([
      ['r1', true],
      ['r3', true],
      ['r2', false],
    ]);
    expect(w.total).toBe(3);
    const grouped = await q.runsWindow(
      req([a], { pinned: [ids[1]!], groupBy: [{ kind: 'attribute', key: 'status' }] }),
    );
    expect(grouped.items.map((i) => (i.type === 'run' ? i.run.name : 'group'))).toEqual([
      'r2',
      'group',
      'r4',
      'r3',
      'r1',
    ]);
  });
});

describe("the UI's own filters", () => {
  it('filters by name substring, status, start time range and run ids', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'Alpha_1', 100);
    const b = run(a, 'beta%2', 200);
    run(a, 'gamma', 300);
    store.updateRun(b, 'FAILED', 250, null);
    expect(await names(q, req([a], { search: 'ALPHA' }))).toEqual(['Alpha_1']);
    expect(await names(q, req([a], { search: '%' }))).toEqual(['beta%2']);
    expect(await names(q, req([a], { search: '_' }))).toEqual(['Alpha_1']);
    expect(await names(q, req([a], { statuses: ['FAILED'] }))).toEqual(['beta%2']);
    expect(await names(q, req([a], { startedAfter: 150, startedBefore: 300 }))).toEqual(['gamma', 'beta%2']);
    expect(await names(q, req([a], { runIds: [b] }))).toEqual(['beta%2']);
  });
});

describe('metric min/max columns', () => {
  it('returns and sorts by the min and max of a series', async () => {
    const a = store.createExperiment('a', null, []);
    const r1 = run(a, 'r1', 1);
    const r2 = run(a, 'r2', 2);
    const log = (id: string, values: number[]) =>
      store.logBatch(id, {
        metrics: values.map((value, step) => ({ key: 'loss', value, timestamp: 1000 + step, step })),
        params: [],
        tags: [],
      });
    log(r1, [5, 1, 3]);
    log(r2, [4, 2, 6]);
    const w = await q.runsWindow(
      req([a], {
        columns: { metrics: ['loss'], metricMin: ['loss'], metricMax: ['loss'], params: [], tags: [] },
        sort: [{ column: { kind: 'metric', key: 'loss', agg: 'min' }, desc: false }],
      }),
    );
    expect(
      runsOf(w).map((i) => [i.run.name, i.run.metrics.loss, i.run.metricMin?.loss, i.run.metricMax?.loss]),
    ).toEqual([
      ['r1', 3, 1, 5],
      ['r2', 6, 2, 6],
    ]);
  });
});

describe('exports, run ids, differing columns, key values, run detail', () => {
  it('exports exactly the view: filtered, sorted, chosen columns, in CSV, TSV and JSON', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'plain', 1, { metrics: { acc: 0.5 }, params: { note: 'a,b "quoted"' } });
    run(a, 'best', 2, { metrics: { acc: 0.9 }, params: { note: 'tab\there' } });
    run(a, 'skipped', 3, { metrics: { acc: 0.1 } });
    const query: RunsQuery = { experimentIds: [a], filter: 'metrics.acc > 0.2', sort: sortBy('metric', 'acc', true) };
    const columns: RunsWindowRequest['sort'][number]['column'][] = [
      { kind: 'attribute', key: 'name' },
      { kind: 'metric', key: 'acc' },
      { kind: 'param', key: 'note' },
    ];
    const csv = await q.exportRuns({ query, columns, format: 'csv' });
    expect(csv).toBe('run_name,metrics.acc,params.note\r\nbest,0.9,tab\there\r\nplain,0.5,"a,b ""quoted"""\r\n');
    const tsv = await q.exportRuns({ query, columns, format: 'tsv' });
    expect(tsv.split('\r\n')[1]).toBe('best\t0.9\t"tab\there"');
    const json = JSON.parse(await q.exportRuns({ query, columns, format: 'json' }));
    expect(json).toEqual([
      { run_name: 'best', 'metrics.acc': 0.9, 'params.note': 'tab\there' },
      { run_name: 'plain', 'metrics.acc': 0.5, 'params.note': 'a,b "quoted"' },
    ]);
    expect(await q.runIds(query)).toHaveLength(2);
  });

  it('finds the columns whose values differ across the view', async () => {
    const a = store.createExperiment('a', null, []);
    run(a, 'r1', 1, { metrics: { same: 1, diff: 1, nan: NaN }, params: { same: 'x', diff: 'a', some: 'v' } });
    run(a, 'r2', 2, { metrics: { same: 1, diff: 2, nan: 3 }, params: { same: 'x', diff: 'b' } });
    const d = await q.differingColumns(
      { experimentIds: [a], sort: [] },
      { metrics: ['same', 'diff', 'nan', 'absent'], params: ['same', 'diff', 'some'], tags: ['mlflow.runName'] },
    );
    expect(d).toEqual({
      metrics: ['diff', 'nan'],
      metricMin: [],
      metricMax: [],
      params: ['diff', 'some'],
      tags: ['mlflow.runName'],
    });
  });

  it('suggests values of a key and returns the whole run for the detail panel', async () => {
    const a = store.createExperiment('a', null, []);
    const p = run(a, 'p', 1, { params: { model: 'rf' } });
    run(a, 'c', 2, { params: { model: 'resnet' }, metrics: { acc: 0.5 }, tags: { 'mlflow.parentRunId': p } });
    run(a, 'd', 3, { params: { model: 'xgb' } });
    expect(await q.keyValues({ experimentIds: [a], kind: 'param', key: 'model', prefix: 'r' })).toEqual([
      'resnet',
      'rf',
    ]);
    expect(await q.keyValues({ experimentIds: [a], kind: 'attribute', key: 'status', prefix: 'F' })).toEqual([
      'FINISHED',
      'FAILED',
    ]);
    const detail = await q.runDetail(p);
    expect(detail.experimentName).toBe('a');
    expect(detail.params).toEqual([{ key: 'model', value: 'rf' }]);
    expect(detail.children.map((c) => c.name)).toEqual(['c']);
    await expect(q.runDetail('nope')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });
});

describe('filter check', () => {
  const at = (filter: string): string | null => {
    const r = checkFilter(filter);
    return r.ok ? null : filter.slice(r.start, r.end);
  };
  it('points at the bad token of the failing clause', () => {
    expect(checkFilter("metrics.acc > 0.9 and params.model = 'rf'")).toEqual({ ok: true });
    expect(at("metrics.acc > 0.9 and params.model == 'rf'")).toBe('==');
    expect(at('metrics.acc > 0.9 and metrics.loss < abc')).toBe('abc');
    expect(at("params.model = 'rf' and bogus.key = 1")).toBe('bogus');
    expect(at('metrics.acc >')).toBe('metrics.acc');
    const r = checkFilter("params.a = 'x' and attributes.nope = 'y'");
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain('Invalid attribute key');
  });
});
