import type { StatusOutcome } from '../api/client.js';
import {
  type ExportStatus,
  percentOf,
  phaseOf,
  progressDisagreement,
  SCHEMA_STATUSES,
} from '../api/schema.js';
import type { JobRef } from '../api/urls.js';
import { onAbort } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { exitCodeFor, type InterruptSignal, type Outcome } from '../core/exit-codes.js';
import { adaptiveInterval } from './adaptive.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { type Eta, EtaTracker } from './eta.js';
import type { JobResult } from './job.js';
import type { Limiter } from './limiter.js';
import { verdictOf } from './outcome.js';
import type { EndReason, Wording } from './reasons.js';
import type { Schedule, Until, WatchRules } from './rules.js';

/**
 * What the poller needs from the world: time, randomness, HTTP, a shared limit, the user's
 * interrupt, and the words of the front end that runs it.
 */
export interface PollerContext {
  clock: Clock;
  random: () => number;
  fetch: (url: URL, signal: AbortSignal, timeoutMs: number) => Promise<StatusOutcome>;
  limiter: Limiter;
  /** Aborted on SIGINT/SIGTERM, with the signal's name as the reason. */
  signal: AbortSignal;
  words: Wording;
}

export type ResultEvent = { type: 'result'; job: JobRef; at: number; result: JobResult };

export type PollEvent =
  /** `eta`: when the job should finish, from the server's estimate or the rate seen so far. */
  | { type: 'poll'; job: JobRef; at: number; status: ExportStatus; changed: boolean; eta: Eta | undefined }
  | { type: 'retry'; job: JobRef; at: number; reason: string; delayMs: number; attempt: number }
  /** --wait-for-create: a 404 while the grace lasts; polled again in `delayMs`. */
  | { type: 'waiting'; job: JobRef; at: number; reason: string; delayMs: number; until: number }
  /** `verbose`: only worth showing with --verbose; a dropped field or an unknown status is always shown. */
  | { type: 'warning'; job: JobRef; at: number; message: string; verbose: boolean }
  | ResultEvent;

/** What a watch says while it goes on: every event but its result. */
export type JobEvent = Exclude<PollEvent, ResultEvent>;

/**
 * When a deadline (--timeout, --stall-timeout) is near, a request may still take this long past
 * it, so the last poll at the deadline has a chance to be answered. This is the most any watch
 * runs past its deadline, queued behind --concurrency or not: a job whose turn comes later ends
 * without a request.
 */
const FINAL_POLL_GRACE_MS = 2_000;

/** After an answer: end the watch, or ask again in `delayMs` (never before `notBeforeMs`). */
type Next = ResultEvent | { delayMs: number; notBeforeMs: number };

/**
 * Watches one job: calls `onEvent` with each event as it happens and resolves to the `result`
 * (which `onEvent` is not given). No output, no globals: time, randomness and HTTP come from
 * `ctx`. The first poll is immediate; the next starts `intervalMs` after the previous answer;
 * there is never more than one request in flight. Rejects only when `onEvent` or `ctx.fetch`
 * throws (a bug, not anything a server does).
 */
export function watchJob(
  job: JobRef,
  rules: WatchRules,
  ctx: PollerContext,
  onEvent: (event: JobEvent) => void,
): Promise<ResultEvent> {
  return new Promise<ResultEvent>((resolve, reject) => {
    new JobRun(job, rules, ctx, onEvent, resolve, reject).poll();
  });
}

/**
 * Drives one JobWatch: poll, answer, sleep, poll again, with callbacks made once per job rather
 * than promises and closures at every poll (a watch of a thousand jobs makes a thousand polls a
 * second, and what each allocates is the garbage collector's work).
 */
class JobRun {
  private readonly watch: JobWatch;
  /** The job's own signal: aborted with the run's, heard by each of its requests. */
  private readonly own = new AbortController();
  private readonly stopForwarding: () => void;
  /** While the job sleeps: what cancels the sleep. */
  private cancelSleep: (() => void) | undefined;
  private ended = false;

