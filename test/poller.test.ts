import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { StatusOutcome } from '../src/api/client.js';
import type { ExportStatus } from '../src/api/schema.js';
import type { JobRef } from '../src/api/urls.js';
import { CLI_WORDING } from '../src/cli/words.js';
import { backoffDelay } from '../src/poll/backoff.js';
import { Limiter } from '../src/poll/limiter.js';
import { watchJob } from '../src/poll/poller.js';
import { drive, type RulesPatch, rules } from './support/drive.js';
import { seededRandom, VirtualClock } from './support/virtual-clock.js';

const job: JobRef = { id: 'JOB-1', url: 'https://api.example/content/export/JOB-1/status' };
const T0 = Date.parse('2026-01-01T00:00:00Z');

const status = (s: string, extra: Partial<ExportStatus> = {}): StatusOutcome => ({
  kind: 'status',
  status: { status: s, ...extra },
  raw: { status: s },
  warnings: [],
});
const running = (pct: number) =>
  status('In Progress', { progress: { processed: pct * 10, total: 1000, percentage: pct } });
const transient = (retryAfter?: string): StatusOutcome => ({
  kind: 'transient',
  reason: 'HTTP 503',
  retryAfter,
});

/** A scripted server: answers in order (the last one repeats), each after `latencyMs`, noting when each request came. */
function script(clock: VirtualClock, answers: StatusOutcome[], latencyMs = 0) {
  const calls: Array<{ at: number; timeoutMs: number }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch = async (_url: URL, signal: AbortSignal, timeoutMs: number): Promise<StatusOutcome> => {
    calls.push({ at: clock.now() - T0, timeoutMs });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (latencyMs > 0) await clock.sleep(latencyMs, signal);
    inFlight--;
    if (signal.aborted) return { kind: 'aborted' };
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (!answer) throw new Error('no answers scripted');
    return answer;
  };
  return { fetch, calls, maxInFlight: () => maxInFlight };
}

async function watch(
  answers: StatusOutcome[],
  settings: RulesPatch = {},
  opts: { latencyMs?: number; random?: () => number; abortAt?: number; reason?: string } = {},
) {
  const clock = new VirtualClock(T0);
  const server = script(clock, answers, opts.latencyMs);
  const controller = new AbortController();
  if (opts.abortAt !== undefined) {
    void clock.sleep(opts.abortAt).then(() => controller.abort(opts.reason ?? 'SIGINT'));
  }
  const { events, result } = await drive(clock, job, settings, {
    fetch: server.fetch,
    random: opts.random,
    signal: controller.signal,
  });
  return { result, events, polls: server.calls.map((c) => c.at), calls: server.calls };
}

