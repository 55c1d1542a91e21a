import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../src-main/core/app';

export interface TestApp extends RunningApp {
  dataDir: string;
  /** JSON call against `/api/2.0` + path; returns status and parsed body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** A real app on a real port (0 = free port) over a real SQLite file in a fresh temp dir. */
export async function startTestApp(): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runlens-test-'));
  const running = await startApp({ dataDir, port: 0 });
  return {
    ...running,
    dataDir,
    async api(method, path, body) {
      let url = `${running.url}/api/2.0${path}`;
      const init: RequestInit = { method };
      if (method === 'GET' && body && typeof body === 'object') {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
          for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
        }
        url += `?${qs.toString()}`;
      } else if (body !== undefined) {
        init.headers = { 'Content-Type': 'application/json' };
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const res = await fetch(url, init);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // non-JSON bodies (e.g. /health) stay text
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
