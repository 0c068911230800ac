import { describe, expect, it } from 'vitest';
import type { ExportStatus } from '../src/api/schema.js';
import type { JobRef } from '../src/api/urls.js';
import { makeChalk } from '../src/io/color.js';
import { makeFormatters } from '../src/render/format.js';
import { jobLine } from '../src/render/job-line.js';
import { JobState } from '../src/render/job-state.js';
import { HEARTBEAT_MS, PlainProgress } from '../src/render/plain.js';
import { BufferSink } from './support/cli.js';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const job: JobRef = {
  id: '7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B',
  url: 'https://x/content/export/7A84B875/status',
};
const format = makeFormatters({ utc: true });
const running = (pct: number, extra: Partial<ExportStatus> = {}): ExportStatus => ({
  status: 'In Progress',
  progress: { processed: pct * 45, total: 4500, percentage: pct },
  ...extra,
});

function plain() {
  const err = new BufferSink();
  const progress = new PlainProgress(err, new BufferSink(), format);
  progress.start([job], T0);
  const poll = (sec: number, status: ExportStatus, changed = true) =>
    progress.event({ type: 'poll', job, at: T0 + sec * 1000, status, changed, eta: undefined });
  return { err, progress, poll, lines: () => err.text.trim().split('\n') };
}

describe('plain progress (CI logs)', () => {
  it('prints a line on each status change and at most one per 10 points of progress', () => {
    const p = plain();
    p.poll(0, { status: 'Pending' });
    p.poll(5, running(1));
    p.poll(10, running(4));
    p.poll(15, running(9));
    p.poll(20, running(12));
    p.poll(25, running(19));
    p.poll(30, running(35));
    p.poll(35, { status: 'Successful', progress: { processed: 4500, total: 4500, percentage: 100 } });
    expect(p.lines()).toEqual([
      '2026-01-01T10:00:00Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B Pending',
      '2026-01-01T10:00:05Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B In Progress 45/4,500 (1%)',
      '2026-01-01T10:00:20Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B In Progress 540/4,500 (12%)',
      '2026-01-01T10:00:30Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B In Progress 1,575/4,500 (35%)',
      '2026-01-01T10:00:35Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B Successful 4,500/4,500 (100%)',
    ]);
  });

  it('slow progress still gets a line once a minute, but only when something changed', () => {
    const p = plain();
    p.poll(0, running(1));
    p.poll(30, running(2));
    p.poll(61, running(3));
    p.poll(100, running(3), false);
    p.poll(130, running(3), false);
    expect(p.lines()).toEqual([
      '2026-01-01T10:00:00Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B In Progress 45/4,500 (1%)',
      '2026-01-01T10:01:01Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B In Progress 135/4,500 (3%)',
    ]);
  });

  it('says it is still watching after 5 silent minutes, so CI does not kill a quiet job', () => {
    const p = plain();
    p.poll(0, running(42));
    p.progress.tick(T0 + HEARTBEAT_MS - 1000);
    expect(p.lines()).toHaveLength(1);
    p.progress.tick(T0 + HEARTBEAT_MS);
    expect(p.lines()[1]).toBe(
      '2026-01-01T10:05:00Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B still watching: In Progress 1,890/4,500 (42%) (no progress for 5m 00s)',
    );
    p.progress.tick(T0 + HEARTBEAT_MS + 60_000);
    expect(p.lines()).toHaveLength(2);
  });

  it('logs retries with their delay and reason', () => {
    const p = plain();
    p.progress.event({ type: 'retry', job, at: T0, reason: 'HTTP 503: busy', delayMs: 1500, attempt: 2 });
    expect(p.lines()).toEqual([
      '2026-01-01T10:00:00Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B retry 2 in 1s: HTTP 503: busy',
    ]);
  });

  it('strips escape sequences from server text', () => {
    const p = plain();
    p.poll(0, { status: 'Pen\u001b[2Jding' });
    p.poll(1, { status: 'Archiving\u001b]0;title\u0007\r' });
    expect(p.err.text).not.toContain('\u001b');
    expect(p.err.text).not.toContain('\u0007');
    expect(p.err.text).not.toContain('\r');
    expect(p.lines()).toEqual([
      '2026-01-01T10:00:00Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B Pending',
      '2026-01-01T10:00:01Z 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B Archiving',
    ]);
  });
});

