import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MlflowError } from '../src-main/core/errors';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { searchExperiments, type SearchExperimentsQuery } from '../src-main/store/search-experiments';
import { createPageToken } from '../src-main/search/page-token';

let dir: string;
let db: Db;
let store: TrackingStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-search-exp-'));
  db = openDatabase(join(dir, 'runlens.db'));
  store = new TrackingStore(db);
  // Fixed times so ordering by time is deterministic.
  const made: [string, number, Record<string, string>][] = [
    ['alpha', 300, { owner: 'ann', kind: 'x_y' }],
    ['Beta', 100, { owner: 'Ann' }],
    ['gamma', 200, { owner: 'bo', kind: 'xzy' }],
    ['delta', 200, {}],
  ];
  for (const [name, time, tags] of made) {
    const id = store.createExperiment(
      name,
      null,
      Object.entries(tags).map(([key, value]) => ({ key, value })),
    );
    db.prepare('UPDATE experiments SET creation_time = ?, last_update_time = ? WHERE experiment_id = ?').run(
      time,
      time + 1,
      Number(id),
    );
  }
  db.prepare("UPDATE experiments SET creation_time = 50, last_update_time = 50 WHERE name = 'Default'").run();
  store.deleteExperiment(store.getExperimentByName('delta')!.experiment_id);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function search(q: Partial<SearchExperimentsQuery>): { names: string[]; next: string | null } {
  const res = searchExperiments(db, {
    viewType: 'ACTIVE_ONLY',
    maxResults: 1000,
    filter: '',
    orderBy: [],
    pageToken: null,
    ...q,
  });
  return { names: res.experimentIds.map((id) => store.getExperiment(String(id)).name), next: res.nextPageToken };
}
const names = (filter: string, orderBy: string[] = ['name']): string[] => search({ filter, orderBy }).names;

function mlflowError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MlflowError) return `${e.errorCode}: ${e.message}`;
    throw e;
  }
  throw new Error('expected an MlflowError');
}

describe('experiments search', () => {
  it('orders by creation_time DESC then experiment_id by default, with view types', () => {
    expect(search({}).names).toEqual(['alpha', 'gamma', 'Beta', 'Default']);
    expect(search({ viewType: 'DELETED_ONLY' }).names).toEqual(['delta']);
    expect(search({ viewType: 'ALL' }).names).toEqual(['alpha', 'gamma', 'delta', 'Beta', 'Default']);
  });

  it('filters names (LIKE case-sensitive, ILIKE not) and times', () => {
    expect(names("name = 'alpha'")).toEqual(['alpha']);
    expect(names("name != 'alpha'")).toEqual(['Beta', 'Default', 'gamma']);
    expect(names("name LIKE 'b%'")).toEqual([]);
    expect(names("attribute.name ILIKE 'b%'")).toEqual(['Beta']);
    expect(names('creation_time >= 200')).toEqual(['alpha', 'gamma']);
    expect(names('last_update_time < 200')).toEqual(['Beta', 'Default']);
  });

  it('filters tags with inner-join semantics', () => {
    expect(names("tags.owner = 'ann'")).toEqual(['alpha']);
    expect(names("tags.owner ILIKE 'ANN'")).toEqual(['Beta', 'alpha']);
    expect(names("tags.kind LIKE 'x_y'")).toEqual(['alpha', 'gamma']);
    expect(names("tag.kind != 'xzy'")).toEqual(['alpha']);
    expect(names("tags.owner LIKE 'a%' and tags.kind = 'x_y'")).toEqual(['alpha']);
  });

  it('orders by attributes with experiment_id DESC breaking ties', () => {
    expect(names('', ['name DESC'])).toEqual(['gamma', 'alpha', 'Default', 'Beta']);
    const ids = search({ orderBy: ['creation_time'], viewType: 'ALL' }).names;
    // gamma and delta share a creation time: the later id (delta) comes first.
    expect(ids).toEqual(['Default', 'Beta', 'delta', 'gamma', 'alpha']);
    expect(names('', ['experiment_id'])).toEqual(['Default', 'alpha', 'Beta', 'gamma']);
  });

  it('pages with one extra row deciding the next token', () => {
    const p1 = search({ maxResults: 2, orderBy: ['name'] });
    expect(p1).toEqual({ names: ['Beta', 'Default'], next: createPageToken(2) });
    const p2 = search({ maxResults: 2, orderBy: ['name'], pageToken: p1.next });
    expect(p2).toEqual({ names: ['alpha', 'gamma'], next: null });
  });

  it('rejects what MLflow rejects, with its messages', () => {
    expect(mlflowError(() => search({ maxResults: null }))).toBe(
      "INVALID_PARAMETER_VALUE: Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    );
    expect(mlflowError(() => search({ maxResults: 50001 }))).toBe(
      "INVALID_PARAMETER_VALUE: Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
    );
    expect(mlflowError(() => search({ filter: "tags.owner > 'a'" }))).toBe(
      'INVALID_PARAMETER_VALUE: Invalid comparator for tag: >',
    );
    expect(mlflowError(() => search({ filter: "name like 'a'" }))).toMatch(
      /^INVALID_PARAMETER_VALUE: Invalid comparator 'like' not one of/,
    );
    expect(mlflowError(() => search({ orderBy: ['tags.owner'] }))).toBe(
      'INVALID_PARAMETER_VALUE: Invalid order_by entity: tag',
    );
    expect(mlflowError(() => search({ pageToken: 'e30=' }))).toBe(
      'INVALID_PARAMETER_VALUE: Invalid page token, parsed value={}',
    );
  });
});
