import { percentOf } from '../api/schema.js';
import type { JobRef } from '../api/urls.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import type { Sink } from '../io/streams.js';
import type { PollEvent } from '../poll/poller.js';
import { type Formatters, progressText } from './format.js';
import type { Progress } from './progress.js';
import { printableId } from './short-id.js';

/** A progress line at most every this many percentage points… */
const PLAIN_PERCENT_STEP = 10;
/** …or, when progress moved less than that, at most this often. */
const PLAIN_MIN_LINE_GAP_MS = 60_000;
/** A line after this long without any, so CI systems that kill silent jobs do not. */
export const HEARTBEAT_MS = 5 * 60_000;
/** A first retry that waits at least this long is said at once: a silence that long needs a reason. */
const LONG_RETRY_MS = 10_000;

type RetryEvent = Extract<PollEvent, { type: 'retry' }>;

interface PlainJob {
  id: string;
  toldWaiting?: boolean;
  status?: string;
  lastLineAt: number;
  /** When status or progress last changed. */
  lastChangeAt: number;
  printedStep: number;
  lastText: string;
  /** A first retry not said yet: said only if the next attempt fails too (or the watch ends). */
  unsaid?: RetryEvent | undefined;
}

/**
 * Progress for logs (not a TTY): one timestamped line per change of status, progress lines at
 * most every 10 points or every minute, a heartbeat after 5 silent minutes. No colour, no cursor
 * codes. A retry that the next attempt makes good is no line (a flaky API would fill the log
 * with them): a first retry is said when the attempt after it fails too, when it waits 10 s or
 * more, or when the watch ends before it.
 */
export class PlainProgress implements Progress {
  /** Heartbeats are due after minutes: waking up every 30 s is plenty, and costs nothing. */
  readonly tickMs = 30_000;
  readonly interactive = false;
  private readonly jobs = new Map<string, PlainJob>();

  /**
   * `showPolls: false` (for `get`): only retries, which may take a while, get lines.
   * `everyRetry` (--verbose): every retry is said as it happens.
   */
  constructor(
    private readonly err: Sink,
    private readonly out: Sink,
    private readonly format: Formatters,
    private readonly showPolls = true,
    private readonly everyRetry = false,
  ) {}

  start(jobs: readonly JobRef[], now: number): void {
    for (const job of jobs)
      this.jobs.set(job.url, {
        id: printableId(job.id),
        lastLineAt: now,
        lastChangeAt: now,
        printedStep: -1,
        lastText: '',
      });
  }

  event(event: PollEvent): void {
    const job = this.jobs.get(event.job.url);
    if (!job) return;
    const { id } = job;
    switch (event.type) {
      case 'poll': {
        job.unsaid = undefined;
        // The same status and progress as the last answer: nothing to say, nothing to work out.
        if (!event.changed && job.lastText !== '') break;
        const s = event.status;
        const status = sanitize(s.status, 60);
        const pct = percentOf(s);
        const step = pct === undefined ? -1 : Math.floor(pct / PLAIN_PERCENT_STEP);
        const progress = progressText(s, this.format);
        const text = progress ? `${status} ${progress}` : status;
        const statusChanged = status !== job.status;
        const stepped = step > job.printedStep;
        const due = event.changed && event.at - job.lastLineAt >= PLAIN_MIN_LINE_GAP_MS;
        if (event.changed) job.lastChangeAt = event.at;
        if (this.showPolls && (statusChanged || stepped || due)) {
          this.line(event.at, `${id} ${text}`);
          job.lastLineAt = event.at;
          job.printedStep = Math.max(step, job.printedStep);
        }
        job.status = status;
        job.lastText = text;
        break;
      }
      case 'retry':
        if (event.attempt === 1 && event.delayMs < LONG_RETRY_MS && !this.everyRetry) {
          job.unsaid = event;
          break;
        }
        this.sayRetry(job);
        this.retryLine(job, event);
        break;
      case 'waiting':
        if (!job.toldWaiting) {
          // A short wait is said as a duration; a long one by when it ends.
          const left = event.until - event.at;
          const until = left < 60_000 ? `up to ${formatDuration(left)}` : `until ${timestamp(event.until)}`;
          this.line(
            event.at,
            `${id} not created yet (${sanitize(event.reason, 120)}); waiting ${until} (--wait-for-create)`,
          );
          job.toldWaiting = true;
          job.lastLineAt = event.at;
        }
        break;
      case 'warning':
        break;
      case 'result':
        this.sayRetry(job);
        this.jobs.delete(event.job.url);
        break;
    }
  }

  log(line: string): void {
    this.err.write(`${line}\n`);
  }

  writeOut(text: string): void {
    this.out.write(text);
  }

  tick(now: number): void {
    for (const job of this.jobs.values()) {
      if (now - job.lastLineAt < HEARTBEAT_MS) continue;
      const state = job.lastText || 'waiting for the first answer';
      // A stuck job reads as one: how long nothing has moved, not how long nothing was printed.
      this.line(
        now,
        `${job.id} still watching: ${state} (no progress for ${formatDuration(now - job.lastChangeAt)})`,
      );
      job.lastLineAt = now;
    }
  }

  stop(): void {}

  /** The first retry held back, said now (at its own time) that it matters. */
  private sayRetry(job: PlainJob): void {
    if (job.unsaid) this.retryLine(job, job.unsaid);
    job.unsaid = undefined;
  }

  private retryLine(job: PlainJob, event: RetryEvent): void {
    const wait = formatDuration(event.delayMs);
    this.line(event.at, `${job.id} retry ${event.attempt} in ${wait}: ${sanitize(event.reason, 200)}`);
    job.lastLineAt = event.at;
  }

  private line(at: number, text: string): void {
    this.err.write(`${timestamp(at)} ${text}\n`);
  }
}

/** No progress (--quiet, ndjson): warnings and --verbose logs still reach stderr. No timer. */
export class QuietProgress implements Progress {
  readonly tickMs = undefined;
  readonly interactive = false;
  constructor(
    private readonly err: Sink,
    private readonly out: Sink,
  ) {}
  start(): void {}
  event(): void {}
  log(line: string): void {
    this.err.write(`${line}\n`);
  }
  writeOut(text: string): void {
    this.out.write(text);
  }
  tick(): void {}
  stop(): void {}
}

/** 2026-11-28T10:00:00Z: sortable, unambiguous, what CI logs show. */
export function timestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