describe('poller schedule', () => {
  it('polls at once, then every interval after the previous answer, and stops at a terminal status', async () => {
    const { result, polls, events } = await watch([
      status('Pending'),
      running(10),
      running(50),
      status('Successful'),
    ]);
    expect(polls).toEqual([0, 5000, 10_000, 15_000]);
    expect(result).toMatchObject({
      outcome: 'succeeded',
      exitCode: 0,
      polls: 4,
      elapsedMs: 15_000,
      error: null,
    });
    expect(events.map((e) => e.type)).toEqual(['poll', 'poll', 'poll', 'poll', 'result']);
  });

  it('counts the interval from the answer, so requests never overlap', async () => {
    const { polls } = await watch(
      [status('Pending'), status('Pending'), status('Successful')],
      {},
      { latencyMs: 1200 },
    );
    expect(polls).toEqual([0, 6200, 12_400]);
  });

  it('backs off exponentially with jitter on transient failures, then resumes the interval', async () => {
    const random = seededRandom(42);
    const expected = seededRandom(42);
    const delays = [1, 2, 3].map((n) => backoffDelay(n, expected));
    const { polls, events, result } = await watch(
      [transient(), transient(), transient(), running(20), status('Successful')],
      {},
      { random },
    );
    const d1 = delays[0] ?? 0;
    const d2 = delays[1] ?? 0;
    const d3 = delays[2] ?? 0;
    expect(polls).toEqual([0, d1, d1 + d2, d1 + d2 + d3, d1 + d2 + d3 + 5000]);
    for (const d of [d1, d2, d3]) expect(d).toBeGreaterThan(0);
    expect(d1).toBeGreaterThanOrEqual(500);
    expect(d2).toBeGreaterThanOrEqual(1000);
    expect(d3).toBeGreaterThanOrEqual(2000);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries.map((e) => (e.type === 'retry' ? [e.attempt, e.delayMs] : []))).toEqual([
      [1, d1],
      [2, d2],
      [3, d3],
    ]);
    expect(result.outcome).toBe('succeeded');
  });

  it('never retries sooner than Retry-After in seconds', async () => {
    const { polls } = await watch([transient('7'), status('Successful')], {}, { random: () => 0 });
    expect(polls).toEqual([0, 7000]);
  });

  it('never retries sooner than Retry-After as an HTTP-date', async () => {
    const date = new Date(T0 + 12_000).toUTCString();
    const { polls } = await watch([transient(date), status('Successful')], {}, { random: () => 0 });
    expect(polls).toEqual([0, 12_000]);
  });

  it('gives up with exit 4 after --max-retries consecutive failures', async () => {
    const { polls, result } = await watch([transient()], { maxRetries: 3 }, { random: () => 0 });
    expect(polls).toEqual([0, 500, 1500, 3500]);
    expect(result.outcome).toBe('error');
    expect(result.exitCode).toBe(4);
    expect(result.error).toContain('HTTP 503 (gave up after 4 attempts in a row; --max-retries 3)');
  });

  it('resets the failure count after a good answer', async () => {
    const answers = [transient(), transient(), running(1), transient(), transient(), status('Successful')];
    const { result } = await watch(answers, { maxRetries: 2 }, { random: () => 0 });
    expect(result.outcome).toBe('succeeded');
  });

  it('--timeout: makes one last poll at the deadline, then exits 3', async () => {
    const { polls, result } = await watch([running(10)], { timeoutMs: 12_000 });
    expect(polls).toEqual([0, 5000, 10_000, 12_000]);
    expect(result).toMatchObject({ outcome: 'timeout', exitCode: 3, elapsedMs: 12_000 });
    expect(result.error).toContain('not finished within 12s (--timeout); last status In Progress');
    expect(result.status?.status).toBe('In Progress');
  });

  it('--timeout: a job that finished just before the deadline is not reported as timed out', async () => {
    const { polls, result } = await watch([running(10), running(90), running(95), status('Successful')], {
      timeoutMs: 12_000,
    });
    expect(polls).toEqual([0, 5000, 10_000, 12_000]);
    expect(result.outcome).toBe('succeeded');
  });

  it('--timeout: caps each request so a hanging server cannot hold the watch far past the deadline', async () => {
    const { calls } = await watch([running(10)], { timeoutMs: 12_000 });
    expect(calls.map((c) => c.timeoutMs)).toEqual([14_000, 9000, 4000, 2000]);
  });

  it('--timeout: a Retry-After beyond the deadline is honoured, and the watch ends at the deadline', async () => {
    const { polls, result } = await watch([transient('60')], { timeoutMs: 10_000 });
    expect(polls).toEqual([0]);
    expect(result).toMatchObject({ outcome: 'timeout', elapsedMs: 10_000 });
  });

  it('--stall-timeout: gives up when neither status nor progress changes', async () => {
    const answers = [status('Pending'), running(10), running(20), running(20), running(20), running(20)];
    const { polls, result } = await watch(answers, { stallTimeoutMs: 12_000 });
    // last change at 10 s (20 %): deadline 22 s
    expect(polls).toEqual([0, 5000, 10_000, 15_000, 20_000, 22_000]);
    expect(result).toMatchObject({ outcome: 'stalled', exitCode: 6 });
    expect(result.error).toContain('no change in status or progress for 12s (--stall-timeout)');
  });

  it('--stall-timeout: moving progress keeps the watch alive', async () => {
    const answers = Array.from({ length: 10 }, (_, i) => running(i * 10)).concat([status('Successful')]);
    const { result } = await watch(answers, { stallTimeoutMs: 6000 });
    expect(result.outcome).toBe('succeeded');
    expect(result.polls).toBe(11);
  });
});

