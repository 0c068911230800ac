import { type Clock, type TimeLimit, timeLimitPassed } from '../../src/core/clock.js';

/** How long real time may pass with nothing on the clock before `run` calls it a deadlock. */
const MAX_REAL_WAIT_MS = 10_000;

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Virtual time, for tests and for the benchmark's simulated hours. `run(promise)` lets the code go
 * as far as it can, then jumps to the next timer, until the promise settles; so hours of polling
 * take milliseconds and the schedule is exact.
 */
export class VirtualClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(public t = Date.parse('2026-01-01T00:00:00Z')) {}

  /** Timers waiting (sleeps of the code under test). */
  get pending(): number {
    return this.timers.length;
  }

  now = (): number => this.t;

  /** Virtual time never jumps: the same as now(). */
  monotonic = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  every = (): (() => void) => () => {};

  after = (ms: number, fn: () => void): (() => void) => {
    const timer: Timer = { at: this.t + Math.max(1, ms), seq: this.seq++, resolve: fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  };

  limit = (ms: number): TimeLimit => {
    const controller = new AbortController();
    const clear = this.after(ms, () => controller.abort(timeLimitPassed()));
    return { signal: controller.signal, clear };
  };

  /**
   * Drives `promise` to its end. `busy` says real I/O is under way (a request on loopback): time
   * stands still until it is done, so a server on the same clock answers in no virtual time.
   */
  async run<T>(promise: Promise<T>, options: { maxSteps?: number; busy?: () => boolean } = {}): Promise<T> {
    const { maxSteps = 100_000, busy } = options;
    let settled = false;
    let idleSince: number | undefined;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    for (let step = 0; step < maxSteps; ) {
      await new Promise((r) => setImmediate(r));
      if (settled) return promise;
      if (busy?.()) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) {
        // Nothing on this clock: the code waits on something real (a module loading, a file).
        idleSince ??= Date.now();
        if (Date.now() - idleSince > MAX_REAL_WAIT_MS) {
          throw new Error('deadlock: the code under test waits on nothing the virtual clock controls');
        }
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      idleSince = undefined;
      step++;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    throw new Error(`still running after ${maxSteps} timer steps`);
  }
}

/** A seeded random source (mulberry32), so jittered schedules are exact. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
