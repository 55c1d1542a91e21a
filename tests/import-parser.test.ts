import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  MetricLineParser,
  SeriesSummary,
  parsePyFloat,
  sortPoints,
  type PointColumns,
} from '../src-main/importers/metric-parser';
import { parseMeta } from '../src-main/importers/meta-yaml';
import {
  localPathOf,
  rerootDbLocation,
  rerootMlrunsLocation,
  toFileUri,
} from '../src-main/importers/artifact-locations';
import { detectSources } from '../src-main/importers/detect-source';
import { FIXTURES, MLFLOW_DB, MLRUNS, filesUnder } from './import-helpers';

const rows = (p: PointColumns) =>
  Array.from({ length: p.n }, (_, i) => [p.timestamps[i], p.values[i], p.steps[i]] as [number, number, number]);

function parseAll(text: string, chunk = text.length, modelLines = false): MetricLineParser {
  const parser = new MetricLineParser({ modelLines, initialCapacity: 2 });
  for (let i = 0; i < text.length; i += chunk) parser.feed(text.slice(i, i + chunk));
  parser.end();
  return parser;
}

describe('metric lines', () => {
  it("reads Python's float spellings", () => {
    expect(parsePyFloat('0.9111111111111111')).toBe(0.9111111111111111);
    expect(parsePyFloat('1e-05')).toBe(1e-5);
    expect(parsePyFloat('-2.5E+10')).toBe(-2.5e10);
    expect(parsePyFloat('45.0')).toBe(45);
    expect(parsePyFloat('nan')).toBeNaN();
    expect(parsePyFloat('inf')).toBe(Infinity);
    expect(parsePyFloat('-inf')).toBe(-Infinity);
    expect(parsePyFloat('Infinity')).toBe(Infinity);
    expect(parsePyFloat('1.7976931348623157e+308')).toBe(1.7976931348623157e308);
    for (const bad of ['', '0x10', 'abc', '1.2.3', '-', '.']) expect(parsePyFloat(bad)).toBeUndefined();
  });

  it('parses 3-, 2- (MLflow 0.x, step 0) and 5-field (dataset) lines, CRLF and blank lines', () => {
    const p = parseAll('100 0.5 0\n101 nan 1\r\n\n102 -inf 2 train abc123\n103 7\n104 inf 3\n');
    expect(p.errors.count).toBe(0);
    expect(rows(p.take())).toEqual([
      [100, 0.5, 0],
      [101, NaN, 1],
      [102, -Infinity, 2],
      [103, 7, 0],
      [104, Infinity, 3],
    ]);
  });

  it('gives the same result whatever the chunk boundaries', () => {
    const text = Array.from({ length: 500 }, (_, i) => `${1700000000000 + i} ${Math.sin(i)} ${i}`).join('\n') + '\n';
    const whole = rows(parseAll(text).take());
    for (const chunk of [1, 7, 64, 4096]) expect(rows(parseAll(text, chunk).take())).toEqual(whole);
  });

  it('counts malformed lines, and a cut-short last line, without throwing', () => {
    const p = parseAll('100 0.5 0\n17953947\n101 x 1\n102 0.5 1.5\n103 0.25 3\n104 0.12');
    expect(rows(p.take())).toEqual([
      [100, 0.5, 0],
      [103, 0.25, 3],
    ]);
    expect(p.errors).toMatchObject({ count: 4, firstLine: 2, firstText: '17953947', truncatedLast: true });
  });

  it('reads logged-model lines with run id and dataset', () => {
    const p = parseAll('100 0.9 0 run1\n101 0.8 1 run2 ds 1234\n', undefined, true);
    expect(rows(p.take())).toEqual([
      [100, 0.9, 0],
      [101, 0.8, 1],
    ]);
    expect(p.extra).toEqual([
      { runId: 'run1', datasetName: '', datasetDigest: '' },
      { runId: 'run2', datasetName: 'ds', datasetDigest: '1234' },
    ]);
  });

  it('sorts by (step, timestamp, value) and computes MLflow latest/min/max', () => {
    const p = parseAll('5 1 2\n4 3 2\n9 0.5 1\n4 nan 2\n');
    const sorted = sortPoints(p.take());
    expect(rows(sorted).map((r) => [r[2], r[0]])).toEqual([
      [1, 9],
      [2, 4],
      [2, 4],
      [2, 5],
    ]);
    const s = new SeriesSummary();
    s.add(sorted);
    expect([s.step, s.timestamp, s.value, s.min, s.max, s.count]).toEqual([2, 5, 1, 0.5, 3, 4]);
  });
});