describe('poller outcomes', () => {
  it('a failed job exits 1 with the server’s error', async () => {
    const { result } = await watch([
      running(10),
      status('Failed', { error: 'Connection timeout after processing 1500 items.' }),
    ]);
    expect(result).toMatchObject({
      outcome: 'failed',
      exitCode: 1,
      error: 'Connection timeout after processing 1500 items.',
    });
  });

  it('a cancelled job is a failure', async () => {
    const { result } = await watch([status('Cancelled')]);
    expect(result).toMatchObject({ outcome: 'failed', exitCode: 1, error: 'the export was cancelled' });
  });

  it('an unknown status warns once and keeps polling', async () => {
    const { result, events } = await watch([
      status('Archiving'),
      status('Archiving'),
      status('Archiving'),
      status('Successful'),
    ]);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      verbose: false,
      message: 'unknown status "Archiving"; still watching',
    });
    expect(result.outcome).toBe('succeeded');
  });

  it('a final HTTP error exits 4 at once', async () => {
    const { polls, result } = await watch([
      { kind: 'final', httpStatus: 404, reason: 'HTTP 404: 404-101 not found' },
    ]);
    expect(polls).toEqual([0]);
    expect(result).toMatchObject({ outcome: 'error', exitCode: 4, error: 'HTTP 404: 404-101 not found' });
  });

  it('an invalid first answer exits 5 at once', async () => {
    const { result } = await watch([{ kind: 'invalid', reason: 'status: required, missing' }]);
    expect(result).toMatchObject({
      outcome: 'invalid',
      exitCode: 5,
      error: 'invalid response: status: required, missing',
      status: null,
    });
  });

  it('--fail-on errors turns a successful job with errors into exit 1', async () => {
    const done = status('Successful', { results: { successful: 10, warnings: 2, errors: 1 } });
    expect((await watch([done], { failOn: 'never' })).result.exitCode).toBe(0);
    expect((await watch([done], { failOn: 'errors' })).result).toMatchObject({
      outcome: 'failed',
      exitCode: 1,
      error: '1 error reported (--fail-on errors)',
    });
    const warnOnly = status('Successful', { results: { successful: 10, warnings: 2, errors: 0 } });
    expect((await watch([warnOnly], { failOn: 'errors' })).result.exitCode).toBe(0);
    expect((await watch([warnOnly], { failOn: 'warnings' })).result.error).toBe(
      '2 warnings reported (--fail-on warnings)',
    );
  });

  it('get (once): one status, no waiting', async () => {
    const { polls, result } = await watch([running(30)], { once: true });
    expect(polls).toEqual([0]);
    expect(result).toMatchObject({ outcome: 'running', exitCode: 0 });
  });

  it('get (once) still retries transient failures', async () => {
    const { polls, result } = await watch(
      [transient(), status('Failed')],
      { once: true },
      { random: () => 0 },
    );
    expect(polls).toEqual([0, 500]);
    expect(result.exitCode).toBe(1);
  });

  it('SIGINT during the wait ends with exit 130 and the last known status', async () => {
    const { result, polls } = await watch([running(40)], {}, { abortAt: 7000 });
    expect(polls).toEqual([0, 5000]);
    expect(result).toMatchObject({
      outcome: 'interrupted',
      exitCode: 130,
      elapsedMs: 7000,
      error: 'interrupted (SIGINT)',
    });
    expect(result.status?.progress?.percentage).toBe(40);
  });

  it('SIGTERM during a request ends with exit 143', async () => {
    const { result } = await watch([running(40)], {}, { abortAt: 5500, reason: 'SIGTERM', latencyMs: 1000 });
    expect(result).toMatchObject({ outcome: 'interrupted', exitCode: 143, error: 'interrupted (SIGTERM)' });
  });
});