  constructor(
    job: JobRef,
    rules: WatchRules,
    private readonly ctx: PollerContext,
    private readonly onEvent: (event: JobEvent) => void,
    private readonly resolve: (event: ResultEvent) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.watch = new JobWatch(job, rules, { ...ctx, signal: this.own.signal });
    // The job listens to the run's signal once (through a Set shared by every job: linear in
    // their number). An AbortSignal's listeners are a list searched on every add and remove: a
    // thousand jobs adding and removing theirs at every poll cost a fifth of the CPU.
    this.stopForwarding = onAbort(ctx.signal, this.interrupt);
  }

  /** One poll, when --concurrency lets it go. */
  readonly poll = (): void => {
    this.cancelSleep = undefined;
    if (this.own.signal.aborted) {
      this.finish(this.watch.interrupted());
      return;
    }
    const wait = this.ctx.limiter.acquire();
    if (wait) wait.then(this.send, this.fail);
    else this.send();
  };

  /**
   * The request, its slot taken. The time left is read once the slot is free: waiting for one
   * must not stretch the deadline, and a job whose turn comes after it ends without a request.
   */
  private readonly send = (): void => {
    const { ctx, watch } = this;
    const leftMs = watch.deadline() + FINAL_POLL_GRACE_MS - ctx.clock.monotonic();
    if (this.own.signal.aborted || leftMs <= 0) {
      ctx.limiter.release();
      this.finish(this.own.signal.aborted ? watch.interrupted() : watch.timedOut());
      return;
    }
    try {
      const timeoutMs = Math.min(watch.requestTimeoutMs, leftMs);
      ctx.fetch(watch.url, this.own.signal, timeoutMs).then(this.answered, this.failedRequest);
    } catch (err) {
      this.failedRequest(err);
    }
  };

  private readonly answered = (outcome: StatusOutcome): void => {
    const { ctx, watch } = this;
    ctx.limiter.release();
    if (this.ended) return;
    try {
      if (outcome.kind === 'aborted' || this.own.signal.aborted) {
        this.finish(watch.interrupted());
        return;
      }
      // The decisions are synchronous and collect their events, given out in order.
      const events: JobEvent[] = [];
      const next = watch.answer(outcome, ctx.clock.now(), ctx.clock.monotonic(), events);
      for (const event of events) this.onEvent(event);
      if ('type' in next) this.finish(next);
      else this.sleepUntilNext(next);
    } catch (err) {
      this.fail(err);
    }
  };

  private readonly failedRequest = (err: unknown): void => {
    this.ctx.limiter.release();
    this.fail(err);
  };

  /**
   * Sleeps until the next poll is due. When a deadline comes first, the next poll is made at the
   * deadline (so a job that just finished is not called timed out), unless the server asked us
   * not to come back before it: then the watch times out.
   */
  private sleepUntilNext(next: { delayMs: number; notBeforeMs: number }): void {
    const { clock } = this.ctx;
    const { watch } = this;
    watch.previousDelayMs = next.delayMs;
    const now = clock.monotonic();
    const limit = watch.deadline();
    if (now >= limit) {
      this.finish(watch.timedOut());
      return;
    }
    if (now + next.delayMs <= limit) {
      this.cancelSleep = clock.after(next.delayMs, this.poll);
      return;
    }
    const tooSoon = now + next.notBeforeMs > limit;
    this.cancelSleep = clock.after(limit - now, () => {
      if (tooSoon) this.finish(watch.timedOut());
      else this.poll();
    });
  }

  /** The run's signal aborted: a request under way ends with it; a sleep ends here. */
  private readonly interrupt = (): void => {
    this.own.abort(this.ctx.signal.reason);
    const cancel = this.cancelSleep;
    if (!cancel) return;
    this.cancelSleep = undefined;
    cancel();
    this.finish(this.watch.interrupted());
  };

