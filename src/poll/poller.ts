import type { StatusOutcome } from '../api/client.js';
import { type ExportStatus, isTerminal, normaliseStatus } from '../api/schema.js';
import { formatDuration } from '../cli/duration.js';
import type { Clock } from '../deps.js';
import { exitCodeFor, type InterruptSignal, type Outcome } from '../exit-codes.js';
import type { JobRef, JobResult } from '../job.js';
import { type AdaptiveSettings, adaptiveInterval } from './adaptive.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { EtaTracker } from './eta.js';
import type { Limiter } from './limiter.js';

export type FailOn = 'never' | 'errors' | 'warnings';

export interface PollSettings {
  /** The fixed interval; with `adaptive`, the interval for re-polls while waiting for a job to be created. */
  intervalMs: number;
  /** --interval auto. */
  adaptive?: AdaptiveSettings | undefined;
  /** --wait-for-create: answer 404 means "not created yet" for this long after the first poll. */
  waitForCreateMs?: number | undefined;
  timeoutMs?: number | undefined;
  stallTimeoutMs?: number | undefined;
  maxRetries: number;
  requestTimeoutMs: number;
  /** `get`: stop after the first status, whatever it says. */
  once: boolean;
  failOn: FailOn;
}

export interface PollerDeps {
  clock: Clock;
  random: () => number;
  fetch: (url: URL, signal: AbortSignal, timeoutMs: number) => Promise<StatusOutcome>;
  limiter: Limiter;
  /** Aborted on SIGINT/SIGTERM, with the signal's name as the reason. */
  signal: AbortSignal;
}

export type PollEvent =
  | { type: 'poll'; job: JobRef; at: number; status: ExportStatus; changed: boolean }
  | { type: 'retry'; job: JobRef; at: number; reason: string; delayMs: number; attempt: number }
  /** --wait-for-create: a 404 while the grace lasts; polled again in `delayMs`. */
  | { type: 'waiting'; job: JobRef; at: number; reason: string; delayMs: number; until: number }
  /** `verbose`: only worth showing with --verbose (a dropped field); otherwise always (unknown status). */
  | { type: 'warning'; job: JobRef; at: number; message: string; verbose: boolean }
  | { type: 'result'; job: JobRef; at: number; result: JobResult };

/**
 * When a deadline (--timeout, --stall-timeout) is near, a request may still take this long past
 * it, so the last poll at the deadline has a chance to be answered.
 */
export const FINAL_POLL_GRACE_MS = 2_000;

/**
 * Watches one job: an async generator of events, ending with a `result`. No output, no globals:
 * time, randomness and HTTP come from `deps`. The first poll is immediate; the next starts
 * `intervalMs` after the previous answer; there is never more than one request in flight.
 */
