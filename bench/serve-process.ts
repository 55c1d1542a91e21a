import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Starts `runlens serve` as its own process on a free port, as a user runs it, so a bench measures
 * the real HTTP path and its client load does not share the server's event loop. `--prof DIR` on
 * the bench's command line makes the server write a CPU profile (node --cpu-prof) into DIR on exit.
 */
export async function startServe(
  runlensJs: string,
  dataDir: string,
): Promise<{ url: string; port: number; child: ChildProcess }> {
  const i = process.argv.indexOf('--prof');
  const prof = i >= 0 ? ['--cpu-prof', '--cpu-prof-dir', resolve(process.argv[i + 1]!)] : [];
  const child = spawn(process.execPath, [...prof, runlensJs, 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUNLENS_PORT: '' },
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  return { url, port: Number(new URL(url).port), child };
}