  private finish(event: ResultEvent): void {
    if (this.ended) return;
    this.ended = true;
    this.stopForwarding();
    this.resolve(event);
  }

  private readonly fail = (err: unknown): void => {
    if (this.ended) return;
    this.ended = true;
    this.cancelSleep?.();
    this.stopForwarding();
    this.reject(err);
  };
}

/** The state of one job's watch, and the decisions taken after each answer. */
class JobWatch {
  readonly url: URL;
  private readonly startedAt: number;
  private readonly schedule: Schedule | undefined;
  private readonly hardDeadline: number;
  /** --deadline comes before --timeout: a timeout is said as the deadline's. */
  private readonly deadlineFirst: boolean;
  private readonly createDeadline: number | undefined;
  private lastChangeAt: number;
  /** When the last answer came, on the monotonic clock. */
  private answeredAt: number;
  private fingerprint = '';
  private last: { status: ExportStatus; raw: Record<string, unknown> } | null = null;
  private polls = 0;
  private failures = 0;
  /** The delay before this poll (--interval auto starts from it). */
  previousDelayMs: number | undefined;
  private readonly warned = new Set<string>();
  private readonly eta = new EtaTracker();

  constructor(
    private readonly job: JobRef,
    private readonly rules: WatchRules,
    private readonly ctx: PollerContext,
  ) {
    this.url = new URL(job.url);
    this.startedAt = ctx.clock.monotonic();
    this.lastChangeAt = this.startedAt;
    this.answeredAt = this.startedAt;
    this.schedule = rules.once ? undefined : rules;
    const timeoutMs = this.schedule?.timeoutMs;
    const deadlineAt = this.schedule?.deadlineAt;
    const byTimeout =
      timeoutMs === undefined
        ? Number.POSITIVE_INFINITY
        : this.startedAt + Math.max(1, timeoutMs - (this.schedule?.spentMs ?? 0));
    // The wall-clock deadline, on the monotonic clock from here on.
    const byDeadline =
      deadlineAt === undefined
        ? Number.POSITIVE_INFINITY
        : this.startedAt + Math.max(1, deadlineAt - ctx.clock.now());
    this.hardDeadline = Math.min(byTimeout, byDeadline);
    this.deadlineFirst = byDeadline < byTimeout;
    const graceMs = this.schedule?.waitForCreateMs;
    this.createDeadline = graceMs === undefined ? undefined : this.startedAt + graceMs;
  }

  get requestTimeoutMs(): number {
    return this.rules.requestTimeoutMs;
  }

  /** The nearer of --timeout and --stall-timeout on the monotonic clock (infinite when neither applies). */
  deadline(): number {
    const stallMs = this.schedule?.stallTimeoutMs;
    return Math.min(
      this.hardDeadline,
      stallMs === undefined ? Number.POSITIVE_INFINITY : this.lastChangeAt + stallMs,
    );
  }

  /**
   * `at`: when the answer came, on the wall clock (for events); `mono`: the same on the monotonic
   * one. The events the answer makes are pushed to `out`, in order.
   */
  answer(
    outcome: Exclude<StatusOutcome, { kind: 'aborted' }>,
    at: number,
    mono: number,
    out: JobEvent[],
  ): Next {
    // A request that never left (no token could be had) is no poll.
    if (!('notSent' in outcome && outcome.notSent)) this.polls++;
    this.answeredAt = mono;
    switch (outcome.kind) {
      case 'status':
        return this.onStatus(outcome, at, out);
      case 'transient':
        return this.onTransient(outcome, at, out);
      case 'final':
        return this.onFinal(outcome, at, out);
      case 'invalid':
        // After a valid status, one bad answer (a proxy's error page, a cut-off body) is a
        // glitch: retried as a transient failure. The first answer, and --strict, are final.
        if (this.last && !outcome.strict) {
          const glitch = { kind: 'transient', reason: `invalid response: ${outcome.reason}` } as const;
          return this.onTransient(glitch, at, out, 'invalid');
        }
        return this.end('invalid', { kind: 'invalid', reason: outcome.reason, hint: outcome.hint });
    }
  }

