import { describe, expect, it } from 'vitest';
import { combineExitCodes, ExitCode, exitCodeFor, type Outcome } from '../../src/core/exit-codes.js';

// The exit code of each outcome, and of several jobs together.

describe('exitCodeFor', () => {
  it.each([
    ['succeeded', 0],
    ['running', 0],
    ['failed', 1],
    ['timeout', 3],
    ['error', 4],
    ['invalid', 5],
    ['stalled', 6],
    ['interrupted', 130],
  ] as [Outcome, number][])('%s → %d', (outcome, code) => {
    expect(exitCodeFor(outcome)).toBe(code);
  });

  it.each([
    ['SIGHUP', 129],
    ['SIGINT', 130],
    ['SIGQUIT', 131],
    ['SIGUSR2', 140],
    ['SIGTERM', 143],
  ] as const)('an interruption by %s is %d', (signal, code) => {
    expect(exitCodeFor('interrupted', signal)).toBe(code);
  });

  it('an interruption for another reason is 130; other outcomes ignore the signal', () => {
    expect(exitCodeFor('interrupted')).toBe(130);
    expect(exitCodeFor('interrupted', 'fail-fast' as 'SIGINT')).toBe(130);
    expect(exitCodeFor('interrupted', 'toString' as 'SIGINT')).toBe(130);
    expect(exitCodeFor('failed', 'SIGTERM')).toBe(1);
  });

  it('the codes a pipeline branches on', () => {
    expect(ExitCode).toMatchObject({
      ok: 0,
      failed: 1,
      usage: 2,
      timeout: 3,
      unavailable: 4,
      invalid: 5,
      stalled: 6,
    });
    expect(ExitCode).toMatchObject({ internal: 70, output: 74, brokenPipe: 141, sigint: 130, sigterm: 143 });
  });
});

describe('combineExitCodes: the highest code wins, an interruption always', () => {
  it.each([
    [[], 0],
    [[0], 0],
    [[0, 0, 0], 0],
    [[0, 1], 1],
    [[1, 0], 1],
    [[3, 4, 1], 4],
    [[6, 5], 6],
    [[74, 4], 74],
    [[0, 130], 130],
    [[143, 0], 143],
    [[130, 143], 143],
    [[143, 130], 143],
    [[141, 130], 130],
    [[141, 4], 141],
    [[129, 4], 129],
    [[1, 131, 129], 131],
    [[140, 143], 143],
    [[140, 130], 140],
  ])('%j → %d', (codes, code) => {
    expect(combineExitCodes(codes)).toBe(code);
  });
});
