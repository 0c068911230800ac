import type { ExportStatus } from '../api/schema.js';
import { parseDuration } from '../core/duration.js';
import type { Destination } from '../delivery/destination.js';

export const SCENARIOS = [
  'success',
  'failure',
  'flaky',
  'slow',
  'unknown-status',
  'garbage',
  'stuck',
  'not-found',
  'forbidden',
  'not-acceptable',
  'server-error',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** What each scenario does, for `serve --help` (README has the same table). */
export const SCENARIO_HELP: Readonly<Record<Scenario, string>> = {
  success: 'Pending, In Progress with counts and ETA, then Successful with results',
  failure: 'fails at 60 % with an error message',
  flaky: '503 with Retry-After, the documented 429s, between good answers',
  slow: 'every third answer is held back longer than a request timeout',
  'unknown-status': 'reports Archiving, a status the client does not know, for a while',
  garbage: 'an HTML login page and truncated JSON with 200',
  stuck: 'stops moving at 42 % forever',
  'not-found': '404 404-100',
  forbidden: '403 403-197',
  'not-acceptable': '406 406-100',
  'server-error': '500 500-100',
};

/**
 * A job's own duration, named in its ID (`success-d3h-nightly`, `stuck-d90s`: a part `d` and a
 * duration, between dashes) or in a POST's `?duration=`; undefined: the server's --duration.
 */
export function durationOf(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const named = /(?:^|-)d(\d+(?:ms|s|m|h)(?:\d+(?:ms|s|m))*)(?=-|$)/i.exec(text)?.[1] ?? text;
  const parsed = parseDuration(named);
  return parsed.ok && parsed.ms >= 100 ? parsed.ms : undefined;
}

/** What `demo --scenario` offers: every job scenario, and an export that outlives its access tokens. */
export const DEMO_SCENARIOS = [...SCENARIOS, 'token-expiry'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** The scenario an ID picks by its prefix (`failure-123` → failure); `success` otherwise. */
export function scenarioOf(id: string): Scenario {
  const lower = id.toLowerCase();
  // Longest first, so `not-found` is not read as something shorter.
  const match = [...SCENARIOS].sort((a, b) => b.length - a.length).find((s) => lower.startsWith(s));
  return match ?? 'success';
}

export interface SimJob {
  id: string;
  scenario: Scenario;
  createdAt: number;
  durationMs: number;
  total: number;
  /** Status requests seen for this job, to pace the flaky/slow/garbage answers. */
  requests: number;
  /** `serve --deliver`: where the POST body said the files go; `delivered` once they are written. */
  destination?: Destination | undefined;
  delivered?: Promise<void> | undefined;
}

/** Jobs spend this share of their time Pending before work starts… */
const PENDING_SHARE = 0.1;
/** …and never longer than this: a 3-hour job does not sit in Pending for 18 minutes. */
const PENDING_MAX_MS = 30_000;
/** `failure` jobs fail when this share of the work is done. */
const FAILURE_AT = 0.6;
/** `stuck` jobs stop moving here, forever. */
const STUCK_AT = 0.42;
/** `unknown-status` jobs report a status the client does not know while in this stretch of the work. */
const UNKNOWN_FROM = 0.4;
const UNKNOWN_TO = 0.7;
const UNKNOWN_STATUS_VALUE = 'Archiving';

/** The job's ExportStatus at `now`, on the server's clock. */
export function statusAt(job: SimJob, now: number): ExportStatus {
  const elapsed = Math.max(0, now - job.createdAt);
  const pendingMs = Math.min(job.durationMs * PENDING_SHARE, PENDING_MAX_MS);
  if (elapsed < pendingMs) return { status: 'Pending' };

  const startMs = job.createdAt + pendingMs;
  const endMs = job.createdAt + job.durationMs;
  let done = Math.min(1, (elapsed - pendingMs) / (job.durationMs - pendingMs));
  if (job.scenario === 'stuck') done = Math.min(done, STUCK_AT);
  const startTime = iso(startMs);
  const progressAt = (share: number) => {
    const processed = Math.floor(job.total * share);
    return { processed, total: job.total, percentage: Math.round((processed / job.total) * 1000) / 10 };
  };

  if (job.scenario === 'failure' && done >= FAILURE_AT) {
    const failedAt = startMs + (endMs - startMs) * FAILURE_AT;
    const progress = progressAt(FAILURE_AT);
    return {
      status: 'Failed',
      progress,
      startTime,
      failureTime: iso(failedAt),
      error: `Connection timeout after processing ${progress.processed} items.`,
    };
  }
  if (done >= 1) {
    const warnings = Math.round(job.total * 0.0022);
    const errors = Math.round(job.total * 0.0011);
    return {
      status: 'Successful',
      progress: progressAt(1),
      startTime,
      completionTime: iso(endMs),
      results: { successful: job.total - warnings - errors, warnings, errors },
    };
  }
  const status =
    job.scenario === 'unknown-status' && done >= UNKNOWN_FROM && done < UNKNOWN_TO
      ? UNKNOWN_STATUS_VALUE
      : 'In Progress';
  return { status, progress: progressAt(done), startTime, estimatedCompletion: iso(endMs) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
