import { join } from 'node:path';
import { HELP_TEXT, parseCliArgs, UsageError } from './cli-args';
import { resolveDataDir } from './data-dir';
import { setImportWorkerFile } from '../importers/import-job';
import { setQueryWorkerFile } from '../query/query-client';
import { describeListenError, startUiServer, type UiServer } from './ui-server';
import { importCommand } from './import-hook';
import { RUNLENS_VERSION } from './version';

export { parseCliArgs } from './cli-args';

/**
 * The Node shell: `runlens serve` runs the same core, API and UI as the desktop app, in a plain
 * Node process, for machines without Electron (servers, CI, remote boxes) — like `mlflow ui`.
 * Entry for bin/runlens.js and scripts/start.js (built to out/main/cli.js).
 */

/** The built renderer sits next to this bundle: out/main/cli.js → out/renderer. */
export const RENDERER_DIR = join(__dirname, '..', 'renderer');

// Shared code lands in out/main/chunks/; the import worker entry sits beside this entry file.
setImportWorkerFile(join(__dirname, 'import-worker.js'));
setQueryWorkerFile(join(__dirname, 'query-worker.js'));

export interface ServeOptions {
  port: number;
  host: string;
  dataDir?: string;
}

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/**
 * Starts serve mode and prints where it is. Resolves with the server, or null after printing a
 * clear message when the port is taken or the address unusable (no stack trace).
 */
export async function serve(opts: ServeOptions, io: Output = stdio): Promise<UiServer | null> {
  const dataDir = resolveDataDir(opts.dataDir);
  let server: UiServer;
  try {
    server = await startUiServer({
      dataDir,
      host: opts.host,
      port: opts.port,
      shell: 'serve',
      rendererDir: RENDERER_DIR,
    });
  } catch (err) {
    const message = describeListenError(err, opts.host, opts.port);
    if (!message) throw err;
    io.err(`runlens: ${message}`);
    return null;
  }
  io.out(`Runlens ${RUNLENS_VERSION} is serving at ${server.url}`);
  io.out(`  Data:               ${dataDir}`);
  io.out(`  Log from a script:  export MLFLOW_TRACKING_URI=${server.url}`);
  if (opts.host === '0.0.0.0' || opts.host === '::') {
    io.out('  Warning: listening on all interfaces — anyone on your network can read and write these runs.');
  }
  io.out('  Press Ctrl+C to stop.');
  return server;
}

/** Closes the server on Ctrl+C / SIGTERM (a second Ctrl+C exits at once). */
export function closeOnSignals(server: UiServer): void {
  let closing = false;
  const stop = (): void => {
    if (closing) process.exit(130);
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Runs the `runlens` command line; sets process.exitCode (serve keeps running). */
export async function runCli(argv: readonly string[], io: Output = stdio): Promise<void> {
  let cmd;
  try {
    cmd = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`runlens: ${err.message}`);
    io.err('Run `runlens --help` for usage.');
    process.exitCode = 2;
    return;
  }
  switch (cmd.command) {
    case 'help':
      io.out(HELP_TEXT.trimEnd());
      return;
    case 'version':
      io.out(RUNLENS_VERSION);
      return;
    case 'serve': {
      const server = await serve(cmd, io);
      if (!server) {
        process.exitCode = 1;
        return;
      }
      closeOnSignals(server);
      return;
    }
    case 'import': {
      if (!importCommand) {
        io.err('runlens: import is not available in this build yet.');
        process.exitCode = 2;
        return;
      }
      try {
        await importCommand(cmd.paths, { dataDir: resolveDataDir(cmd.dataDir), log: io.out });
      } catch (err) {
        io.err(`runlens: import failed: ${(err as Error).message ?? String(err)}`);
        process.exitCode = 1;
      }
      return;
    }
  }
}
