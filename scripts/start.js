#!/usr/bin/env node
'use strict';
/**
 * `npm start` (after `npm run build`): opens the Electron window, first downloading Electron's
 * binary and preparing better-sqlite3 for Electron's ABI if needed (electron-native.js). Where there
 * is no display, or either step fails (no network, no compiler), it starts serve mode instead, says
 * why in one line, and opens the URL in a browser if there is one. Never crashes on a missing binary.
 */
const { spawn } = require('node:child_process');
const { ensureElectronBinary, electronVersion, ensureSqliteForElectron } = require('./electron-native');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const EARLY_EXIT_MS = 5000;

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function openBrowser(url) {
  if (process.env.RUNLENS_NO_BROWSER || !hasDisplay()) return;
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no browser opener here: the URL is printed anyway
    child.unref();
  } catch {
    // same: opening a browser is a convenience
  }
}

async function serveMode(reason) {
  const cliFile = path.join(root, 'out', 'main', 'cli.js');
  if (!fs.existsSync(cliFile)) {
    process.stderr.write('runlens: the app is not built yet. Run `npm run build` first.\n');
    process.exit(1);
  }
  const cli = require(cliFile);
  let opts;
  try {
    opts = cli.parseCliArgs(['serve']);
  } catch (err) {
    process.stderr.write(`runlens: ${err.message}\n`);
    process.exit(2);
  }
  const shownHost = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  process.stdout.write(`${reason} — starting Runlens in serve mode at http://${shownHost}:${opts.port}\n`);
  const server = await cli.serve(opts);
  if (!server) process.exit(1);
  cli.closeOnSignals(server);
  openBrowser(server.url);
}

function electronMode(bin, binding) {
  const env = { ...process.env, RUNLENS_SQLITE_BINDING: binding };
  delete env.ELECTRON_RUN_AS_NODE;
  const started = Date.now();
  const child = spawn(bin, [root], { stdio: 'inherit', env });
  const forward = (signal) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('error', (err) => {
    serveMode(`Electron could not start (${err.code || err.message})`).catch(fail);
  });
  child.on('exit', (code, signal) => {
    if (code && Date.now() - started < EARLY_EXIT_MS) {
      // Typical on headless machines (missing display or libraries): fall back, don't crash.
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      serveMode(`Electron exited at startup (code ${code})`).catch(fail);
      return;
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
}

function fail(err) {
  process.stderr.write(`runlens: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
}

function main() {
  if (!hasDisplay()) return serveMode('No display available for the Electron window');
  const electron = ensureElectronBinary();
  if (!electron.bin) return serveMode(`Electron binary not available here: ${electron.error}`);
  const sqlite = ensureSqliteForElectron(electronVersion());
  if (!sqlite.binding) return serveMode(`better-sqlite3 could not be prepared for Electron: ${sqlite.error}`);
  electronMode(electron.bin, sqlite.binding);
  return Promise.resolve();
}

main().catch(fail);
