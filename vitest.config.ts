import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The library as users install it: the tests that import `src/library/index.js` run a second time with
 * that import resolved to the build (`dist/index.js`, made by `npm run build` before vitest runs).
 * A bug of the bundle (a dependency's interop, a lost file) then fails a test, not a user.
 */
const BUILT_LIBRARY = fileURLToPath(new URL('./dist/index.js', import.meta.url));
const LIBRARY_TESTS = [
  'test/library.test.ts',
  'test/surfaces.test.ts',
  'test/commands/credential-limits.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most of the time of the process tests is spent waiting on child processes, not on a core:
    // one more worker than this 2-core machine's default keeps both cores busy.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'src', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'built', include: LIBRARY_TESTS },
        resolve: { alias: [{ find: /^(\.\.\/)+src\/library\/index\.js$/, replacement: BUILT_LIBRARY }] },
      },
    ],
  },
});