export async function* pollJob(
  job: JobRef,
  settings: PollSettings,
  deps: PollerDeps,
): AsyncGenerator<PollEvent, JobResult> {
  const { clock, signal } = deps;
  const url = new URL(job.url);
  const startedAt = clock.now();
  const hardDeadline =
    settings.timeoutMs === undefined ? Number.POSITIVE_INFINITY : startedAt + settings.timeoutMs;
  let lastChangeAt = startedAt;
  let fingerprint = '';
  let last: { status: ExportStatus; raw: Record<string, unknown> } | null = null;
  let polls = 0;
  let failures = 0;
  const warned = new Set<string>();
  const eta = new EtaTracker();
  let previousDelayMs: number | undefined;
  const createDeadline =
    settings.waitForCreateMs === undefined ? undefined : startedAt + settings.waitForCreateMs;

  const deadline = () =>
    Math.min(
      hardDeadline,
      settings.stallTimeoutMs === undefined
        ? Number.POSITIVE_INFINITY
        : lastChangeAt + settings.stallTimeoutMs,
    );

  function end(
    outcome: Outcome,
    error: string | null,
  ): { type: 'result'; job: JobRef; at: number; result: JobResult } {
    const at = clock.now();
    const result: JobResult = {
      job,
      outcome,
      exitCode: exitCodeFor(outcome, signal.reason as InterruptSignal),
      status: last?.status ?? null,
      raw: last?.raw ?? null,
      error,
      polls,
      elapsedMs: at - startedAt,
    };
    return { type: 'result', job, at, result };
  }

  function timedOut(now: number): { type: 'result'; job: JobRef; at: number; result: JobResult } {
    const state = last ? `; last status ${last.status.status}` : '; no status was had';
    if (now >= hardDeadline) {
      return end(
        'timeout',
        `not finished within ${formatDuration(settings.timeoutMs ?? 0)} (--timeout)${state}`,
      );
    }
    return end(
      'timeout',
      `no change in status or progress for ${formatDuration(settings.stallTimeoutMs ?? 0)} (--stall-timeout)${state}`,
    );
  }

  while (true) {
    if (signal.aborted)
      return yield* final(end('interrupted', `interrupted (${String(signal.reason ?? 'SIGINT')})`));
    const before = clock.now();
    const untilDeadline = deadline() - before;
    const timeoutMs = Math.min(settings.requestTimeoutMs, Math.max(0, untilDeadline) + FINAL_POLL_GRACE_MS);
    const outcome = await deps.limiter.run(() => deps.fetch(url, signal, timeoutMs));
    const at = clock.now();
    if (outcome.kind === 'aborted' || signal.aborted) {
      return yield* final(end('interrupted', `interrupted (${String(signal.reason ?? 'SIGINT')})`));
    }
    polls++;
    let delayMs = settings.intervalMs;
    let notBefore = 0;

    switch (outcome.kind) {
      case 'status': {
        failures = 0;
        const { status } = outcome;
        const statusChanged = status.status !== last?.status.status;
        last = { status, raw: outcome.raw };
        eta.observe(at, status);
        const print = fingerprintOf(status);
        const changed = print !== fingerprint;
        if (changed) lastChangeAt = at;
        fingerprint = print;
        yield { type: 'poll', job, at, status, changed };
        for (const w of outcome.warnings) {
          if (warned.has(w.path)) continue;
          warned.add(w.path);
          yield { type: 'warning', job, at, message: `ignored ${w.path}: ${w.message}`, verbose: true };
        }
        const { phase } = normaliseStatus(status.status);
        if (phase === 'unknown' && !warned.has('status')) {
          warned.add('status');
          yield {
            type: 'warning',
            job,
            at,
            message: `unknown status ${JSON.stringify(status.status)}; still watching`,
            verbose: false,
          };
        }
        if (isTerminal(phase)) return yield* final(terminalResult(status, phase, settings.failOn, end));
        if (settings.once) return yield* final(end('running', null));
        if (settings.adaptive) {
          // The nearer of the server's estimate and the observed rate: a pessimistic estimate
          // must not make the watch late to notice the end.
          const ends = [eta.eta(), eta.rateEta()].flatMap((e) => (e ? [e.at - at] : []));
          const remainingMs = ends.length
            ? ends.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a))
            : undefined;
          delayMs = adaptiveInterval(
            { previousMs: previousDelayMs, statusChanged, remainingMs },
            settings.adaptive,
          );
        }
        break;
      }
      case 'transient': {
        failures++;
        if (failures > settings.maxRetries) {
          const tries = failures === 1 ? '1 attempt' : `${failures} attempts in a row`;
          return yield* final(
            end('error', `${outcome.reason} (gave up after ${tries}; --max-retries ${settings.maxRetries})`),
          );
        }
        const retryAfterMs = parseRetryAfter(outcome.retryAfter, at);
        delayMs = backoffDelay(failures, deps.random, retryAfterMs);
        notBefore = retryAfterMs ?? 0;
        const wake = Math.min(at + delayMs, Math.max(at, deadline()));
        yield { type: 'retry', job, at, reason: outcome.reason, delayMs: wake - at, attempt: failures };
        break;
      }
      case 'final':
        if (outcome.httpStatus === 404 && createDeadline !== undefined && at < createDeadline) {
          // Not created yet: ask again at the interval, not counted as a retry, and once more
          // exactly when the grace ends; after that a 404 is final.
          delayMs = Math.min(settings.intervalMs, createDeadline - at);
          yield { type: 'waiting', job, at, reason: outcome.reason, delayMs, until: createDeadline };
          break;
        }
        return yield* final(end('error', outcome.reason));
      case 'invalid':
        return yield* final(end('invalid', `invalid response: ${outcome.reason}`));
    }

    previousDelayMs = delayMs;
    const now = clock.now();
    const limit = deadline();
    if (now >= limit) return yield* final(timedOut(now));
    let wakeAt = now + delayMs;
    if (wakeAt > limit) {
      if (now + notBefore > limit) {
        // The server asked us not to come back before the deadline: honour it and give up then.
        await clock.sleep(limit - now, signal);
        if (signal.aborted) continue;
        return yield* final(timedOut(clock.now()));
      }
      wakeAt = limit; // one last poll at the deadline, so a job that just finished is not called timed out
    }
    await clock.sleep(wakeAt - now, signal);
  }
}

async function* final(event: {
  type: 'result';
  job: JobRef;
  at: number;
  result: JobResult;
}): AsyncGenerator<PollEvent, JobResult> {
  yield event;
  return event.result;
}

function terminalResult(
  status: ExportStatus,
  phase: ReturnType<typeof normaliseStatus>['phase'],
  failOn: FailOn,
  end: (
    outcome: Outcome,
    error: string | null,
  ) => { type: 'result'; job: JobRef; at: number; result: JobResult },
) {
  if (phase === 'failed') return end('failed', status.error ?? 'the export failed');
  if (phase === 'cancelled') return end('failed', status.error ?? 'the export was cancelled');
  const crossed = failOnCrossed(status, failOn);
  return crossed ? end('failed', crossed) : end('succeeded', null);
}

/** The --fail-on verdict on a successful job: null when it passes, else why it fails. */
export function failOnCrossed(status: ExportStatus, failOn: FailOn): string | null {
  const errors = status.results?.errors ?? 0;
  const warnings = status.results?.warnings ?? 0;
  if (failOn !== 'never' && errors > 0)
    return `${errors} ${errors === 1 ? 'error' : 'errors'} reported (--fail-on ${failOn})`;
  if (failOn === 'warnings' && warnings > 0) {
    return `${warnings} ${warnings === 1 ? 'warning' : 'warnings'} reported (--fail-on warnings)`;
  }
  return null;
}

/** What counts as a change for --stall-timeout and for "status changed" lines: status and progress. */
function fingerprintOf(status: ExportStatus): string {
  const p = status.progress;
  return `${status.status}|${p?.processed ?? ''}|${p?.total ?? ''}|${p?.percentage ?? ''}`;
}