  private onStatus(outcome: Extract<StatusOutcome, { kind: 'status' }>, at: number, out: JobEvent[]): Next {
    const { job } = this;
    const { status } = outcome;
    this.failures = 0;
    const statusChanged = status.status !== this.last?.status.status;
    this.last = { status, raw: outcome.raw };
    this.eta.observe(at, status);
    const print = fingerprintOf(status);
    const changed = print !== this.fingerprint;
    if (changed) this.lastChangeAt = this.answeredAt;
    this.fingerprint = print;
    out.push({ type: 'poll', job, at, status, changed, eta: this.eta.eta() });
    this.warnings(outcome, at, out);
    const unreadable = outcome.warnings.map((w) => w.path);
    const verdict = verdictOf(status, this.rules.failOn, unreadable);
    if (verdict.terminal) return this.end(verdict.outcome, verdict.reason);
    if (!this.schedule) {
      // One look (get): a status nobody knows may be a failure by another name, never a 0.
      if (phaseOf(status) !== 'unknown') return this.end(verdict.outcome, verdict.reason);
      const reason = `unknown status ${JSON.stringify(status.status)}, not one the export API documents (${SCHEMA_STATUSES.join(', ')})`;
      return this.end('invalid', { kind: 'invalid', reason });
    }
    // --until: the condition is met before the job is done; the job goes on, the watch is over.
    if (reached(this.schedule.until, status)) return this.end('running', null);
    const { adaptive, intervalMs } = this.schedule;
    if (!adaptive) return { delayMs: intervalMs, notBeforeMs: 0 };
    return {
      delayMs: adaptiveInterval(
        { previousMs: this.previousDelayMs, statusChanged, remainingMs: this.remainingMs(at) },
        adaptive,
      ),
      notBeforeMs: 0,
    };
  }

  /** Each dropped field once, and an unknown status once. */
  private warnings(outcome: Extract<StatusOutcome, { kind: 'status' }>, at: number, out: JobEvent[]): void {
    const { job, warned } = this;
    for (const w of outcome.warnings) {
      if (warned.has(w.path)) continue;
      warned.add(w.path);
      // A value the server sent and the watch cannot use is always worth saying, once.
      out.push({ type: 'warning', job, at, message: `ignored ${w.path}: ${w.message}`, verbose: false });
    }
    const disagreement = progressDisagreement(outcome.status);
    if (disagreement && !warned.has('progress')) {
      warned.add('progress');
      out.push({ type: 'warning', job, at, message: disagreement, verbose: false });
    }
    if (phaseOf(outcome.status) === 'unknown' && this.schedule && !warned.has('status')) {
      warned.add('status');
      const message = `unknown status ${JSON.stringify(outcome.status.status)}; still watching`;
      out.push({ type: 'warning', job, at, message, verbose: false });
    }
  }

