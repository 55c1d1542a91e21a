/**
 * bench/ingest — ingestion over real HTTP against a Runlens server in its own process, beside the
 * raw better-sqlite3 insert rate of the same store code measured in this run (the ceiling).
 *
 *   npm run bench:ingest            (builds first; options: --clients 32 --seconds 5
 *                                   --prof DIR: CPU profile of the server)
 *
 * Prints points/s and p50/p99 latency for single log-metric calls and 1000-metric log-batch
 * calls with 32 concurrent clients, and the error count (must be 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../src-main/store/db';
import { TrackingStore } from '../src-main/store/tracking-store';
import { startServe } from './serve-process';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLIENTS = arg('clients', 32);
const SECONDS = arg('seconds', 5);

function rawInsertRate(): number {
  const dir = mkdtempSync(join(tmpdir(), 'runlens-bench-raw-'));
  try {
    const db = openDatabase(join(dir, 'raw.db'));
    const store = new TrackingStore(db);
    const run = store.createRun({ experimentId: '0', userId: 'b', startTime: Date.now(), tags: [], runName: 'raw' });
    const pk = store.runRow(run.info.run_id).run_pk;
    const batches = 300;
    const t0 = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({
        // The shape of the HTTP log-batch calls below: 20 keys × 50 steps per call.
        key: `m${i % 20}`,
        value: Math.random(),
        timestamp: 1e12 + b,
        step: b * 50 + Math.floor(i / 20),
      }));
      db.transaction(() => store.insertPoints(pk, metrics))();
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    db.close();
    return (batches * 1000) / secs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function post(port: number, path: string, body: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/2.0${path}`,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function load(
  port: number,
  runIds: string[],
  kind: 'metric' | 'batch',
): Promise<{ points: number; lat: number[]; errors: number; secs: number }> {
  const lat: number[] = [];
  let points = 0;
  let errors = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    runIds.map(async (runId, c) => {
      let step = 0;
      while (Date.now() < deadline) {
        const body =
          kind === 'metric'
            ? JSON.stringify({ run_id: runId, key: 'loss', value: Math.random(), timestamp: Date.now(), step: step++ })
            : JSON.stringify({
                run_id: runId,
                metrics: Array.from({ length: 1000 }, (_, i) => ({
                  key: `m${i % 20}`,
                  value: Math.random(),
                  timestamp: Date.now(),
                  step: step * 50 + Math.floor(i / 20),
                })),
              });
        if (kind === 'batch') step++;
        const s = process.hrtime.bigint();
        const status = await post(
          port,
          kind === 'metric' ? '/mlflow/runs/log-metric' : '/mlflow/runs/log-batch',
          body,
        ).catch(() => 0);
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (status === 200) points += kind === 'metric' ? 1 : 1000;
        else errors++;
        void c;
      }
    }),
  );
  return { points, lat, errors, secs: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  console.log(`bench/ingest: ${CLIENTS} concurrent clients, ${SECONDS}s per phase`);
  const raw = rawInsertRate();
  console.log(
    `  raw better-sqlite3 insert (same store code, 1000-point transactions): ${Math.round(raw).toLocaleString()} points/s  [ceiling]`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'runlens-bench-ingest-'));
  const { port, child } = await startServe(resolve(__dirname, '../../bin/runlens.js'), dataDir);
  try {
    const runIds: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/api/2.0/mlflow/runs/create`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ experiment_id: '0', start_time: Date.now() }),
      });
      runIds.push(((await res.json()) as { run: { info: { run_id: string } } }).run.info.run_id);
    }
    for (const kind of ['metric', 'batch'] as const) {
      const r = await load(port, runIds, kind);
      const rate = r.points / r.secs;
      const label = kind === 'metric' ? 'log-metric (1 point/call)' : 'log-batch (1000 points/call)';
      const extra = kind === 'batch' ? `  = ${((rate / raw) * 100).toFixed(0)}% of raw` : '';
      console.log(
        `  ${label.padEnd(30)} ${Math.round(rate).toLocaleString().padStart(12)} points/s  p50 ${pct(r.lat, 50).toFixed(1)} ms  p99 ${pct(r.lat, 99).toFixed(1)} ms  errors ${r.errors}${extra}`,
      );
    }
    console.log(
      '  reference (mlflow server 3.5.1, sqlite, measured on this machine): log_metric 165 points/s, log_batch 13,000 points/s',
    );
  } finally {
    child.kill();
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