describe('several jobs', () => {
  it('--concurrency bounds the requests in flight across jobs', async () => {
    const clock = new VirtualClock(T0);
    const server = script(clock, [running(10), status('Successful')], 1000);
    const limiter = new Limiter(2);
    const controller = new AbortController();
    const jobs = Array.from({ length: 6 }, (_, i) => ({
      id: `J${i}`,
      url: `https://api.example/content/export/J${i}/status`,
    }));
    const results = await clock.run(
      Promise.all(
        jobs.map((j) =>
          watchJob(
            j,
            rules(),
            {
              clock,
              random: () => 0.5,
              limiter,
              signal: controller.signal,
              fetch: server.fetch,
              words: CLI_WORDING,
            },
            () => {},
          ),
        ),
      ),
    );
    expect(server.maxInFlight()).toBe(2);
    expect(results.every((e) => e?.type === 'result')).toBe(true);
    // Six first polls of one second each, two at a time: the last starts at 2 s.
    expect(server.calls.slice(0, 6).map((c) => c.at)).toEqual([0, 0, 1000, 1000, 2000, 2000]);
  });

  it('--timeout holds with more jobs than --concurrency: a queued job past its deadline ends without a request', async () => {
    const clock = new VirtualClock(T0);
    const limiter = new Limiter(1);
    const requests: Array<{ at: number; timeoutMs: number }> = [];
    // A server that never answers: each request lasts until its time limit.
    const fetch = async (_url: URL, signal: AbortSignal, timeoutMs: number): Promise<StatusOutcome> => {
      requests.push({ at: clock.now() - T0, timeoutMs });
      await clock.sleep(timeoutMs, signal);
      return { kind: 'transient', reason: `no answer within ${timeoutMs} ms`, timeoutMs };
    };
    const jobs = Array.from({ length: 4 }, (_, i) => ({ id: `J${i}`, url: `https://api.example/J${i}` }));
    const ends = await clock.run(
      Promise.all(
        jobs.map(async (j) => {
          const signal = new AbortController().signal;
          const ctx = { clock, random: () => 0.5, limiter, signal, fetch, words: CLI_WORDING };
          const e = await watchJob(j, rules({ timeoutMs: 2000 }), ctx, () => {});
          return { at: e.at - T0, outcome: e.result.outcome };
        }),
      ),
    );
    // Every job ends by the deadline plus the final poll's grace (2 s), however long it queued.
    expect(ends.map((e) => e?.outcome)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    expect(Math.max(...ends.map((e) => e?.at ?? Infinity))).toBeLessThanOrEqual(4000);
    // The first request takes the whole budget (deadline + grace); the others never start.
    expect(requests).toEqual([{ at: 0, timeoutMs: 4000 }]);
  });

  it('a failure at the deadline announces no retry "in 0ms": the watch times out', async () => {
    const { events, result } = await watch([transient()], { timeoutMs: 3000 });
    expect(result.outcome).toBe('timeout');
    const retries = events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
    expect(retries.every((ms) => ms > 0)).toBe(true);
  });
});

describe('what counts as a poll', () => {
  it('a request that never left (no token could be had) is retried but not counted as a poll', async () => {
    const { result } = await watch([
      { kind: 'transient', reason: 'no token: the token endpoint answered HTTP 503', notSent: true },
      status('Successful'),
    ]);
    expect(result).toMatchObject({ outcome: 'succeeded', polls: 1 });
  });
});

describe('one bad answer in a long watch', () => {
  const html: StatusOutcome = { kind: 'invalid', reason: 'expected JSON, got text/html: "<html>"' };
  it('after a valid status, an answer that is not an ExportStatus is retried, and the watch goes on to succeed', async () => {
    const { result, events } = await watch([status('Pending'), html, status('Successful')]);
    expect(result).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(events.find((e) => e.type === 'retry')).toMatchObject({
      reason: expect.stringContaining('invalid response'),
    });
  });

  it('the first answer of a job stays final at once (a wrong URL, a sign-in page): exit 5', async () => {
    const { result } = await watch([html, status('Successful')]);
    expect(result).toMatchObject({ outcome: 'invalid', exitCode: 5 });
  });

  it('bad answers that persist past the retries end with exit 5', async () => {
    const { result } = await watch([status('Pending'), html], { maxRetries: 2 });
    expect(result).toMatchObject({
      outcome: 'invalid',
      exitCode: 5,
      error: expect.stringContaining('gave up after 3 attempts'),
    });
  });

  it('with --strict, a bad answer is final even after a valid one', async () => {
    const { result } = await watch([status('Pending'), { ...html, strict: true }, status('Successful')]);
    expect(result).toMatchObject({ outcome: 'invalid', exitCode: 5 });
  });
});

describe('a status nobody knows never ends a watch or a get with 0', () => {
  const pct = (s: string, percentage: number) => status(s, { progress: { percentage } });
  it.each([
    [
      '--until running on Queued',
      { until: { kind: 'running' } },
      [status('Queued'), status('Failed')],
      'failed',
    ],
    [
      '--until running on Error',
      { until: { kind: 'running' } },
      [status('Error'), status('Failed')],
      'failed',
    ],
    [
      '--until running on Failure',
      { until: { kind: 'running' } },
      [status('Failure'), status('Failed')],
      'failed',
    ],
    [
      '--until running on Failed with an invisible character',
      { until: { kind: 'running' } },
      [status('Fa\u200biled'), status('Failed')],
      'failed',
    ],
    [
      '--until 50% on Error at 80 %',
      { until: { kind: 'percent', percent: 50 } },
      [pct('Error', 80), status('Failed')],
      'failed',
    ],
    [
      '--until 50% on Pending at 100 %',
      { until: { kind: 'percent', percent: 50 } },
      [pct('Pending', 100), status('Failed')],
      'failed',
    ],
  ] as const)('%s: watched on, to the job’s real end', async (_, settings, answers, outcome) => {
    const { result, polls } = await watch([...answers], settings as RulesPatch);
    expect(result.outcome).toBe(outcome);
    expect(result.exitCode).not.toBe(0);
    expect(polls).toHaveLength(2);
  });

  it('--until running and 50% are reached by a known running status', async () => {
    const ran = await watch([status('Pending'), running(10)], { until: { kind: 'running' } });
    expect(ran.result).toMatchObject({ outcome: 'running', exitCode: 0, polls: 2 });
    const half = await watch([running(40), running(50)], { until: { kind: 'percent', percent: 50 } });
    expect(half.result).toMatchObject({ outcome: 'running', exitCode: 0, polls: 2 });
  });

  it('get of an unknown status: exit 5, saying the status is not one the API documents', async () => {
    const { result } = await watch([status('Error')], { once: true });
    expect(result).toMatchObject({ outcome: 'invalid', exitCode: 5 });
    expect(result.error).toContain('unknown status "Error"');
    const known = await watch([status('Pending')], { once: true });
    expect(known.result).toMatchObject({ outcome: 'running', exitCode: 0 });
  });
});

describe('many jobs on one run signal', () => {
  it('the run’s signal gets one listener however many jobs wait on it, and its abort reaches them all', async () => {
    const clock = new VirtualClock(T0);
    const controller = new AbortController();
    const limiter = new Limiter(64);
    const jobs = Array.from({ length: 5000 }, (_, i) => ({
      id: `J${i}`,
      url: `https://api.example/content/export/J${i}/status`,
    }));
    const ctx = {
      clock,
      random: () => 0.5,
      limiter,
      signal: controller.signal,
      fetch: async () => status('Pending'),
      words: CLI_WORDING,
    };
    const results = jobs.map((j) => watchJob(j, rules({}), ctx, () => {}));
    // every job has polled once and sleeps until its next poll
    await new Promise((resolve) => setImmediate(resolve));
    while (clock.pending < jobs.length) await new Promise((resolve) => setImmediate(resolve));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort('SIGTERM');
    const ends = await Promise.all(results);
    expect(ends.every((e) => e?.type === 'result' && e.result.exitCode === 143)).toBe(true);
  });
});
