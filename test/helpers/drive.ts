import type { JobResult } from '../../src/job.js';
import type { PollEvent, PollSettings } from '../../src/poll/poller.js';
import type { FakeClock } from './fake-clock.js';

export const BASE_SETTINGS: PollSettings = {
  intervalMs: 5000,
  maxRetries: 10,
  requestTimeoutMs: 30_000,
  once: false,
  failOn: 'never',
};

/** Runs a poller to its end on the fake clock, keeping every event and the result. */
export async function drive(clock: FakeClock, events: AsyncGenerator<PollEvent, JobResult>) {
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
