import type { AdaptiveSettings } from './adaptive.js';

/** Which results turn a successful job into a failed one. */
export const FAIL_ON = ['never', 'errors', 'warnings'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** When to poll a job again and when to give up on it: what `watch` has and `get` does not. */
export interface Schedule {
  /** The fixed interval; with `adaptive`, the interval for re-polls while waiting for a job to be created. */
  intervalMs: number;
  /** --interval auto. */
  adaptive?: AdaptiveSettings | undefined;
  /** --wait-for-create: answer 404 means "not created yet" for this long after the first poll. */
  waitForCreateMs?: number | undefined;
  timeoutMs?: number | undefined;
  /** --deadline: the wall-clock time (epoch ms) after which the watch gives up, as --timeout does. */
  deadlineAt?: number | undefined;
  /** Time the run spent before watching (reading the job IDs from stdin), counted against timeoutMs. */
  spentMs?: number | undefined;
  stallTimeoutMs?: number | undefined;
  /** --until: what ends the watch with exit 0 before the job is done. Undefined: done. */
  until?: Until | undefined;
}

/** What a watch waits for: the job's end, the job leaving Pending, or its progress reaching N %. */
export type Until = { kind: 'done' } | { kind: 'running' } | { kind: 'percent'; percent: number };

interface CommonRules {
  maxRetries: number;
  requestTimeoutMs: number;
  failOn: FailOn;
}

/**
 * The rules one job's poller follows. `once` (the `get` command): stop at the first status,
 * whatever it says; otherwise (`watch`): poll on `Schedule` until the job ends or a deadline passes.
 */
export type WatchRules = CommonRules & ({ once: true } | ({ once: false } & Schedule));