  /**
   * Time until the expected end (negative when overdue): the nearer of the server's estimate and
   * the observed rate, so a pessimistic estimate does not make the watch late to notice the end.
   */
  private remainingMs(at: number): number | undefined {
    const ends = [this.eta.serverEta(), this.eta.rateEta()].flatMap((e) => (e ? [e.at - at] : []));
    return ends.length ? ends.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a)) : undefined;
  }

  /** `exhausted`: how the watch ends when this was one failure too many (an invalid answer: 5). */
  private onTransient(
    outcome: Extract<StatusOutcome, { kind: 'transient' }>,
    at: number,
    out: JobEvent[],
    exhausted: 'error' | 'invalid' = 'error',
  ): Next {
    const { maxRetries } = this.rules;
    this.failures++;
    const cause = { reason: outcome.reason, timeoutMs: outcome.timeoutMs };
    if (this.failures > maxRetries) {
      return this.end(exhausted, { kind: 'retries-exhausted', cause, attempts: this.failures, maxRetries });
    }
    const retryAfterMs = parseRetryAfter(outcome.retryAfter, at);
    const delayMs = backoffDelay(this.failures, this.ctx.random, retryAfterMs);
    const leftMs = this.deadline() - this.answeredAt;
    // Past the deadline no retry follows: the watch times out next (no "retry in 0ms").
    if (leftMs <= 0) return { delayMs, notBeforeMs: retryAfterMs ?? 0 };
    out.push({
      type: 'retry',
      job: this.job,
      at,
      reason: this.ctx.words.transient(cause),
      delayMs: Math.min(delayMs, leftMs),
      attempt: this.failures,
    });
    return { delayMs, notBeforeMs: retryAfterMs ?? 0 };
  }

  private onFinal(outcome: Extract<StatusOutcome, { kind: 'final' }>, at: number, out: JobEvent[]): Next {
    const { createDeadline, schedule, answeredAt } = this;
    if (
      outcome.httpStatus === 404 &&
      schedule &&
      createDeadline !== undefined &&
      answeredAt < createDeadline
    ) {
      // Not created yet: ask again at the interval, not counted as a retry, and once more
      // exactly when the grace ends; after that a 404 is final.
      const graceLeftMs = createDeadline - answeredAt;
      const delayMs = Math.min(schedule.intervalMs, graceLeftMs);
      const until = at + graceLeftMs;
      out.push({ type: 'waiting', job: this.job, at, reason: outcome.reason, delayMs, until });
      return { delayMs, notBeforeMs: 0 };
    }
    const hint =
      outcome.hint?.kind === 'not-found'
        ? { ...outcome.hint, waitedMs: schedule?.waitForCreateMs }
        : outcome.hint;
    return this.end('error', { kind: 'final', reason: outcome.reason, hint });
  }

  interrupted(): ResultEvent {
    return this.end('interrupted', {
      kind: 'interrupted',
      signal: String(this.ctx.signal.reason ?? 'SIGINT'),
    });
  }

  timedOut(): ResultEvent {
    const lastStatus = this.last?.status.status;
    if (this.ctx.clock.monotonic() >= this.hardDeadline) {
      const deadlineAt = this.deadlineFirst ? this.schedule?.deadlineAt : undefined;
      const timeoutMs = this.schedule?.timeoutMs ?? 0;
      return this.end('timeout', { kind: 'timeout', timeoutMs, lastStatus, deadlineAt });
    }
    return this.end('stalled', { kind: 'stalled', stallMs: this.schedule?.stallTimeoutMs ?? 0, lastStatus });
  }

  private end(outcome: Outcome, reason: EndReason | null): ResultEvent {
    const error = reason ? this.ctx.words.end(reason) : null;
    const { clock } = this.ctx;
    const at = clock.now();
    const result: JobResult = {
      job: this.job,
      outcome,
      exitCode: exitCodeFor(outcome, this.ctx.signal.reason as InterruptSignal),
      status: this.last?.status ?? null,
      raw: this.last?.raw ?? null,
      error,
      polls: this.polls,
      elapsedMs: clock.monotonic() - this.startedAt,
    };
    return { type: 'result', job: this.job, at, result };
  }
}

/**
 * Whether a status that is not terminal meets what the watch waits for. Only a known running
 * status does: Pending has not started (whatever percentage it shows), and a status nobody knows
 * may be a failure by another name.
 */
function reached(until: Until | undefined, status: ExportStatus): boolean {
  if (!until || until.kind === 'done' || phaseOf(status) !== 'running') return false;
  if (until.kind === 'running') return true;
  const pct = percentOf(status);
  return pct !== undefined && pct >= until.percent;
}

/** What counts as a change for --stall-timeout and for "status changed" lines: status and progress. */
function fingerprintOf(status: ExportStatus): string {
  const p = status.progress;
  return `${status.status}|${p?.processed ?? ''}|${p?.total ?? ''}|${p?.percentage ?? ''}`;
}
