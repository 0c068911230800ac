import type { StatusOutcome } from '../../src/api/client.js';
import type { JobRef, JobResult } from '../../src/job.js';
import { Limiter } from '../../src/poll/limiter.js';
import { type PollEvent, type PollSettings, pollJob } from '../../src/poll/poller.js';
import type { FakeClock } from './fake-clock.js';

export const BASE_SETTINGS: PollSettings = {
  intervalMs: 5000,
  maxRetries: 10,
  requestTimeoutMs: 30_000,
  once: false,
  failOn: 'never',
};

export interface DriveOptions {
  fetch: (url: URL, signal: AbortSignal, timeoutMs: number) => Promise<StatusOutcome>;
  random?: () => number;
  signal?: AbortSignal;
}

/** Runs one job's poller to its end on the fake clock, keeping every event and the result. */
export async function drive(
  clock: FakeClock,
  job: JobRef,
  settings: Partial<PollSettings>,
  options: DriveOptions,
) {
  const events = pollJob(
    job,
    { ...BASE_SETTINGS, ...settings },
    {
      clock,
      random: options.random ?? (() => 0.5),
      limiter: new Limiter(4),
      signal: options.signal ?? new AbortController().signal,
      fetch: options.fetch,
    },
  );
  const seen: PollEvent[] = [];
  const result = await clock.run(
    (async () => {
      let r: JobResult | undefined;
      for await (const e of events) {
        seen.push(e);
        if (e.type === 'result') r = e.result;
      }
      if (!r) throw new Error('the poller ended without a result');
      return r;
    })(),
  );
  return { events: seen, result };
}
