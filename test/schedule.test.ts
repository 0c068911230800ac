import { describe, expect, it } from 'vitest';
import type { StatusOutcome } from '../src/api/client.js';
import { adaptiveInterval } from '../src/poll/adaptive.js';
import { type SimJob, statusAt } from '../src/sim/scenarios.js';
import { drive, type RulesPatch } from './support/drive.js';
import { VirtualClock } from './support/virtual-clock.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const job = { id: 'J1', url: 'https://api.example/content/export/J1/status' };
const auto = { minMs: 2000, maxMs: 60_000 };

/** Watches a simulated job on the fake clock: the server is the simulator's own timeline. */
async function simulate(
  settings: RulesPatch,
  sim: Partial<SimJob> = {},
  answerAt?: (at: number) => StatusOutcome,
) {
  const clock = new VirtualClock(T0);
  const simJob: SimJob = {
    id: 'J1',
    scenario: 'success',
    createdAt: T0,
    durationMs: HOUR,
    total: 4500,
    requests: 0,
    ...sim,
  };
  const polls: number[] = [];
  const fetch = async (): Promise<StatusOutcome> => {
    polls.push(clock.now() - T0);
    if (answerAt) return answerAt(clock.now() - T0);
    const status = statusAt(simJob, clock.now());
    return { kind: 'status', status, raw: { ...status }, warnings: [] };
  };
  const { events, result } = await drive(clock, job, settings, { fetch });
  return { polls, events, result, endedAt: clock.now() - T0 };
}

describe('adaptiveInterval', () => {
  const at = (previousMs: number | undefined, statusChanged: boolean, remainingMs: number | undefined) =>
    adaptiveInterval({ previousMs, statusChanged, remainingMs }, auto);

  it('polls at the minimum first, after a status change, and near the end', () => {
    expect(at(undefined, false, HOUR)).toBe(2000);
    expect(at(60_000, true, HOUR)).toBe(2000);
    expect(at(60_000, false, 10_000)).toBe(2000);
  });

  it('backs off with the time that remains, up to the maximum', () => {
    expect(at(2000, false, 5 * 60_000)).toBe(30_000);
    expect(at(2000, false, HOUR)).toBe(60_000);
  });

  it('an overdue job is polled often near its estimate, less when long overdue', () => {
    expect(at(2000, false, -5000)).toBe(2000);
    expect(at(2000, false, -5 * 60_000)).toBe(30_000);
  });

  it('with no estimate, each quiet answer stretches the interval by half', () => {
    expect(at(2000, false, undefined)).toBe(3000);
    expect(at(50_000, false, undefined)).toBe(60_000);
  });
});

describe('--interval auto on a simulated 1-hour job', () => {
  it('costs a fraction of the requests of a fixed 5 s interval and notices the end within the minimum', async () => {
    const fixed = await simulate({});
    const adaptive = await simulate({ intervalMs: 2000, adaptive: auto });
    expect(fixed.result.outcome).toBe('succeeded');
    expect(adaptive.result.outcome).toBe('succeeded');
    expect(fixed.polls.length).toBeGreaterThan(700);
    expect(adaptive.polls.length).toBeLessThan(fixed.polls.length / 4);
    // the server says Successful from the 1-hour mark: the watch ends within the minimum interval
    expect(adaptive.endedAt - HOUR).toBeLessThanOrEqual(2000);
    expect(adaptive.endedAt).toBeGreaterThanOrEqual(HOUR);
    // never more than the maximum between two polls
    const gaps = adaptive.polls.slice(1).map((p, i) => p - (adaptive.polls[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(2000);
  });

  it('a pessimistic estimate does not make it late: the observed rate says the end is near', async () => {
    const late = (r: StatusOutcome): StatusOutcome =>
      r.kind === 'status' && r.status.estimatedCompletion
        ? { ...r, status: { ...r.status, estimatedCompletion: new Date(T0 + 1.3 * HOUR).toISOString() } }
        : r;
    const clockless = (at: number): StatusOutcome => {
      const status = statusAt(
        { id: 'J1', scenario: 'success', createdAt: T0, durationMs: HOUR, total: 4500, requests: 0 },
        T0 + at,
      );
      return late({ kind: 'status', status, raw: {}, warnings: [] });
    };
    const { endedAt, polls } = await simulate({ intervalMs: 2000, adaptive: auto }, {}, clockless);
    expect(endedAt - HOUR).toBeLessThanOrEqual(2000);
    expect(polls.length).toBeLessThan(150);
  });

  it('polls at the minimum right after the status changes from Pending', async () => {
    const { polls } = await simulate({ intervalMs: 2000, adaptive: auto });
    // Pending for the first 30 s (a tenth of the job, at most 30 s); In Progress seen at the first poll after that
    const firstRunning = polls.find((p) => p >= 30_000) ?? 0;
    const next = polls[polls.indexOf(firstRunning) + 1] ?? 0;
    expect(next - firstRunning).toBe(2000);
  });

  it('a job that fails long before its estimate is still noticed within the current interval', async () => {
    const { result, endedAt } = await simulate({ intervalMs: 2000, adaptive: auto }, { scenario: 'failure' });
    expect(result.outcome).toBe('failed');
    const failedAt = 30_000 + (HOUR - 30_000) * 0.6;
    expect(endedAt - failedAt).toBeLessThanOrEqual(60_000);
  });
});

describe('--wait-for-create', () => {
  const notFound: StatusOutcome = { kind: 'final', httpStatus: 404, reason: 'HTTP 404: 404-101 not found' };
  const pending: StatusOutcome = { kind: 'status', status: { status: 'Successful' }, raw: {}, warnings: [] };

  it('treats 404 as not yet, re-polls at the interval without counting retries, then watches', async () => {
    const { polls, result, events } = await simulate({ waitForCreateMs: 30_000, maxRetries: 0 }, {}, (at) =>
      at < 12_000 ? notFound : pending,
    );
    expect(polls).toEqual([0, 5000, 10_000, 15_000]);
    expect(result.outcome).toBe('succeeded');
    expect(events.filter((e) => e.type === 'waiting')).toHaveLength(3);
    expect(events.some((e) => e.type === 'retry')).toBe(false);
  });

  it('makes one last poll when the grace ends; after it a 404 is final (exit 4)', async () => {
    const { polls, result } = await simulate({ waitForCreateMs: 12_000 }, {}, () => notFound);
    expect(polls).toEqual([0, 5000, 10_000, 12_000]);
    expect(result).toMatchObject({ outcome: 'error', exitCode: 4, error: 'HTTP 404: 404-101 not found' });
  });

  it('without it, a 404 is final at once', async () => {
    const { polls, result } = await simulate({}, {}, () => notFound);
    expect(polls).toEqual([0]);
    expect(result.exitCode).toBe(4);
  });
});
