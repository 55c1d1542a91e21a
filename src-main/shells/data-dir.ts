import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_DIR_NAME = 'Runlens';

/**
 * The OS application-data directory for Runlens (one SQLite file + an artifacts folder):
 * Linux `$XDG_DATA_HOME/Runlens` or `~/.local/share/Runlens`, macOS
 * `~/Library/Application Support/Runlens`, Windows `%APPDATA%\Runlens`. Both shells use this
 * same function so the desktop app and `runlens serve` see the same data.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share'), APP_DIR_NAME);
}

/** `--data-dir` beats `RUNLENS_DATA_DIR` beats the OS default. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.RUNLENS_DATA_DIR) return resolve(env.RUNLENS_DATA_DIR);
  return defaultDataDir(env);
}
