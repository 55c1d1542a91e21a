'use strict';
/**
 * What `npm start` needs before it can open the Electron window on a user's machine, prepared once:
 *
 * 1. Electron's binary. Electron ≥ 42 has no postinstall: the binary is downloaded on first use. We
 *    run its own installer explicitly (never `require('electron')`, which downloads as a side effect
 *    and throws where there is no network).
 * 2. better-sqlite3 built for Electron's ABI. `npm install` builds the addon for Node (tests, serve
 *    mode), and one `.node` file serves one ABI only, so a second build is made in a copy of the
 *    package (prebuilt binary via prebuild-install, else node-gyp against Electron's headers) and
 *    cached under node_modules/.cache/runlens/. The core loads it when RUNLENS_SQLITE_BINDING
 *    points at it (src-main/store/native-binding.ts).
 *
 * Every step reports why it failed instead of throwing, so start.js can fall back to serve mode.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
  } catch {
    return null;
  }
}

/** The installed Electron package's version, or null when the package is absent. */
function electronVersion() {
  const dir = packageDir('electron');
  return dir ? JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version : null;
}

/** The Electron executable if it is already downloaded, else null. */
function electronBinary() {
  const dir = packageDir('electron');
  if (!dir) return null;
  let rel = null;
  try {
    rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() || null;
  } catch {
    // no path.txt: the binary was never downloaded
  }
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist');
  if (!rel && !process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const bin = path.join(dist, rel || (process.platform === 'win32' ? 'electron.exe' : 'electron'));
  return fs.existsSync(bin) ? bin : null;
}

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000, ...opts });
  return r.status === 0 ? null : r.error ? r.error.message : `exit code ${r.status}`;
}

/** The Electron binary, downloading it first if needed: { bin } or { error }. */
function ensureElectronBinary() {
  const have = electronBinary();
  if (have) return { bin: have };
  const dir = packageDir('electron');
  if (!dir) return { error: 'the electron package is not installed' };
  process.stdout.write(`runlens: downloading Electron ${electronVersion()} (first start only)…\n`);
  const error = run(process.execPath, [path.join(dir, 'install.js')], { cwd: dir });
  const bin = electronBinary();
  return bin ? { bin } : { error: `its download failed (${error || 'no binary afterwards'})` };
}

/** The node-gyp that ships with npm (npm_execpath is npm-cli.js when started through npm). */
function nodeGypScript() {
  const candidates = [];
  if (process.env.npm_execpath) {
    candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin'));
  }
  candidates.push(
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin'),
  );
  return candidates.map((d) => path.join(d, 'node-gyp.js')).find((f) => fs.existsSync(f)) || null;
}

/** better-sqlite3 compiled for this Electron version: { binding } (a .node path) or { error }. */
function ensureSqliteForElectron(version) {
  const pkg = packageDir('better-sqlite3');
  if (!pkg) return { error: 'better-sqlite3 is not installed' };
  const cacheDir = path.join(
    root,
    'node_modules',
    '.cache',
    'runlens',
    `electron-${version}-${process.platform}-${process.arch}`,
  );
  const binding = path.join(cacheDir, 'better_sqlite3.node');
  if (fs.existsSync(binding)) return { binding };

  process.stdout.write(`runlens: preparing better-sqlite3 for Electron ${version} (first start only)…\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-electron-sqlite-'));
  const copy = path.join(work, 'better-sqlite3');
  try {
    // The package sources without Node's build, so nothing in node_modules is touched.
    fs.cpSync(pkg, copy, { recursive: true, filter: (src) => !src.startsWith(path.join(pkg, 'build')) });
    const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node');
    const target = ['--runtime', 'electron', '--target', version, '--arch', process.arch];
    const prebuild = packageDir('prebuild-install');
    let error = prebuild
      ? run(process.execPath, [path.join(prebuild, 'bin.js'), ...target], { cwd: copy })
      : 'no prebuild-install';
    if (!fs.existsSync(built)) {
      const gyp = nodeGypScript();
      const gypArgs = [
        'rebuild',
        '--release',
        '--runtime=electron',
        `--target=${version}`,
        `--arch=${process.arch}`,
        '--dist-url=https://electronjs.org/headers',
      ];
      error = gyp ? run(process.execPath, [gyp, ...gypArgs], { cwd: copy }) : `${error}; node-gyp not found`;
    }
    if (!fs.existsSync(built)) return { error: `no prebuilt binary and the build failed (${error})` };
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.copyFileSync(built, binding);
    return { binding };
  } catch (err) {
    return { error: err.message };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { electronBinary, electronVersion, ensureElectronBinary, ensureSqliteForElectron };
