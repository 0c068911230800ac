// Mutation testing of the rule modules (npm run mutate): each one-line change Stryker makes to
// them must make a test of test/rules/ fail. The score is the share of such changes caught; a
// survivor names a rule whose edge no test holds.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.rules.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/core/redact.ts',
    'src/core/sanitize.ts',
    'src/core/exit-codes.ts',
    'src/api/token.ts',
    'src/api/urls.ts',
    'src/api/rate-limit.ts',
    'src/rules/settings.ts',
    'src/rules/secrets.ts',
    'src/poll/outcome.ts',
    'src/poll/backoff.ts',
    'src/poll/eta.ts',
    'src/poll/pace.ts',
    'src/delivery/destination.ts',
    'src/delivery/known-hosts.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress'],
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  // Stryker rewrites the tsconfig's extends and references for its sandbox through TypeScript's
  // JavaScript API, which the native TypeScript 7 compiler does not have. This project's tsconfig
  // has neither, so Stryker is pointed at no tsconfig at all (vitest does not read it either).
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  cleanTempDir: 'always',
};
