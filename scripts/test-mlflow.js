#!/usr/bin/env node
// `npm run test:mlflow`: our users' MLflow workflows (tests/mlflow/test_*.py), unchanged, run with the
// REAL MLflow Python client against Runlens, or with --reference against a real `mlflow server`, so any
// divergence between the two shows. Each script is one test; exit code 0 = pass.
//
//   node scripts/test-mlflow.js                 # against Runlens (bin/runlens.js serve, or the core from source)
//   node scripts/test-mlflow.js --reference     # same scripts against `mlflow server` 3.5.1 (sqlite + proxied artifacts)
//   node scripts/test-mlflow.js --only search   # one script (name with or without test_ / .py)
//   options: --client 3.5.1 (one client only), --jobs N (parallel scripts, default 2), --source (start the
//            core bundled from src-main/ instead of bin/runlens.js), --url http://127.0.0.1:PORT (an already
//            running server; no fresh state per client), --keep (keep temp dirs and server logs), --verbose
//            (print every script's output tail). Env RUNLENS_SHARED_DIR overrides ../shared.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: setTimeoutSafe, clearTimeout: clearTimeoutSafe } = require('node:timers');
const { setTimeout: sleep } = require('node:timers/promises');

const repoRoot = path.resolve(__dirname, '..');
const sharedDir = process.env.RUNLENS_SHARED_DIR
  ? path.resolve(process.env.RUNLENS_SHARED_DIR)
  : path.resolve(repoRoot, '..', 'shared');
const envSh = path.join(sharedDir, 'mlflow-client', 'env.sh');
const testsDir = path.join(repoRoot, 'tests', 'mlflow');
const DEFAULT_CLIENT = '3.5.1';
const SCRIPT_TIMEOUT_S = 180; // per script unless it declares `# timeout: N`
const SERVER_START_TIMEOUT_S = 120;