describe('the live line', () => {
  const style = { color: makeChalk(false), format, unicode: true };

  it('shows short ID, status, bar, counts, ETA and elapsed', () => {
    const state = new JobState(job, T0, '7A84B875');
    state.apply({
      type: 'poll',
      job,
      at: T0 + 60_000,
      status: running(50, { estimatedCompletion: '2026-01-01T10:12:00.000Z' }),
      changed: true,
      eta: { at: Date.parse('2026-01-01T10:12:00.000Z'), source: 'server' },
    });
    expect(jobLine(state, T0 + 120_000, style)).toBe(
      '7A84B875  In Progress  ██████████░░░░░░░░░░  2,250/4,500 (50%)  ETA 10:12 (10m 00s)  2m 00s',
    );
  });

  it('shows a pending retry and its countdown', () => {
    const state = new JobState(job, T0, '7A84B875');
    state.apply({ type: 'retry', job, at: T0, reason: 'HTTP 503', delayMs: 4000, attempt: 1 });
    expect(jobLine(state, T0 + 1000, style)).toBe(
      '7A84B875  waiting for the first answer  HTTP 503, retry in 3s  1s',
    );
  });

  it('falls back to ASCII bars where Unicode is unsupported', () => {
    const state = new JobState(job, T0, '7A84B875');
    state.apply({ type: 'poll', job, at: T0, status: running(25), changed: true, eta: undefined });
    expect(jobLine(state, T0, { ...style, unicode: false })).toContain('#####---------------');
  });

  const poll = (state: JobState, at: number, pct: number, etaAt?: number) =>
    state.apply({
      type: 'poll',
      job,
      at,
      status: running(pct),
      changed: true,
      eta: etaAt === undefined ? undefined : { at: etaAt, source: 'server' },
    });

  /** `n` answers a second apart from `from`, none of them a change. */
  const still = (state: JobState, from: number, pct: number, n: number, estimate?: number) => {
    const extra = estimate === undefined ? {} : { estimatedCompletion: new Date(estimate).toISOString() };
    for (let i = 1; i <= n; i++)
      state.apply({
        type: 'poll',
        job,
        at: from + i * 1000,
        status: running(pct, extra),
        changed: false,
        eta: undefined,
      });
  };

  it('a moving job whose server estimate has passed shows no "overdue" (a stale estimate is no news)', () => {
    const moving = new JobState(job, T0, '7A84B875');
    poll(moving, T0, 40, T0 - 447 * 86_400_000);
    poll(moving, T0 + 30_000, 58, T0 - 447 * 86_400_000);
    const line = jobLine(moving, T0 + 31_000, style);
    expect(line).not.toContain('overdue');
    expect(line).not.toContain('no progress');
  });

  it('an estimate days away shows its date', () => {
    const far = new JobState(job, T0, '7A84B875');
    poll(far, T0, 1, T0 + 8 * 86_400_000 + 7 * 3_600_000);
    expect(jobLine(far, T0, style)).toContain('ETA 2026-01-09 17:00 (8d 7h)');
  });

  it('a job that stops says so after three answers without change, and how overdue it is', () => {
    const stuck = new JobState(job, T0, '7A84B875');
    poll(stuck, T0, 42, T0 + 60_000);
    still(stuck, T0, 42, 2, T0 + 60_000);
    expect(jobLine(stuck, T0 + 2000, style)).not.toContain('no progress');
    still(stuck, T0 + 2000, 42, 1, T0 + 60_000);
    expect(jobLine(stuck, T0 + 3000, style)).toContain('no progress for 3s');
    const late = jobLine(stuck, T0 + 10 * 60_000, style);
    expect(late).toContain('no progress for 10m 00s');
    expect(late).toContain('overdue by 9m 00s');
    expect(late).not.toContain('ETA');
  });

  it('at 80 columns a stopped job keeps "no progress for" and drops the hints first', () => {
    const stuck = new JobState(job, T0, '7A84B875-1C2D-4E5F-8A9B');
    poll(stuck, T0, 42, T0 + 60_000);
    still(stuck, T0, 42, 5);
    const line = jobLine(stuck, T0 + 9 * 60_000 + 13_000, style, 78);
    expect(line).toContain('no progress for 9m 13s');
    expect(line).not.toContain('…');
    expect(line).not.toContain('overdue');
  });

  it('a final frame shows no ETA', () => {
    const done = new JobState(job, T0, '7A84B875');
    poll(done, T0, 99, T0 + 1000);
    done.apply({
      type: 'poll',
      job,
      at: T0 + 5000,
      status: { status: 'Successful', progress: { processed: 4500, total: 4500, percentage: 100 } },
      changed: true,
      eta: { at: T0 + 1000, source: 'server' },
    });
    expect(jobLine(done, T0 + 5000, style)).not.toMatch(/ETA|overdue/);
  });

  it('at 80 columns a long export keeps a bar (shrunk) with its counts', () => {
    const state = new JobState(job, T0, '7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B');
    poll(state, T0, 40, T0 + 3 * 3_600_000);
    const line = jobLine(state, T0 + 1000, style, 78);
    expect(line).toMatch(/█{3}░{5}/);
    expect(line).toContain('40%');
  });

  it("a retry shows how long until the next try, with the job's percentage, at 80 columns", () => {
    const state = new JobState(job, T0, '7A84B875-1C2D-4E5F-8A9B');
    poll(state, T0, 40, T0 + 600_000);
    state.apply({
      type: 'retry',
      job,
      at: T0 + 1000,
      reason: 'HTTP 503: Service Unavailable',
      delayMs: 2000,
      attempt: 1,
    });
    const line = jobLine(state, T0 + 1000, style, 78);
    expect(line).toContain('HTTP 503, retry in 2s');
    expect(line).toContain('40%');
    state.apply({
      type: 'retry',
      job,
      at: T0 + 3000,
      reason: 'HTTP 503: Service Unavailable',
      delayMs: 4000,
      attempt: 2,
    });
    expect(jobLine(state, T0 + 3000, style, 78)).toContain('HTTP 503 ×2, retry in 4s');
  });

  it('at 40 columns the line keeps the percentage; a retry note gives way before the progress does', () => {
    const state = new JobState(job, T0, '7A84B875');
    poll(state, T0, 50, T0 + 600_000);
    const narrow = jobLine(state, T0 + 1000, style, 40);
    expect(narrow).toContain('50%');
    expect(narrow.length).toBeLessThanOrEqual(40);
    state.apply({
      type: 'retry',
      job,
      at: T0 + 1000,
      reason: 'HTTP 503: a very long reason from a proxy',
      delayMs: 4000,
      attempt: 1,
    });
    const withRetry = jobLine(state, T0 + 1000, style, 80);
    expect(withRetry).toContain('2,250/4,500 (50%)');
  });
});
