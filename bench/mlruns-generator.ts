import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a synthetic mlruns tree exactly as MLflow 3's FileStore lays it out (meta.yaml fields,
 * params/tags files, metric lines `<timestamp> <value> <step>`, keys with '/' as sub-folders,
 * long random experiment ids): `runs` runs in experiments of 100, each with `metrics` series of
 * `steps` points, 10 params and 5 tags. Used by bench/import.ts and the import tests.
 */
const RUNS_PER_EXPERIMENT = 100;

/** Python's str(float) for the values generated here (plain decimals, no exponents). */
const pyFloat = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v));

/** Writes the tree exactly as MLflow 3's FileStore lays it out. */
export function generateMlruns(root: string, a: { runs: number; metrics: number; steps: number }): void {
  mkdirSync(root, { recursive: true });
  const t0 = 1735689600000;
  const experiments = Math.ceil(a.runs / RUNS_PER_EXPERIMENT);
  const metricKeys = Array.from({ length: a.metrics }, (_, i) =>
    i === 0 ? 'train/loss' : i === 1 ? 'val/loss' : i === 2 ? 'system/cpu_utilization_percentage' : `metric_${i}`,
  );
  let run = 0;
  for (let e = 0; e <= experiments; e++) {
    const expId = e === 0 ? '0' : String(100000000000000000 + e * 7919);
    const expDir = join(root, expId);
    mkdirSync(join(expDir, 'tags'), { recursive: true });
    writeFileSync(
      join(expDir, 'meta.yaml'),
      `artifact_location: file:///home/ds/mlruns/${expId}\ncreation_time: ${t0}\nexperiment_id: '${expId}'\n` +
        `last_update_time: ${t0}\nlifecycle_stage: active\nname: ${e === 0 ? 'Default' : `bench-${e}`}\n`,
    );
    if (e === 0) continue;
    writeFileSync(join(expDir, 'tags', 'mlflow.note.content'), `Benchmark experiment ${e}`);
    for (let r = 0; r < RUNS_PER_EXPERIMENT && run < a.runs; r++, run++) {
      const runId = (run + 1).toString(16).padStart(32, '0');
      const runDir = join(expDir, runId);
      for (const sub of ['params', 'tags', 'metrics/train', 'metrics/val', 'metrics/system', 'artifacts']) {
        mkdirSync(join(runDir, sub), { recursive: true });
      }
      const start = t0 + run * 60_000;
      writeFileSync(
        join(runDir, 'meta.yaml'),
        `artifact_uri: file:///home/ds/mlruns/${expId}/${runId}/artifacts\nend_time: ${start + 50_000}\n` +
          `entry_point_name: ''\nexperiment_id: '${expId}'\nlifecycle_stage: active\nrun_id: ${runId}\n` +
          `run_name: run-${run}\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: ${start}\n` +
          `status: 3\ntags: []\nuser_id: bench\n`,
      );
      for (const [k, v] of [
        ['lr', String(0.001 * (1 + (run % 10)))],
        ['batch_size', String(32 << (run % 4))],
        ['optimizer', run % 2 ? 'adam' : 'sgd'],
        ['epochs', '50'],
        ['seed', String(run)],
        ['model', 'resnet18'],
        ['dropout', '0.1'],
        ['weight_decay', '0.0001'],
        ['warmup_steps', '100'],
        ['dataset', 'cifar10'],
      ]) {
        writeFileSync(join(runDir, 'params', k!), v!);
      }
      for (const [k, v] of [
        ['mlflow.runName', `run-${run}`],
        ['mlflow.user', 'bench'],
        ['mlflow.source.name', 'train.py'],
        ['mlflow.source.type', 'LOCAL'],
        ['team', 'vision'],
      ]) {
        writeFileSync(join(runDir, 'tags', k!), v!);
      }
      for (let m = 0; m < a.metrics; m++) {
        const lines: string[] = new Array(a.steps);
        let x = (run * 31 + m * 17) % 1000;
        for (let s = 0; s < a.steps; s++) {
          x = (x * 1103515245 + 12345) % 2147483648;
          const v = m === 3 && s === 7 ? 'nan' : pyFloat(Math.exp(-s / 200) + (x / 2147483648) * 0.05);
          lines[s] = `${start + s * 100} ${v} ${s}`;
        }
        writeFileSync(join(runDir, 'metrics', metricKeys[m]!), lines.join('\n') + '\n');
      }
    }
  }
  writeFileSync(join(root, '.complete'), JSON.stringify({ runs: a.runs, metrics: a.metrics, steps: a.steps }));
}
