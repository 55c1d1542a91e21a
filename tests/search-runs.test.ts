import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MlflowError } from '../src-main/core/errors';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import {
  buildRunFilterSql,
  buildRunSearchSql,
  queryRunPks,
  searchRuns,
  type SearchRunsQuery,
} from '../src-main/store/search-runs';
import { parseFilter } from '../src-main/search/filter-parser';
import { resolveRunFilter, resolveRunOrderBy, type RunOrderKey } from '../src-main/search/resolve';
import { createPageToken } from '../src-main/search/page-token';

// ------------------------------------------------------------------ semantics on a small store

let dir: string;
let db: Db;
let store: TrackingStore;
let exp: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-search-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new TrackingStore(db);
  exp = store.createExperiment('search', null, []);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

interface RunSpec {
  name: string;
  start?: number | null;
  end?: number;
  status?: 'FINISHED' | 'FAILED' | 'KILLED';
  user?: string;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

function addRun(s: RunSpec, experimentId = exp): string {
  const run = store.createRun({
    experimentId,
    userId: s.user ?? 'u',
    startTime: s.start === undefined ? 1000 : s.start,
    tags: [],
    runName: s.name,
  });
  const id = run.info.run_id;
  store.logBatch(id, {
    metrics: Object.entries(s.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
    params: Object.entries(s.params ?? {}).map(([key, value]) => ({ key, value })),
    tags: Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, value })),
  });
  if (s.status || s.end !== undefined) store.updateRun(id, s.status ?? 'FINISHED', s.end ?? null, null);
  return id;
}

function search(q: Partial<SearchRunsQuery> & { filter?: string }): { names: string[]; next: string | null } {
  const res = searchRuns(db, {
    experimentIds: [exp],
    filter: '',
    runViewType: 'ACTIVE_ONLY',
    maxResults: 1000,
    orderBy: [],
    pageToken: null,
    ...q,
  });
  return { names: res.runPks.map((pk) => store.runByPk(pk).info.run_name), next: res.nextPageToken };
}
const names = (filter: string, orderBy: string[] = []): string[] => search({ filter, orderBy }).names;
const sorted = (filter: string): string[] => names(filter).sort();

function mlflowError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof MlflowError) return { code: e.errorCode, message: e.message };
    throw e;
  }
  throw new Error('expected an MlflowError');
}

