/**
 * Builds the bench/table store: N runs × P params × M metrics (+ a metric history), written with
 * the store layer's own prepared statements inside large transactions (no HTTP, no per-row
 * transaction), so 100,000 runs take about a minute instead of an hour.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Db } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { runStatements } from '../src-main/store/runs';
import { metricStatements } from '../src-main/store/metrics';

export interface TableStoreShape {
  runs: number;
  params: number;
  metrics: number;
  /** Runs (the first ones) that get a full history of `historySteps` points per metric. */
  historyRuns: number;
  historySteps: number;
}

export const METRIC_NAMES = ['accuracy', 'loss', 'val_accuracy', 'val_loss', 'f1'];
export const PARAM_NAMES = ['model', 'lr', 'batch_size', 'depth', 'optimizer'];

export const metricName = (i: number): string => METRIC_NAMES[i] ?? `metric_${String(i).padStart(2, '0')}`;
export const paramName = (i: number): string => PARAM_NAMES[i] ?? `param_${String(i).padStart(2, '0')}`;

/** Small deterministic PRNG (mulberry32): the same store every build. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = ['rf', 'xgb', 'lgbm', 'mlp', 'resnet18', 'resnet50'];
const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'];
const LRS = ['0.1', '0.03', '0.01', '0.003', '0.001', '0.0003'];
const USERS = ['ana', 'bo', 'chen', 'dana'];

function paramValue(i: number, r: () => number): string {
  switch (i) {
    case 0:
      return MODELS[Math.floor(r() * MODELS.length)]!;
    case 1:
      return LRS[Math.floor(r() * LRS.length)]!;
    case 2:
      return String(2 ** (4 + Math.floor(r() * 5)));
    case 3:
      return String(2 + Math.floor(r() * 14));
    case 4:
      return OPTIMIZERS[Math.floor(r() * OPTIMIZERS.length)]!;
    default:
      // A mix of numeric and categorical params, a few values each.
      return i % 3 === 0 ? `opt${Math.floor(r() * 5)}` : String(Math.floor(r() * 1000) / 10);
  }
}

export function buildTableStore(file: string, shape: TableStoreShape, log: (s: string) => void = () => {}): void {
  const db: Db = openDatabase(file);
  // A throwaway build: no journal, a big cache (indexes stay in memory while they grow).
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const store = new TrackingStore(db);
  const experimentId = store.createExperiment('bench-100k', null, [
    {
      key: 'mlflow.note.content',
      value: '# Bench sweep\n\n100,000 runs of a **hyperparameter sweep** (bench/table).',
    },
  ]);
  const rs = runStatements(db);
  const ms = metricStatements(db);
  const keyIds = Array.from({ length: shape.metrics }, (_, i) => store.metricKeyId(metricName(i))!);
  const r = rng(42);
  const t0 = Date.now() - shape.runs * 60_000;
  const BATCH = 2000;
  const started = Date.now();
  for (let first = 0; first < shape.runs; first += BATCH) {
    db.transaction(() => {
      for (let n = first; n < Math.min(shape.runs, first + BATCH); n++) {
        const uuid = randomBytes(16).toString('hex');
        const start = t0 + n * 60_000 + Math.floor(r() * 30_000);
        const info = rs.insert.run({
          run_uuid: uuid,
          experiment_id: Number(experimentId),
          name: `run-${String(n).padStart(6, '0')}`,
          user_id: USERS[n % USERS.length],
          start_time: start,
          artifact_uri: `mlflow-artifacts:/${experimentId}/${uuid}/artifacts`,
        });
        const pk = Number(info.lastInsertRowid);
        const failed = r() < 0.05;
        rs.update.run({
          run_pk: pk,
          status: failed ? 'FAILED' : 'FINISHED',
          end_time: start + 1000 + Math.floor(r() * 3_600_000),
          name: null,
        });
        rs.setTag.run(pk, 'mlflow.runName', `run-${String(n).padStart(6, '0')}`);
        rs.setTag.run(pk, 'mlflow.user', USERS[n % USERS.length]!);
        rs.setTag.run(pk, 'mlflow.source.name', 'train.py');
        rs.setTag.run(pk, 'mlflow.source.git.commit', randomBytes(20).toString('hex'));
        for (let p = 0; p < shape.params; p++) rs.insertParam.run(pk, paramName(p), paramValue(p, r));
        const steps = n < shape.historyRuns ? shape.historySteps : 1;
        for (let m = 0; m < shape.metrics; m++) {
          const keyId = keyIds[m]!;
          const target = r();
          let min = Infinity;
          let max = -Infinity;
          let value = 0;
          for (let s = 0; s < steps; s++) {
            value = target * (1 - Math.exp(-(s + 1) / 5)) + (r() - 0.5) * 0.01;
            min = Math.min(min, value);
            max = Math.max(max, value);
            ms.insertPoint.run(pk, keyId, s, start + s * 1000, value, 0);
          }
          ms.upsertLatest.run({
            run_pk: pk,
            key_id: keyId,
            step: steps - 1,
            timestamp: start + (steps - 1) * 1000,
            value,
            is_nan: 0,
            min,
            max,
            n: steps,
            distinct: 1,
            min_step: 0,
          });
        }
      }
    })();
    if ((first / BATCH) % 10 === 0)
      log(`  ${first.toLocaleString()} runs… (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  db.pragma('journal_mode = WAL');
  db.close();
}
