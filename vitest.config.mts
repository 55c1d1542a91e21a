import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests open real SQLite files and real ports; two workers match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