describe('runs filter semantics', () => {
  beforeEach(() => {
    addRun({
      name: 'a',
      start: 10,
      metrics: { acc: 0.9, loss: 1 },
      params: { lr: '0.1', opt: 'adam' },
      tags: { team: 'red' },
    });
    addRun({
      name: 'b',
      start: 20,
      metrics: { acc: 0.5, loss: 2 },
      params: { lr: '0.2', opt: 'Adam' },
      tags: { team: 'Red' },
    });
    addRun({ name: 'c', start: 30, metrics: { acc: NaN }, params: { lr: '0.3' }, tags: { team: 'a_b' } });
    addRun({ name: 'd', start: 40, metrics: { acc: Infinity, loss: -Infinity }, tags: { team: 'a%b' } });
    addRun({ name: 'e', start: 50, status: 'FAILED', end: 99, user: 'eve' });
  });

  it('compares metrics on the latest value, NaN as 0 (as MLflow stores it)', () => {
    expect(sorted('metrics.acc > 0.5')).toEqual(['a', 'd']);
    expect(sorted('metrics.acc >= 0.5')).toEqual(['a', 'b', 'd']);
    expect(sorted('metrics.acc < 0.6')).toEqual(['b', 'c']);
    expect(sorted('metrics.acc <= 0')).toEqual(['c']);
    expect(sorted('metrics.acc = 0')).toEqual(['c']);
    expect(sorted('metrics.acc != 0.5')).toEqual(['a', 'c', 'd']); // e has no acc: never matches
    expect(sorted('metrics.acc = 1.7976931348623157e308')).toEqual(['d']); // MLflow keeps +Inf as DBL_MAX
    expect(sorted('metrics.loss < -1e308')).toEqual(['d']);
    expect(sorted('metrics.nope > 0')).toEqual([]);
  });

  it('compares params and tags as strings: = != LIKE (case-sensitive) ILIKE, only on runs that have the key', () => {
    expect(sorted("params.opt = 'adam'")).toEqual(['a']);
    expect(sorted("params.opt != 'adam'")).toEqual(['b']);
    expect(sorted("params.opt LIKE 'a%'")).toEqual(['a']);
    expect(sorted("params.opt ILIKE 'a%'")).toEqual(['a', 'b']);
    expect(sorted("params.lr LIKE '0._'")).toEqual(['a', 'b', 'c']);
    expect(sorted("tags.team = 'red'")).toEqual(['a']);
    expect(sorted("tags.team != 'red'")).toEqual(['b', 'c', 'd']);
    expect(sorted("tags.team LIKE 'a_b'")).toEqual(['c', 'd']);
    expect(sorted("tags.team LIKE 'a%b'")).toEqual(['c', 'd']);
    expect(sorted("tags.team ILIKE 'RED'")).toEqual(['a', 'b']);
    expect(sorted("tags.`team` = 'red'")).toEqual(['a']);
    expect(sorted('tags."team" = "red"')).toEqual(['a']);
  });

  it('filters attributes, with run_name read from the mlflow.runName tag', () => {
    expect(sorted("attributes.status = 'FAILED'")).toEqual(['e']);
    expect(sorted("status != 'RUNNING'")).toEqual(['e']);
    expect(sorted("status LIKE 'FAIL%'")).toEqual(['e']);
    expect(sorted("status ILIKE 'fail%'")).toEqual(['e']);
    expect(sorted("user_id = 'eve'")).toEqual(['e']);
    expect(sorted("run_name = 'b'")).toEqual(['b']);
    expect(sorted("attributes.run_name LIKE '_'")).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sorted("`Run Name` ILIKE 'C'")).toEqual(['c']);
    expect(sorted("artifact_uri LIKE '%/artifacts'")).toHaveLength(5);
    expect(sorted('start_time > 20')).toEqual(['c', 'd', 'e']);
    expect(sorted('created <= 20')).toEqual(['a', 'b']);
    expect(sorted('Created = 30')).toEqual(['c']);
    expect(sorted('end_time = 99')).toEqual(['e']);
    expect(sorted('end_time != 99')).toEqual([]); // NULL end times never compare
  });

  it('filters run ids with = IN and NOT IN (upper-case ids dropped, as MLflow does)', () => {
    const all = search({ orderBy: ['run_name'] }).names;
    const pks = searchRuns(db, {
      experimentIds: [exp],
      filter: '',
      runViewType: 'ALL',
      maxResults: 10,
      orderBy: ['run_name'],
      pageToken: null,
    }).runPks;
    const ids = pks.map((pk) => store.runByPk(pk).info.run_id);
    expect(all).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sorted(`run_id = '${ids[1]}'`)).toEqual(['b']);
    expect(sorted(`attributes.run_id IN ('${ids[0]}', '${ids[2]}')`)).toEqual(['a', 'c']);
    expect(sorted(`run_id NOT IN ('${ids[0]}', '${ids[2]}')`)).toEqual(['b', 'd', 'e']);
    expect(sorted(`run_id IN ('${ids[0]!.toUpperCase()}')`)).toEqual([]);
    expect(sorted(`run_id NOT IN ('${ids[0]!.toUpperCase()}')`)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('ANDs clauses, repeated keys included', () => {
    expect(sorted("metrics.acc > 0.1 and params.lr != '0.2' AND tags.team LIKE 'r%'")).toEqual(['a']);
    expect(sorted("params.lr = '0.1' and params.lr = '0.2'")).toEqual([]);
  });

  it('filters datasets by name, digest and context', () => {
    const ids = searchRuns(db, {
      experimentIds: [exp],
      filter: '',
      runViewType: 'ALL',
      maxResults: 10,
      orderBy: ['run_name'],
      pageToken: null,
    }).runPks.map((pk) => store.runByPk(pk).info.run_id);
    const ds = (name: string, digest: string) => ({ name, digest, source_type: 'local', source: 's' });
    store.logInputs(
      ids[0]!,
      [{ dataset: ds('train', 'd1'), tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
      [],
    );
    store.logInputs(
      ids[1]!,
      [
        { dataset: ds('eval', 'd2'), tags: [{ key: 'mlflow.data.context', value: 'Eval' }] },
        { dataset: ds('train', 'd1') },
      ],
      [],
    );
    expect(sorted("datasets.name = 'train'")).toEqual(['a', 'b']);
    expect(sorted("datasets.name != 'train'")).toEqual(['b']);
    expect(sorted("dataset.digest LIKE 'd%'")).toEqual(['a', 'b']);
    expect(sorted("datasets.name IN ('eval', 'x')")).toEqual(['b']);
    expect(sorted("datasets.name NOT IN ('eval')")).toEqual(['a', 'b']);
    expect(sorted("datasets.context = 'training'")).toEqual(['a']);
    expect(sorted("datasets.context ILIKE 'EVAL'")).toEqual(['b']);
    expect(sorted("datasets.context IN ('eval', 'training')")).toEqual(['a']);
    // MLflow drops list values that are not lower case: 'Eval' can never match in a list.
    expect(sorted("datasets.context IN ('Eval')")).toEqual([]);
  });

  it('refuses a list where MLflow binds one value (its driver error, BAD_REQUEST)', () => {
    expect(mlflowError(() => names("run_id = ('abc')")).code).toBe('BAD_REQUEST');
  });
});

describe('runs ordering', () => {
  it('puts missing values last both ways; metrics: finite, then NaN, then missing', () => {
    addRun({ name: 'one', start: 1, metrics: { m: 1 }, params: { p: 'b' } });
    addRun({ name: 'two', start: 2, metrics: { m: 2 }, params: { p: 'a' } });
    addRun({ name: 'nan', start: 3, metrics: { m: NaN } });
    addRun({ name: 'none', start: 4 });
    addRun({ name: 'inf', start: 5, metrics: { m: -Infinity } });
    expect(names('', ['metrics.m'])).toEqual(['inf', 'one', 'two', 'nan', 'none']);
    expect(names('', ['metrics.m DESC'])).toEqual(['two', 'one', 'inf', 'nan', 'none']);
    expect(names('', ['params.p'])).toEqual(['two', 'one', 'inf', 'none', 'nan']);
    expect(names('', ['params.p DESC'])).toEqual(['one', 'two', 'inf', 'none', 'nan']);
    expect(names('', ['metrics.nope DESC'])).toEqual(['inf', 'none', 'nan', 'two', 'one']);
  });

  it('breaks ties by start_time DESC then run id, and by later keys first', () => {
    const ids = ['x1', 'x2', 'x3', 'x4'].map((n, i) => ({
      n,
      id: addRun({ name: n, start: i < 2 ? 100 : 200, params: { g: i % 2 ? 'b' : 'a' } }),
    }));
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    const tied = ids
      .slice(2)
      .sort(byId)
      .map((x) => x.n)
      .concat(
        ids
          .slice(0, 2)
          .sort(byId)
          .map((x) => x.n),
      );
    expect(names('')).toEqual(tied);
    expect(names('', ['attributes.start_time'])).toEqual(
      ids
        .slice(0, 2)
        .sort(byId)
        .map((x) => x.n)
        .concat(
          ids
            .slice(2)
            .sort(byId)
            .map((x) => x.n),
        ),
    );
    expect(names('', ['params.g', 'start_time'])).toEqual(['x1', 'x3', 'x2', 'x4']);
    expect(names('', ['params.g DESC', 'created DESC'])).toEqual(['x4', 'x2', 'x3', 'x1']);
  });

  it('orders attributes with NULLs last (running runs have no end time)', () => {
    addRun({ name: 'r1', start: 1, end: 50, status: 'FINISHED' });
    addRun({ name: 'r2', start: 2 });
    addRun({ name: 'r3', start: 3, end: 40, status: 'KILLED' });
    expect(names('', ['end_time'])).toEqual(['r3', 'r1', 'r2']);
    expect(names('', ['end_time DESC'])).toEqual(['r1', 'r3', 'r2']);
    expect(names('', ['status', 'run_name DESC'])).toEqual(['r1', 'r3', 'r2']);
    expect(names('', ['attributes.run_name DESC'])).toEqual(['r3', 'r2', 'r1']);
  });
});

describe('view types and paging', () => {
  it('selects runs by lifecycle stage', () => {
    addRun({ name: 'live', start: 2 });
    const gone = addRun({ name: 'gone', start: 1 });
    store.deleteRun(gone);
    expect(search({ runViewType: 'ACTIVE_ONLY' }).names).toEqual(['live']);
    expect(search({ runViewType: 'DELETED_ONLY' }).names).toEqual(['gone']);
    expect(search({ runViewType: 'ALL' }).names).toEqual(['live', 'gone']);
  });

  it('pages with offset tokens; a full page always carries a token', () => {
    for (let i = 0; i < 7; i++) addRun({ name: `p${i}`, start: i });
    const p1 = search({ maxResults: 3 });
    expect(p1).toEqual({ names: ['p6', 'p5', 'p4'], next: createPageToken(3) });
    const p2 = search({ maxResults: 3, pageToken: p1.next });
    expect(p2).toEqual({ names: ['p3', 'p2', 'p1'], next: createPageToken(6) });
    expect(search({ maxResults: 3, pageToken: p2.next })).toEqual({ names: ['p0'], next: null });
    expect(search({ maxResults: 7 }).next).toBe(createPageToken(7));
  });

  it('searches several experiments at once, and none', () => {
    const other = store.createExperiment('other', null, []);
    addRun({ name: 'here', start: 1 });
    addRun({ name: 'there', start: 2 }, other);
    expect(search({ experimentIds: [exp, other] }).names).toEqual(['there', 'here']);
    expect(search({ experimentIds: [] }).names).toEqual([]);
  });

  it("validates max_results, tokens and experiment ids with MLflow's messages", () => {
    expect(mlflowError(() => search({ maxResults: 0 }))).toEqual({
      code: 'INVALID_PARAMETER_VALUE',
      message: "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    });
    expect(mlflowError(() => search({ maxResults: 50001 })).message).toBe(
      "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    );
    expect(mlflowError(() => search({ pageToken: 'abc' })).message).toBe('Invalid page token, could not base64-decode');
    expect(mlflowError(() => search({ experimentIds: ['x'] })).message).toBe(
      "invalid literal for int() with base 10: 'x'",
    );
  });
});

// ------------------------------------------------------------------ planner vs plain SQL vs a model

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelRun {
  pk: number;
  uuid: string;
  exp: number;
  name: string;
  user: string;
  status: string;
  start: number | null;
  end: number | null;
  stage: string;
  metrics: Map<string, { value: number; nan: boolean }>;
  params: Map<string, string>;
  tags: Map<string, string>;
}

describe('query plans agree with the plain query and with a model of MLflow semantics', () => {
  const N = 3000;
  let bigDir: string;
  let big: Db;
  const runs: ModelRun[] = [];

  beforeAll(() => {
    bigDir = mkdtempSync(join(tmpdir(), 'runlens-search-plans-'));
    big = openDatabase(join(bigDir, 'big.db'));
    const r = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    big.transaction(() => {
      big.exec(`INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time)
                VALUES (0, 'Default', 'a', 0, 0), (1, 'one', 'a', 0, 0), (2, 'two', 'a', 0, 0)`);
      const keys = ['m0', 'm1', 'm2', 'm3'];
      keys.forEach((k, i) => big.prepare('INSERT INTO metric_keys (key_id, key) VALUES (?, ?)').run(i + 1, k));
      const insRun = big.prepare(
        `INSERT INTO runs (run_pk, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'a')`,
      );
      const insMetric = big.prepare(
        'INSERT INTO latest_metrics (run_pk, key_id, step, timestamp, value, is_nan) VALUES (?, ?, 0, 0, ?, ?)',
      );
      const insParam = big.prepare('INSERT INTO params (run_pk, key, value) VALUES (?, ?, ?)');
      const insTag = big.prepare('INSERT INTO tags (run_pk, key, value) VALUES (?, ?, ?)');
      for (let pk = 1; pk <= N; pk++) {
        const run: ModelRun = {
          pk,
          uuid: Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join(''),
          exp: r() < 0.8 ? 1 : 2,
          name: `run-${Math.floor(r() * 500)}`,
          user: pick(['ann', 'bob', 'Cy']),
          status: pick(['FINISHED', 'FAILED', 'RUNNING']),
          start: r() < 0.03 ? null : Math.floor(r() * 400) * 10, // many ties, some NULLs
          end: r() < 0.3 ? null : Math.floor(r() * 1000),
          stage: r() < 0.1 ? 'deleted' : 'active',
          metrics: new Map(),
          params: new Map(),
          tags: new Map(),
        };
        insRun.run(pk, run.uuid, run.exp, run.name, run.user, run.status, run.start, run.end, run.stage);
        keys.forEach((k, i) => {
          const x = r();
          if (x < 0.1) return; // missing
          const nan = x < 0.14;
          const value = nan ? 0 : x < 0.16 ? Infinity : Math.round(r() * 100) / 100; // ties on purpose
          run.metrics.set(k, { value, nan });
          insMetric.run(pk, i + 1, value, nan ? 1 : 0);
        });
        for (const [k, values] of [
          ['p0', ['a', 'b', 'c', 'd', 'e']],
          ['p1', ['x', 'X', 'x_y', 'xy', '']],
          ['p2', ['1', '2', '10', '20']],
        ] as const) {
          if (r() < 0.15) continue;
          const v = pick(values);
          run.params.set(k, v);
          insParam.run(pk, k, v);
        }
        for (const [k, values] of [
          ['mlflow.runName', [run.name]],
          ['team', ['red', 'Red', 'blue', 'r%d']],
        ] as const) {
          if (k === 'team' && r() < 0.2) continue;
          const v = pick(values);
          run.tags.set(k, v);
          insTag.run(pk, k, v);
        }
        runs.push(run);
      }
    })();
  });
  afterAll(() => {
    big.close();
    rmSync(bigDir, { recursive: true, force: true });
  });

  /** SQLite LIKE: % any run, _ one character; ILIKE folds ASCII case only (lower() LIKE lower()). */
  const like = (value: string, pattern: string, ci: boolean): boolean => {
    const fold = (s: string) => (ci ? s.replace(/[A-Z]/g, (c) => c.toLowerCase()) : s);
    const re = [...fold(pattern)]
      .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${re}$`, 'su').test(fold(value));
  };
  const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
  const DBL_MAX = 1.7976931348623157e308;

  /** MLflow's search over the model: filter, sort (rank, value, tie-breakers), window. */
  function model(
    filter: string,
    orderBy: string[],
    experiments: number[],
    stage: string | null,
    offset: number,
    limit: number,
  ): number[] {
    const preds = resolveRunFilter(parseFilter(filter));
    const keys = resolveRunOrderBy(orderBy);
    const strOp = (v: string | undefined, op: string, x: string | string[]): boolean => {
      if (v === undefined) return false;
      if (op === '=') return v === x;
      if (op === '!=') return v !== x;
      if (op === 'LIKE') return like(v, x as string, false);
      if (op === 'ILIKE') return like(v, x as string, true);
      if (op === 'IN') return (x as string[]).includes(v);
      return !(x as string[]).includes(v);
    };
    const numOp = (v: number, op: string, x: number): boolean =>
      op === '='
        ? v === x
        : op === '!='
          ? v !== x
          : op === '>'
            ? v > x
            : op === '>='
              ? v >= x
              : op === '<'
                ? v < x
                : v <= x;
    const matches = runs.filter((run) => {
      if (!experiments.includes(run.exp) || (stage && run.stage !== stage)) return false;
      return preds.every((p) => {
        switch (p.kind) {
          case 'metric': {
            const m = run.metrics.get(p.key);
            if (!m) return false;
            // MLflow stores ±Infinity as ±DBL_MAX.
            return numOp(Math.max(-DBL_MAX, Math.min(DBL_MAX, m.value)), p.op, p.value);
          }
          case 'param':
            return strOp(run.params.get(p.key), p.op, p.value);
          case 'tag':
            return strOp(run.tags.get(p.key), p.op, p.value);
          case 'attribute': {
            const col = {
              run_uuid: run.uuid,
              name: run.name,
              user_id: run.user,
              status: run.status,
              artifact_uri: 'a',
            }[p.column as 'run_uuid'];
            return strOp(col, p.op, p.value);
          }
          case 'numeric-attribute': {
            const v = p.column === 'start_time' ? run.start : run.end;
            return v !== null && numOp(v, p.op, Number(p.value));
          }
          default:
            return false;
        }
      });
    });
    const sortValue = (run: ModelRun, k: (typeof keys)[number]): { rank: number; v: string | number | null } => {
      if (k.kind === 'metric') {
        const m = run.metrics.get(k.key);
        return !m ? { rank: 2, v: null } : m.nan ? { rank: 1, v: 0 } : { rank: 0, v: m.value };
      }
      if (k.kind === 'param' || k.kind === 'tag') {
        const v = (k.kind === 'param' ? run.params : run.tags).get(k.key);
        return { rank: v === undefined ? 1 : 0, v: v ?? null };
      }
      const column = (k as Extract<RunOrderKey, { kind: 'attribute' }>).column;
      const row = { run_uuid: run.uuid, name: run.name, user_id: run.user, status: run.status, artifact_uri: 'a' };
      const v = column === 'start_time' ? run.start : column === 'end_time' ? run.end : row[column];
      return { rank: v === null ? 1 : 0, v };
    };
    const hasStart = keys.some((k) => k.kind === 'attribute' && k.column === 'start_time');
    matches.sort((a, b) => {
      for (const k of keys) {
        const x = sortValue(a, k);
        const y = sortValue(b, k);
        if (x.rank !== y.rank) return x.rank - y.rank;
        if (x.v !== null && y.v !== null && x.v !== y.v) return k.ascending ? cmp(x.v, y.v) : cmp(y.v, x.v);
      }
      if (!hasStart && a.start !== b.start) {
        if (a.start === null) return 1;
        if (b.start === null) return -1;
        return b.start - a.start;
      }
      return cmp(a.uuid, b.uuid);
    });
    return matches.slice(offset, offset + limit).map((x) => x.pk);
  }

  const FILTERS = [
    '',
    "params.p0 = 'a'",
    "params.p0 != 'a'",
    "params.p1 LIKE 'x%'",
    "params.p1 ILIKE 'X_Y'",
    "params.p1 = ''",
    "params.p2 = '10'",
    'metrics.m0 > 0.5',
    'metrics.m0 >= 0.99',
    'metrics.m1 < 0.05',
    'metrics.m1 = 0',
    'metrics.m2 != 0.5',
    'metrics.m3 >= 1.7976931348623157e308',
    "tags.team = 'red'",
    "tags.team ILIKE 'red'",
    "tags.team LIKE 'r%d'",
    "tags.team != 'blue'",
    "run_name LIKE 'run-1%'",
    "run_name ILIKE '%-49%'",
    "status = 'FAILED'",
    "user_id != 'bob'",
    'start_time > 2000',
    'end_time <= 100',
    "metrics.m0 > 0.2 AND params.p0 = 'b'",
    "metrics.m0 > 0.9 AND metrics.m1 < 0.5 AND tags.team = 'blue'",
    "params.p0 = 'c' AND params.p2 = '10' AND status != 'RUNNING'",
    "run_name ILIKE '%-1%' AND metrics.m2 > 0.5",
    "params.p1 LIKE '%y' AND tags.team != 'red'",
    "metrics.m3 < 0.3 AND user_id = 'ann'",
  ];
  const ORDERS = [
    [],
    ['metrics.m0 DESC'],
    ['metrics.m0'],
    ['metrics.m1 DESC', 'params.p0'],
    ['params.p0 DESC'],
    ['params.p1', 'metrics.m2 DESC'],
    ['tags.team'],
    ['attributes.start_time'],
    ['start_time DESC'],
    ['created', 'metrics.m3'],
    ['end_time'],
    ['end_time DESC'],
    ['run_name'],
    ['status DESC', 'user_id'],
    ['metrics.nope DESC', 'params.p2'],
    ['attributes.run_id'],
  ];

  it('on every filter × order × window, in one experiment and in two, active and all', () => {
    const r = prng(7);
    const failures: string[] = [];
    let checked = 0;
    for (const filter of FILTERS) {
      for (const orderBy of ORDERS) {
        const experiments = r() < 0.7 ? [1] : [1, 2];
        const stage = r() < 0.7 ? 'active' : null;
        const windows: [number, number][] = [
          [0, 100],
          [0, 1000],
          [40, 20],
          [2000, 50],
          [0, 3],
        ];
        const [offset, limit] = windows[Math.floor(r() * windows.length)]!;
        const spec = {
          experimentIds: experiments,
          stage: stage as 'active' | null,
          predicates: resolveRunFilter(parseFilter(filter)),
          orderBy: resolveRunOrderBy(orderBy),
          offset,
          limit,
        };
        const planned = queryRunPks(big, spec);
        const sql = buildRunSearchSql(big, spec);
        const plain = big
          .prepare(sql.sql)
          .pluck()
          .all(...sql.params) as number[];
        const expected = model(filter, orderBy, experiments, stage, offset, limit);
        checked++;
        if (
          JSON.stringify(planned) !== JSON.stringify(expected) ||
          JSON.stringify(plain) !== JSON.stringify(expected)
        ) {
          failures.push(
            `${JSON.stringify({ filter, orderBy, experiments, stage, offset, limit })}: planned ${planned.length} ` +
              `${JSON.stringify(planned.slice(0, 5))} plain ${JSON.stringify(plain.slice(0, 5))} model ${expected.length} ${JSON.stringify(expected.slice(0, 5))}`,
          );
        }
      }
    }
    expect(checked).toBe(FILTERS.length * ORDERS.length);
    expect(failures.slice(0, 5).join('\n')).toBe('');
  }, 120_000); // hundreds of searches over 3,000 runs; the machine is shared

  it('builds a run-key subquery for a filter alone (for callers with their own sort)', () => {
    for (const filter of FILTERS) {
      for (const [experiments, stage] of [
        [[1], 'active'],
        [[1, 2], null],
      ] as const) {
        const sql = buildRunFilterSql(big, {
          experimentIds: [...experiments],
          stage,
          predicates: resolveRunFilter(parseFilter(filter)),
        });
        const got = (
          big
            .prepare(sql.sql)
            .pluck()
            .all(...sql.params) as number[]
        ).sort((a, b) => a - b);
        const want = model(filter, [], [...experiments], stage, 0, N).sort((a, b) => a - b);
        expect(got, filter).toEqual(want);
      }
    }
  });

  it('takes extra conditions and a window, and builds the plain SQL with chosen columns', () => {
    const spec = {
      experimentIds: [1],
      stage: 'active' as const,
      predicates: resolveRunFilter(parseFilter("params.p0 = 'a'")),
      orderBy: resolveRunOrderBy(['metrics.m0 DESC']),
      offset: 5,
      limit: 10,
      extraWhere: [{ sql: 'r.user_id = ?', params: ['ann'] }],
    };
    const planned = queryRunPks(big, spec);
    const sql = buildRunSearchSql(big, spec, 'r.run_pk, r.name');
    const rows = big.prepare(sql.sql).all(...sql.params) as { run_pk: number; name: string }[];
    expect(rows.map((x) => x.run_pk)).toEqual(planned);
    expect(planned.length).toBe(10);
    expect(planned.every((pk) => runs[pk - 1]!.user === 'ann' && runs[pk - 1]!.params.get('p0') === 'a')).toBe(true);
  });
});
