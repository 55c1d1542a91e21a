/**
 * Argument parsing for the `runlens` command (no dependency: the surface is small).
 *   runlens serve [--port 5000] [--host 127.0.0.1] [--data-dir DIR]
 *   runlens import PATH... [--data-dir DIR]
 *   runlens --help | --version
 */

export const DEFAULT_PORT = 5000;
export const DEFAULT_HOST = '127.0.0.1';

export type CliCommand =
  | { command: 'serve'; port: number; host: string; dataDir?: string }
  | { command: 'import'; paths: string[]; dataDir?: string }
  | { command: 'help' }
  | { command: 'version' };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP_TEXT = `Runlens — a desktop experiment tracker that speaks the MLflow Tracking REST API.

Usage:
  runlens serve [--port 5000] [--host 127.0.0.1] [--data-dir DIR]
      Serve the tracking API and the Runlens UI (like \`mlflow ui\`). Log to it from any
      MLflow script with:  export MLFLOW_TRACKING_URI=http://127.0.0.1:5000
  runlens import PATH... [--data-dir DIR]
      Import existing MLflow data (an mlruns folder or an MLflow SQLite database).
  runlens --help       Show this help.
  runlens --version    Show the version.

Options:
  --port N          Port to listen on (default 5000, 0 picks a free one; env RUNLENS_PORT).
  --host H          Address to bind (default 127.0.0.1; 0.0.0.0 exposes it to your network).
  --data-dir DIR    Where the database and artifacts live (env RUNLENS_DATA_DIR; default: the
                    OS app-data folder, e.g. ~/.local/share/Runlens on Linux).
`;

function parsePort(text: string, source: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`${source} must be a port number between 0 and 65535 (got '${text}')`);
  }
  return Number(text);
}

export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const takesValue = new Set(['--port', '--host', '--data-dir']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if (arg === '--version' || arg === '-v' || arg === '-V') return { command: 'version' };
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (!takesValue.has(name)) throw new UsageError(`Unknown option ${name}`);
      const value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
      continue;
    }
    positional.push(arg);
  }
  const [command, ...rest] = positional;
  const dataDir = flags.get('--data-dir');
  switch (command) {
    case undefined:
    case 'help':
      return { command: 'help' };
    case 'version':
      return { command: 'version' };
    case 'serve': {
      if (rest.length) throw new UsageError(`serve takes no arguments (got '${rest.join(' ')}')`);
      const portFlag = flags.get('--port');
      const port =
        portFlag !== undefined
          ? parsePort(portFlag, '--port')
          : env.RUNLENS_PORT
            ? parsePort(env.RUNLENS_PORT, 'RUNLENS_PORT')
            : DEFAULT_PORT;
      return { command: 'serve', port, host: flags.get('--host') ?? DEFAULT_HOST, dataDir };
    }
    case 'import':
      if (flags.has('--port') || flags.has('--host')) throw new UsageError('import takes only --data-dir');
      if (!rest.length) throw new UsageError('import needs at least one PATH (an mlruns folder or an MLflow database)');
      return { command: 'import', paths: rest, dataDir };
    default:
      throw new UsageError(`Unknown command '${command}'`);
  }
}
