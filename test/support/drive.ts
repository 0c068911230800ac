import type { StatusOutcome } from '../../src/api/client.js';
import type { JobRef } from '../../src/api/urls.js';
import { CLI_WORDING } from '../../src/cli/words.js';
import { Limiter } from '../../src/poll/limiter.js';
import { type PollEvent, watchJob } from '../../src/poll/poller.js';
import type { Schedule, WatchRules } from '../../src/poll/rules.js';
import type { VirtualClock } from './virtual-clock.js';

/** `watch`'s defaults: a 5 s interval, 10 retries, a 30 s request timeout. */
export const BASE_RULES: WatchRules = {
  once: false,
  intervalMs: 5000,
  maxRetries: 10,
  requestTimeoutMs: 30_000,
  failOn: 'never',
};

/** Any of the rules, to lay over BASE_RULES; `once: true` makes it `get`. */
export type RulesPatch = Partial<Omit<WatchRules, 'once'> & Schedule> & { once?: boolean };

export function rules(patch: RulesPatch = {}): WatchRules {
  return { ...BASE_RULES, ...patch } as WatchRules;
}

export interface DriveOptions {
  fetch: (url: URL, signal: AbortSignal, timeoutMs: number) => Promise<StatusOutcome>;
  random?: () => number;
  signal?: AbortSignal;
}

/** Runs one job's poller to its end on the virtual clock, keeping every event and the result. */
export async function drive(clock: VirtualClock, job: JobRef, patch: RulesPatch, options: DriveOptions) {
  const ctx = {
    clock,
    random: options.random ?? (() => 0.5),
    limiter: new Limiter(4),
    signal: options.signal ?? new AbortController().signal,
    fetch: options.fetch,
    words: CLI_WORDING,
  };
  const seen: PollEvent[] = [];
  const end = await clock.run(watchJob(job, rules(patch), ctx, (event) => seen.push(event)));
  seen.push(end);
  return { events: seen, result: end.result };
}
