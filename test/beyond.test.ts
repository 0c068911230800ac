import { describe, expect, it } from 'vitest';
import type { StatusOutcome } from '../src/api/client.js';
import { parseExportRequest } from '../src/api/export-request.js';
import type { ExportStatus } from '../src/api/schema.js';
import { adaptiveInterval } from '../src/poll/adaptive.js';
import type { JobResult } from '../src/poll/job.js';
import { annotations, stepSummary } from '../src/render/github.js';
import { doneNotification } from '../src/render/notify.js';
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
    // Pending for the first 6 minutes; In Progress seen at the first poll after that
    const firstRunning = polls.find((p) => p >= 0.1 * HOUR) ?? 0;
    const next = polls[polls.indexOf(firstRunning) + 1] ?? 0;
    expect(next - firstRunning).toBe(2000);
  });

  it('a job that fails long before its estimate is still noticed within the current interval', async () => {
    const { result, endedAt } = await simulate({ intervalMs: 2000, adaptive: auto }, { scenario: 'failure' });
    expect(result.outcome).toBe('failed');
    const failedAt = 0.1 * HOUR + 0.9 * HOUR * 0.6;
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

describe('the export request', () => {
  it('accepts a documented body and keeps fields it does not know', () => {
    const body = {
      portalID: 'P1',
      language: { code: 'en-US' },
      resourceTypes: ['articles'],
      dataDestination: { type: 's3' },
      x: 1,
    };
    expect(parseExportRequest(body)).toEqual({ ok: true, value: body });
  });

  it('names every offending field', () => {
    const r = parseExportRequest({ portalID: '', language: 'en', resourceTypes: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        { path: 'portalID', message: 'expected a non-empty string, got ""' },
        { path: 'language', message: 'expected an object like {"code": "en-US"}, got "en"' },
        { path: 'resourceTypes', message: 'expected at least one resource type, got an array' },
      ]);
    }
    expect(parseExportRequest([1])).toEqual({
      ok: false,
      issues: [{ path: '(body)', message: 'expected a JSON object' }],
    });
  });
});

function result(over: Partial<JobResult>): JobResult {
  const status: ExportStatus = {
    status: 'Successful',
    progress: { processed: 4500, total: 4500 },
    startTime: '2026-01-01T10:00:00.000Z',
    completionTime: '2026-01-01T11:25:00.000Z',
    results: { successful: 4485, warnings: 10, errors: 5 },
  };
  return {
    job: { id: 'J1', url: '' },
    outcome: 'succeeded',
    exitCode: 0,
    status,
    raw: null,
    error: null,
    polls: 3,
    elapsedMs: 1000,
    ...over,
  };
}

describe('GitHub Actions', () => {
  it('a failed job gets an ::error:: annotation with the server’s error, escaped', () => {
    expect(
      annotations(result({ outcome: 'failed', exitCode: 1, error: 'Timeout: 50%\nafter 1,500 items' })),
    ).toEqual(['::error title=Export J1%3A failed::Timeout: 50%25 after 1,500 items']);
  });

  it('warnings and errors in a successful job get a ::warning::', () => {
    expect(annotations(result({}))).toEqual([
      '::warning title=Export J1::finished with 10 warnings and 5 errors',
    ]);
    const clean = result({});
    if (clean.status) clean.status.results = { successful: 10, warnings: 0, errors: 0 };
    expect(annotations(clean)).toEqual([]);
  });

  it('the step summary is a Markdown table', () => {
    expect(
      stepSummary([
        result({}),
        result({ job: { id: 'J|2', url: '' }, outcome: 'error', status: null, error: 'HTTP 404' }),
      ]),
    ).toBe(
      [
        '### Content exports',
        '',
        '| Job | Outcome | Duration | Items | Successful | Warnings | Errors |',
        '|---|---|---:|---:|---:|---:|---:|',
        '| J1 | succeeded | 1h 25m | 4500/4500 | 4485 | 10 | 5 |',
        '| J\\|2 | error: HTTP 404 | 1s |  |  |  |  |',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('done notification', () => {
  it('rings the bell and sends OSC 9 after a long watch', () => {
    expect(doneNotification([result({})], 61_000, 60_000)).toBe(
      '\u0007\u001b]9;export-status: export J1: succeeded\u0007',
    );
  });
  it('stays silent for a short watch, or when turned off', () => {
    expect(doneNotification([result({})], 59_000, 60_000)).toBeNull();
    expect(doneNotification([result({})], 600_000, undefined)).toBeNull();
  });
  it('cannot be used to smuggle escape sequences', () => {
    const text =
      doneNotification([result({ job: { id: 'J\u0007\u001b]9;evil', url: '' } })], 61_000, 0) ?? '';
    const inner = text.slice(5, -1);
    expect(inner).not.toContain('\u0007');
    expect(inner).not.toContain('\u001b');
  });
});

describe('GitHub Actions group titles', () => {
  it('say what the command does', async () => {
    const { groupStart } = await import('../src/render/github.js');
    expect(groupStart(1)).toBe('::group::Watching 1 export job');
    expect(groupStart(3, 'Fetching')).toBe('::group::Fetching 3 export jobs');
  });
});
