import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most of the time of the process tests is spent waiting on child processes, not on a core:
    // one more worker than this 2-core machine's default keeps both cores busy.
    maxWorkers: 3,
  },
});
