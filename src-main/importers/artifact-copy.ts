import { copyFileSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, listDir, type IssueFn } from './safe-fs';

/**
 * Copies a run's (or logged model's) artifact folder into the Runlens data dir, for sources that
 * will be deleted. Symlinks are followed (their targets are copied) but a folder already visited
 * is a loop and is reported. Files already copied with the same size are skipped, so a re-import
 * only copies what is new. `ok` is false when nothing could be copied at all.
 */
export function copyArtifactTree(src: string, dest: string, issue: IssueFn): { files: number; ok: boolean } {
  let files = 0;
  let failures = 0;
  const seen = new Set<string>();
  const visit = (from: string, to: string): void => {
    let real: string;
    try {
      real = realpathSync(from);
    } catch (err) {
      issue(from, describeError(err));
      failures++;
      return;
    }
    if (seen.has(real)) {
      issue(from, 'symlink loop (folder already visited): not copied');
      return;
    }
    seen.add(real);
    const entries = listDir(from, issue);
    if (!entries) {
      failures++;
      return;
    }
    try {
      mkdirSync(to, { recursive: true });
    } catch (err) {
      issue(to, `cannot create folder: ${describeError(err)}`);
      failures++;
      return;
    }
    for (const e of entries) {
      const target = join(to, e.name);
      if (e.isDir) visit(e.path, target);
      else if (e.isFile) {
        try {
          const existing = statSync(target, { throwIfNoEntry: false });
          if (!existing || existing.size !== e.size) copyFileSync(e.path, target);
          files++;
        } catch (err) {
          issue(e.path, `not copied: ${describeError(err)}`);
          failures++;
        }
      }
    }
  };
  visit(src, dest);
  return { files, ok: files > 0 || failures === 0 };
}
