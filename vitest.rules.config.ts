import { defineConfig } from 'vitest/config';

/**
 * The rule modules' own table tests, alone: what `npm run mutate` (Stryker) runs against each
 * mutant of those modules, and the first part of `npm run test:fast`.
 */
export default defineConfig({
  test: { include: ['test/rules/**/*.test.ts'] },
});
