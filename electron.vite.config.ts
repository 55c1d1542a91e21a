import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

/**
 * Three sections, three roots: main (Node/Electron main process, from src-main), preload
 * (sandboxed, one CommonJS file, from src-preload) and renderer (browser, root src-renderer).
 * Output: out/main, out/preload, out/renderer.
 */

const root = __dirname;
const at = (p: string): string => resolve(root, p);

/**
 * Main-process entries, each built to out/main/<name>.js. Add yours here (one line): e.g. an
 * import worker `'import-worker': at('src-main/importers/import-worker.ts')`. Both shells and
 * every worker share chunks under out/main/chunks/.
 */
export const mainEntries: Record<string, string> = {
  /** Electron shell (package.json "main"). */
  index: at('src-main/shells/electron-main.ts'),
  /** Node shell: bin/runlens.js and scripts/start.js load it. */
  cli: at('src-main/shells/cli.ts'),
};

/** Entries built only once their source exists (other modules land them independently). */
export const optionalMainEntries: Record<string, string> = {
  'import-worker': at('src-main/importers/import-worker.ts'),
  'query-worker': at('src-main/query/query-worker.ts'),
  'bench-ingest': at('bench/ingest.ts'),
  'bench-table': at('bench/table.ts'),
};

for (const [name, file] of Object.entries(optionalMainEntries)) {
  if (existsSync(file)) mainEntries[name] = file;
}

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      // cli.js also runs under plain Node (>= 20.19), not only Electron's newer Node.
      target: 'node20',
      // package.json dependencies (fastify, better-sqlite3, ...) stay external; electron too.
      externalizeDeps: true,
      rollupOptions: {
        input: mainEntries,
        external: ['electron', /^electron\/.+/],
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      rollupOptions: {
        input: { index: at('src-preload/index.ts') },
        // Sandboxed preloads cannot require files: one self-contained CommonJS bundle.
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: at('src-renderer'),
    resolve: {
      alias: { '@contract': at('src-main/contract') },
    },
    plugins: [react()],
    build: {
      outDir: at('out/renderer'),
      // Served to any modern browser in serve mode, not only Electron's Chromium.
      target: 'es2022',
      minify: true,
      rollupOptions: {
        input: { index: at('src-renderer/index.html') },
      },
    },
  },
});
