import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from '../src-main/store/db';
import { MIGRATIONS } from '../src-main/store/migrations';
import { TrackingStore } from '../src-main/store/tracking-store';

let dir: string;
let db: Db;
let store: TrackingStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-store-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new TrackingStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const newRun = (): string =>
  store.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [], runName: 'r' }).info.run_id;

describe('tracking store', () => {
  it('keeps the latest metric by (step, timestamp, value), with NaN-free min/max and a point count', () => {
    const id = newRun();
    store.logBatch(id, {
      metrics: [
        { key: 'm', value: 5, timestamp: 10, step: 2 },
        { key: 'm', value: NaN, timestamp: 11, step: 1 },
        { key: 'm', value: -Infinity, timestamp: 9, step: 0 },
      ],
      params: [],
      tags: [],
    });
    store.logMetric(id, { key: 'm', value: 1, timestamp: 1, step: 1 }); // older step: not latest
    store.logMetric(id, { key: 'm', value: 1, timestamp: 1, step: 1 }); // exact duplicate: ignored
    const row = db.prepare('SELECT value, step, min_value, max_value, point_count FROM latest_metrics').get() as Record<
      string,
      number
    >;
    expect(row).toEqual({ value: 5, step: 2, min_value: -Infinity, max_value: 5, point_count: 4 });
    const latest = store.getRun(id).data.metrics!;
    expect(latest).toEqual([{ key: 'm', value: 5, timestamp: 10, step: 2 }]);
    const hist = store.getMetricHistory(id, 'm');
    expect(hist.map((m) => m.value)).toEqual([1, -Infinity, 5, NaN]);
  });

  it('rolls back a whole batch when one param conflicts', () => {
    const id = newRun();
    store.logParam(id, 'p', 'a');
    expect(() =>
      store.logBatch(id, {
        metrics: [{ key: 'x', value: 1, timestamp: 1, step: 0 }],
        params: [{ key: 'p', value: 'b' }],
        tags: [],
      }),
    ).toThrow(/Changing param values is not allowed/);
    expect(store.getMetricHistory(id, 'x')).toEqual([]);
  });

  it('marks runs deleted with the experiment and restores them with it', () => {
    const exp = store.createExperiment('e', null, []);
    const id = store.createRun({ experimentId: exp, userId: 'u', startTime: 1, tags: [], runName: null }).info.run_id;
    store.deleteExperiment(exp);
    expect(store.getRun(id).info.lifecycle_stage).toBe('deleted');
    store.restoreExperiment(exp);
    expect(store.getRun(id).info.lifecycle_stage).toBe('active');
  });

  it('refuses to open a database whose applied migration was edited', () => {
    const tampered = MIGRATIONS.map((m) => (m.id === 1 ? { ...m, sql: m.sql + '\n-- edited' } : m));
    expect(() => migrate(db, tampered)).toThrow(/differs from the one applied/);
  });

  it('survives a reopen with all data and no re-applied migrations', () => {
    const id = newRun();
    store.logMetric(id, { key: 'k', value: 2, timestamp: 3, step: 4 });
    db.close();
    db = openDatabase(join(dir, 'runlens.db'));
    store = new TrackingStore(db);
    expect(store.getRun(id).data.metrics).toEqual([{ key: 'k', value: 2, timestamp: 3, step: 4 }]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(
      MIGRATIONS.length,
    );
  });
});