function parseArgs(argv) {
  const opts = {
    reference: false,
    only: null,
    client: null,
    jobs: 2,
    source: false,
    url: null,
    keep: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--reference') opts.reference = true;
    else if (a === '--only') opts.only = value();
    else if (a === '--client') opts.client = value();
    else if (a === '--jobs') opts.jobs = Math.max(1, Number(value()) || 1);
    else if (a === '--source') opts.source = true;
    else if (a === '--url') opts.url = value().replace(/\/+$/, '');
    else if (a === '--keep') opts.keep = true;
    else if (a === '--verbose') opts.verbose = true;
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/** Scripts with the clients they declare in a `# clients: 3.5.1 2.12.1` line near the top. */
function discoverScripts(only) {
  const wanted = only ? only.replace(/\.py$/, '').replace(/^test_/, '') : null;
  return fs
    .readdirSync(testsDir)
    .filter((f) => /^test_.*\.py$/.test(f))
    .sort()
    .filter((f) => !wanted || f === `test_${wanted}.py`)
    .map((file) => {
      const head = fs.readFileSync(path.join(testsDir, file), 'utf8').split('\n').slice(0, 15);
      const clientsLine = head.find((l) => /^#\s*clients:/.test(l));
      const timeoutLine = head.find((l) => /^#\s*timeout:/.test(l));
      const clients = clientsLine
        ? clientsLine
            .replace(/^#\s*clients:/, '')
            .trim()
            .split(/\s+/)
        : [DEFAULT_CLIENT];
      const timeout = timeoutLine ? Number(timeoutLine.replace(/^#\s*timeout:/, '').trim()) : SCRIPT_TIMEOUT_S;
      return { file, name: file.replace(/\.py$/, ''), clients, timeout };
    });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpGet(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** The child environment without any MLflow client selection inherited from the caller's shell. */
function cleanEnv(extra) {
  const env = { ...process.env };
  delete env.MLFLOW_CLIENT_HOME;
  delete env.MLFLOW_CLIENT_VERSION; // the reference server is always 3.5.1; scripts get theirs explicitly
  delete env.MLFLOW_TRACKING_URI;
  delete env.PYTHONPATH;
  env.PATH = (env.PATH || '')
    .split(path.delimiter)
    .filter((p) => !p.includes('mlflow-client-'))
    .join(path.delimiter);
  return { ...env, ...extra };
}

/** Spawns `bash -c '. env.sh && exec …'` in its own process group (so a timeout kills its children too). */
function spawnWithClient(command, { cwd, env, logFile }) {
  const out = logFile ? fs.openSync(logFile, 'a') : 'pipe';
  const child = spawn('bash', ['-c', `. ${shellQuote(envSh)} >/dev/null && exec ${command}`], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  if (logFile) fs.closeSync(out);
  return child;
}

function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

function killGroup(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function tail(text, maxLines = 60, maxChars = 6000) {
  const lines = text.replace(/\s+$/, '').split('\n');
  let t = lines.slice(-maxLines).join('\n');
  if (t.length > maxChars) t = t.slice(-maxChars);
  return t;
}

function readTail(file) {
  try {
    return tail(fs.readFileSync(file, 'utf8'), 30);
  } catch {
    return '';
  }
}

async function waitHealthy(url, child, logFile, what) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_S * 1000;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited before answering /health:\n${readTail(logFile)}`);
    }
    if ((await httpGet(`${url}/health`)) === 200) return;
    await sleep(250);
  }
  throw new Error(`${what} did not answer ${url}/health within ${SERVER_START_TIMEOUT_S}s:\n${readTail(logFile)}`);
}

/**
 * Without the built output (out/main/cli.js) or with --source: bundles the CLI shell from src-main/ with
 * esbuild and runs `serve` through it; if the shell does not bundle (work in progress), bundles the core
 * (`startApp`) alone. Returns { launcher, describe }; the launcher takes `<dataDir> <port>`.
 */
function writeSourceLauncher(workDir) {
  const esbuild = path.join(repoRoot, 'node_modules', '.bin', 'esbuild');
  const bundle = (entry, outfile) => {
    execFileSync(
      esbuild,
      [
        entry,
        '--bundle',
        '--platform=node',
        '--external:better-sqlite3',
        '--format=cjs',
        '--log-level=error',
        `--outfile=${outfile}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  };
  const launcher = path.join(workDir, 'launch.js');
  const cliEntry = path.join(repoRoot, 'src-main', 'shells', 'cli.ts');
  const cliBundle = path.join(workDir, 'main', 'cli.js');
  try {
    if (!fs.existsSync(cliEntry)) throw new Error('no src-main/shells/cli.ts');
    bundle(cliEntry, cliBundle);
    fs.writeFileSync(
      launcher,
      [
        `const { runCli } = require(${JSON.stringify(cliBundle)});`,
        'const [dataDir, port] = process.argv.slice(2);',
        "runCli(['serve', '--port', port, '--data-dir', dataDir]).catch((e) => { console.error(e); process.exit(1); });",
      ].join('\n'),
    );
    return { launcher, describe: 'runlens serve (src-main/shells/cli.ts bundled by esbuild; out/ not built)' };
  } catch (err) {
    const why = String((err.stderr && err.stderr.toString()) || err.message)
      .trim()
      .split('\n')
      .slice(0, 4)
      .join(' ');
    console.log(`test:mlflow: src-main/shells/cli.ts did not bundle (${why}); starting the core alone`);
  }
  const coreBundle = path.join(workDir, 'runlens-core.js');
  bundle(path.join(repoRoot, 'src-main', 'core', 'app.ts'), coreBundle);
  fs.writeFileSync(
    launcher,
    [
      `const { startApp } = require(${JSON.stringify(coreBundle)});`,
      'const [dataDir, port] = process.argv.slice(2);',
      'startApp({ dataDir, port: Number(port) }).then(',
      "  (a) => { console.log('runlens core listening on ' + a.url); const stop = () => a.close().then(() => process.exit(0)); process.on('SIGTERM', stop); process.on('SIGINT', stop); },",
      '  (e) => { console.error(e); process.exit(1); },',
      ');',
    ].join('\n'),
  );
  return { launcher, describe: 'runlens core startApp (src-main/core/app.ts bundled by esbuild)' };
}

/** Starts a fresh server (fresh data dir) and returns { url, stop, describe }. */
async function startServer(opts, workDir, label) {
  if (opts.url) return { url: opts.url, stop: async () => {}, describe: `server at ${opts.url}` };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(workDir, `${label}-data-`));
  const logFile = path.join(workDir, `${label}-server.log`);
  let child;
  let describe;
  if (opts.reference) {
    const cmd = [
      'mlflow server',
      `--backend-store-uri ${shellQuote(`sqlite:///${path.join(dataDir, 'ref.db')}`)}`,
      `--artifacts-destination ${shellQuote(path.join(dataDir, 'artifacts'))}`,
      `--host 127.0.0.1 --port ${port} --workers 1`,
    ].join(' ');
    child = spawnWithClient(cmd, { cwd: dataDir, env: cleanEnv({}), logFile });
    describe = `reference mlflow server 3.5.1 on ${url}`;
  } else {
    const cli = path.join(repoRoot, 'bin', 'runlens.js');
    let args;
    if (!opts.source && fs.existsSync(cli) && fs.existsSync(path.join(repoRoot, 'out', 'main', 'cli.js'))) {
      args = [cli, 'serve', '--port', String(port), '--data-dir', dataDir];
      describe = `runlens (bin/runlens.js serve) on ${url}`;
    } else {
      opts.sourceLauncher = opts.sourceLauncher || writeSourceLauncher(workDir);
      args = [opts.sourceLauncher.launcher, dataDir, String(port)];
      describe = `${opts.sourceLauncher.describe} on ${url}`;
    }
    const out = fs.openSync(logFile, 'a');
    child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') },
      detached: true,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
  }
  liveChildren.add(child);
  try {
    await waitHealthy(url, child, logFile, describe);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    liveChildren.delete(child);
    throw err;
  }
  const stop = async () => {
    killGroup(child);
    for (let i = 0; i < 40 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
    killGroup(child, 'SIGKILL');
    liveChildren.delete(child);
  };
  return { url, stop, describe, logFile };
}

const liveChildren = new Set();

function runScript(script, client, url, opts, workDir) {
  return new Promise((resolve) => {
    const cwd = fs.mkdtempSync(path.join(workDir, `${script.name}-${client}-`));
    const env = cleanEnv({
      MLFLOW_CLIENT_VERSION: client,
      MLFLOW_TRACKING_URI: url,
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
      GIT_PYTHON_REFRESH: 'quiet',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1', // keep tests/mlflow free of __pycache__
      RUNLENS_MLFLOW_TARGET: opts.reference ? 'reference' : 'runlens',
    });
    const started = Date.now();
    const child = spawnWithClient(`/usr/bin/python3 ${shellQuote(path.join(testsDir, script.file))}`, { cwd, env });
    liveChildren.add(child);
    let output = '';
    const collect = (d) => {
      output += d.toString('utf8');
      if (output.length > 400_000) output = output.slice(-200_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeoutSafe(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, script.timeout * 1000);
    child.on('close', (code, signal) => {
      clearTimeoutSafe(timer);
      liveChildren.delete(child);
      if (timedOut) output += `\n[test-mlflow] timed out after ${script.timeout}s`;
      else if (signal) output += `\n[test-mlflow] killed by ${signal}`;
      if (!opts.keep) fs.rmSync(cwd, { recursive: true, force: true });
      resolve({
        name: script.name,
        client,
        ok: code === 0 && !timedOut,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        output_tail: tail(output),
      });
    });
  });
}

async function runPool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(envSh)) {
    const shown = process.env.RUNLENS_SHARED_DIR ? path.dirname(envSh) : path.relative(repoRoot, path.dirname(envSh));
    console.log(`test:mlflow: skipped — ${shown} not found (the real MLflow client suite runs in CI)`);
    return 0;
  }
  const scripts = discoverScripts(opts.only);
  if (scripts.length === 0) {
    console.log(`test:mlflow: no scripts matched${opts.only ? ` --only ${opts.only}` : ''} in tests/mlflow`);
    return 1;
  }
  // One fresh server per client version, so the guides' fixed experiment and model names never collide
  // between the 3.x and 2.x runs of a script; scripts sharing a server use distinct names. All servers run
  // at once and one pool takes every (script, client) pair, longest first (durations of the last run).
  const clients = [...new Set(scripts.flatMap((s) => s.clients))]
    .filter((c) => !opts.client || c === opts.client)
    .sort((a, b) => (a === DEFAULT_CLIENT ? -1 : b === DEFAULT_CLIENT ? 1 : a.localeCompare(b)));
  if (opts.url && clients.length > 1) {
    console.log(
      'test:mlflow: note — with --url every client shares one server; repeated runs collide on names (use --client)',
    );
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-test-mlflow-'));
  const target = opts.reference ? 'reference mlflow server' : 'runlens';
  const outFile = path.join(repoRoot, 'test-results', opts.reference ? 'mlflow-reference.json' : 'mlflow.json');
  const t0 = Date.now();
  const results = [];
  const servers = new Map();
  const cleanup = () => {
    for (const c of liveChildren) killGroup(c, 'SIGKILL');
    if (!opts.keep) fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const started = await Promise.allSettled(
      clients.map((client) => startServer(opts, workDir, `${opts.reference ? 'ref' : 'runlens'}-${client}`)),
    );
    const tasks = [];
    clients.forEach((client, i) => {
      const pass = scripts.filter((s) => s.clients.includes(client));
      const st = started[i];
      if (st.status === 'rejected') {
        console.log(`FAIL  could not start ${target} for client ${client}: ${st.reason.message}`);
        for (const s of pass) {
          results.push({
            name: s.name,
            client,
            ok: false,
            seconds: 0,
            output_tail: `server did not start: ${st.reason.message}`,
          });
        }
        return;
      }
      servers.set(client, st.value);
      console.log(`test:mlflow: client ${client} against ${st.value.describe} (${pass.length} scripts)`);
      for (const s of pass) tasks.push({ script: s, client, url: st.value.url });
    });
    const previous = previousDurations(outFile);
    tasks.sort((a, b) => previous(b) - previous(a));
    console.log(`test:mlflow: ${tasks.length} script runs, ${opts.jobs} at a time`);
    const ran = await runPool(
      tasks.map((task) => async () => {
        const r = await runScript(task.script, task.client, task.url, opts, workDir);
        console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} [${task.client}] ${r.seconds}s`);
        if (!r.ok || opts.verbose) console.log(indent(r.output_tail));
        return r;
      }),
      opts.jobs,
    );
    results.push(...ran);
  } finally {
    await Promise.all([...servers.values()].map((srv) => srv.stop()));
    cleanup();
  }
  results.sort(
    (a, b) => a.name.localeCompare(b.name) || b.client.localeCompare(a.client, undefined, { numeric: true }),
  );
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify({ passed, failed, tests: results }, null, 2) + '\n');
  console.log(`(${target}; ${Math.round((Date.now() - t0) / 1000)}s; details in ${path.relative(repoRoot, outFile)})`);
  console.log(`test:mlflow: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** Seconds each (script, client) took in the previous results file; unknown ones sort first. */
function previousDurations(file) {
  const seconds = new Map();
  try {
    for (const t of JSON.parse(fs.readFileSync(file, 'utf8')).tests || [])
      seconds.set(`${t.name} ${t.client}`, t.seconds);
  } catch {
    // no previous run
  }
  return (task) => seconds.get(`${task.script.name} ${task.client}`) ?? Number.POSITIVE_INFINITY;
}

function indent(text) {
  return text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    for (const c of liveChildren) killGroup(c, 'SIGKILL');
    console.error(err);
    console.log('test:mlflow: 0 passed, 1 failed');
    process.exit(1);
  },
);
