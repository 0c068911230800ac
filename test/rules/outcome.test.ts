import { describe, expect, it } from 'vitest';
import type { ExportStatus } from '../../src/api/schema.js';
import { verdictOf } from '../../src/poll/outcome.js';
import type { FailOn } from '../../src/poll/rules.js';

// The one rule that turns a status into an outcome (watch, get, parse, the library, the action).

const job = (status: string, results?: ExportStatus['results'], error?: string): ExportStatus => ({
  status,
  ...(results ? { results } : {}),
  ...(error ? { error } : {}),
});

describe('verdictOf: the phase of the status', () => {
  it.each([
    ['Pending', 'running', false],
    ['In Progress', 'running', false],
    ['inprogress', 'running', false],
    ['Queued', 'running', false],
    ['Successful', 'succeeded', true],
    ['Completed', 'succeeded', true],
    ['Failed', 'failed', true],
    ['Cancelled', 'failed', true],
    ['aborted', 'failed', true],
  ] as const)('%s → %s (terminal: %s)', (status, outcome, terminal) => {
    const verdict = verdictOf(job(status), 'never', []);
    expect(verdict).toMatchObject({ outcome, terminal });
    if (outcome !== 'failed') expect(verdict.reason).toBeNull();
  });

  it('a failed job carries the server message; a cancelled one says it was cancelled', () => {
    expect(verdictOf(job('Failed', undefined, 'disk full'), 'never', []).reason).toEqual({
      kind: 'job-failed',
      message: 'disk full',
      cancelled: false,
    });
    expect(verdictOf(job('Canceled'), 'never', []).reason).toEqual({
      kind: 'job-failed',
      message: undefined,
      cancelled: true,
    });
  });

  it('a running job is never failed by its counts', () => {
    expect(verdictOf(job('In Progress', { errors: 5, warnings: 5 }), 'warnings', [])).toMatchObject({
      outcome: 'running',
      reason: null,
    });
    expect(verdictOf(job('In Progress'), 'warnings', ['results.errors']).outcome).toBe('running');
  });
});

describe('verdictOf: --fail-on on a successful job, at the boundaries', () => {
  const cases: [FailOn, ExportStatus['results'] | undefined, 'succeeded' | 'failed', string | null][] = [
    ['never', { errors: 9, warnings: 9 }, 'succeeded', null],
    ['errors', { errors: 0, warnings: 9 }, 'succeeded', null],
    ['errors', { errors: 1 }, 'failed', '1 error'],
    ['errors', { errors: 7, warnings: 3 }, 'failed', '7 error'],
    ['warnings', { errors: 0, warnings: 0 }, 'succeeded', null],
    ['warnings', { errors: 0, warnings: 1 }, 'failed', '1 warning'],
    ['warnings', { errors: 2, warnings: 1 }, 'failed', '2 error'],
    ['warnings', { successful: 10, errors: 0, warnings: 0 }, 'succeeded', null],
  ];
  it.each(cases)('failOn %s with %j → %s', (failOn, results, outcome, crossed) => {
    const verdict = verdictOf(job('Successful', results), failOn, []);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.terminal).toBe(true);
    if (crossed === null) expect(verdict.reason).toBeNull();
    else {
      const [count, what] = crossed.split(' ');
      expect(verdict.reason).toEqual({ kind: 'fail-on', failOn, count: Number(count), what });
    }
  });
});

describe('verdictOf: a count that could not be read never passes for zero', () => {
  const cases: [FailOn, string[], string | null][] = [
    ['errors', ['results.errors'], 'results.errors'],
    ['errors', ['results'], 'results'],
    ['errors', ['results.warnings'], null],
    ['errors', ['progress.total'], null],
    ['warnings', ['results.warnings'], 'results.warnings'],
    ['warnings', ['results.errors'], 'results.errors'],
    ['warnings', ['results'], 'results'],
    ['warnings', ['results.successful'], null],
    ['never', ['results.errors'], null],
    ['never', ['results'], null],
  ];
  it.each(cases)('failOn %s, %j unreadable → %s', (failOn, unreadable, path) => {
    const verdict = verdictOf(
      job('Successful', { successful: 3, errors: 0, warnings: 0 }),
      failOn,
      unreadable,
    );
    if (path === null) expect(verdict).toMatchObject({ outcome: 'succeeded', reason: null });
    else
      expect(verdict).toEqual({
        outcome: 'failed',
        terminal: true,
        reason: { kind: 'unreadable-count', failOn, path },
      });
  });

  it('a count that was read and crosses the threshold is the reason given, not the unreadable one', () => {
    expect(verdictOf(job('Successful', { errors: 2 }), 'warnings', ['results.warnings']).reason).toEqual({
      kind: 'fail-on',
      failOn: 'warnings',
      count: 2,
      what: 'error',
    });
  });

  it.each([
    ['errors', undefined, 'results.errors'],
    ['errors', { successful: 3 }, 'results.errors'],
    ['errors', { warnings: 2 }, 'results.errors'],
    ['warnings', { errors: 0 }, 'results.warnings'],
    ['warnings', { warnings: 0 }, 'results.errors'],
    ['warnings', undefined, 'results.errors'],
  ] as const)('failOn %s with results %j: %s was not sent, so it cannot tell', (failOn, results, path) => {
    expect(verdictOf(job('Successful', results), failOn, [])).toEqual({
      outcome: 'failed',
      terminal: true,
      reason: { kind: 'unreadable-count', failOn, path, missing: true },
    });
  });

  it('a count that was not sent does not matter to failOn never, nor when another count crosses', () => {
    expect(verdictOf(job('Successful'), 'never', []).outcome).toBe('succeeded');
    expect(verdictOf(job('Successful', { errors: 1 }), 'warnings', []).reason).toMatchObject({
      kind: 'fail-on',
    });
    // one that could not be read is said first: it is what the server got wrong
    expect(verdictOf(job('Successful'), 'errors', ['results'])?.reason).toEqual({
      kind: 'unreadable-count',
      failOn: 'errors',
      path: 'results',
    });
  });

  it('an unreadable count does not fail a job that failed anyway, or one still running', () => {
    expect(verdictOf(job('Failed'), 'errors', ['results.errors']).reason?.kind).toBe('job-failed');
    expect(verdictOf(job('Pending'), 'errors', ['results']).outcome).toBe('running');
  });
});