describe('meta.yaml', () => {
  it('reads every meta.yaml of the fixtures exactly as a full YAML parser does', () => {
    const metas = filesUnder(MLRUNS).filter((f) => f.endsWith('/meta.yaml'));
    expect(metas.length).toBeGreaterThan(30);
    for (const f of metas) {
      const text = readFileSync(f, 'utf8');
      const expected = parse(text, { version: '1.1', intAsBigInt: true }) as Record<string, unknown>;
      const normalized = JSON.parse(
        JSON.stringify(expected, (_k, v) =>
          typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v,
        ),
      );
      expect(parseMeta(text), f).toEqual(normalized);
    }
  });

  it('keeps 18-digit ids exact and rejects what is not a mapping', () => {
    expect(parseMeta('experiment_id: 985249443741003589\n').experiment_id).toBe('985249443741003589');
    expect(parseMeta("name: 'it''s'\ntags: []\n")).toEqual({ name: "it's", tags: [] });
    // PyYAML (YAML 1.1) rules: a float needs a '.', so hex-looking run ids stay strings.
    expect(parseMeta('run_id: 000000000000000000000000000000e1\nx: 1e5\ny: 1.5e+3\nz: 0.5\n')).toEqual({
      run_id: '000000000000000000000000000000e1',
      x: '1e5',
      y: 1500,
      z: 0.5,
    });
    expect(parseMeta('a: yes\nb: 010\n')).toEqual({ a: true, b: 8 });
    expect(() => parseMeta('- a\n- b\n')).toThrow();
    expect(() => parseMeta('a: [1\n')).toThrow();
  });
});

describe('artifact locations', () => {
  it('re-roots a missing file:// run location into the dropped folder', () => {
    const runDir = join(MLRUNS, '985249443741003589', '0314d6825df2478aa991eaee1bc91a47');
    const r = rerootMlrunsLocation(
      'file:///home/ds/projects/iris/mlruns/985249443741003589/0314d6825df2478aa991eaee1bc91a47/artifacts',
      MLRUNS,
      join(runDir, 'artifacts'),
    );
    expect(r.uri).toBe(toFileUri(join(runDir, 'artifacts')));
    expect(r.localDir).toBe(join(runDir, 'artifacts'));
  });

  it('keeps existing local paths and remote URIs', () => {
    expect(rerootMlrunsLocation(toFileUri(FIXTURES), MLRUNS, null).uri).toBe(toFileUri(FIXTURES));
    expect(rerootMlrunsLocation('s3://bucket/mlruns/1/abc/artifacts', MLRUNS, null).uri).toBe(
      's3://bucket/mlruns/1/abc/artifacts',
    );
    expect(rerootDbLocation('gs://b/x', MLFLOW_DB, null).uri).toBe('gs://b/x');
    // mlflow-artifacts: with no artifacts folder beside the .db stays as is.
    expect(rerootDbLocation('mlflow-artifacts:/1/abc/artifacts', '/nowhere/mlflow.db', null).uri).toBe(
      'mlflow-artifacts:/1/abc/artifacts',
    );
    expect(localPathOf('file:///a/b%20c')).toBe('/a/b c');
    expect(localPathOf('/plain/path')).toBe('/plain/path');
    expect(localPathOf('mlflow-artifacts:/x')).toBeNull();
  });

  it('re-roots bare absolute paths of MLflow 1.x and mlflow-artifacts:// with a host', () => {
    const dir = join(FIXTURES, 'mlflow-small-artifacts');
    expect(rerootDbLocation('mlflow-artifacts://host:5000/1/x/artifacts', MLFLOW_DB, dir).uri).toBe(
      toFileUri(join(dir, '1/x/artifacts')),
    );
    const run = readdirSync(join(dir, '1')).find((n) => n !== 'models')!;
    expect(rerootDbLocation(`/srv/mlflow/artifacts/1/${run}/artifacts`, MLFLOW_DB, dir).uri).toBe(
      toFileUri(join(dir, '1', run, 'artifacts')),
    );
  });
});

describe('what a dropped path is', () => {
  it('finds mlruns folders, .db files, and either inside a project folder', () => {
    expect(detectSources(MLRUNS)).toMatchObject([{ kind: 'mlruns', path: MLRUNS }]);
    expect(detectSources(MLFLOW_DB)).toMatchObject([{ kind: 'mlflow-db', path: MLFLOW_DB }]);
    const project = mkdtempSync(join(tmpdir(), 'runlens-project-'));
    try {
      mkdirSync(join(project, 'mlruns', '0'), { recursive: true });
      writeFileSync(join(project, 'mlruns', '0', 'meta.yaml'), "experiment_id: '0'\nname: Default\n");
      writeFileSync(join(project, 'mlflow.db'), readFileSync(MLFLOW_DB));
      writeFileSync(join(project, 'notes.db'), 'not sqlite');
      expect(detectSources(project)).toMatchObject([
        { kind: 'mlruns', path: join(project, 'mlruns') },
        { kind: 'mlflow-db', path: join(project, 'mlflow.db') },
      ]);
      expect(detectSources(join(project, 'notes.db'))).toHaveProperty('error');
      expect(detectSources(join(project, 'missing'))).toEqual({ error: 'not found' });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
