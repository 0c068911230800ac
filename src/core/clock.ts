import { onAbort } from './abort.js';

/** Time as the poller and the renderers see it: real in production, virtual in tests. */
export interface Clock {
  /** Wall time (epoch ms): for timestamps people read and dates from servers. */
  now(): number;
  /**
   * Milliseconds from an arbitrary origin that never jumps with the system clock (an NTP step, a
   * laptop waking): every duration and deadline is measured on this.
   */
  monotonic(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms` (at least 1, however long); returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms` without keeping the process alive; returns the function that stops it. */
  every(ms: number, fn: () => void): () => void;
  /**
   * A time limit: its signal aborts (with a TimeoutError) once `ms` have passed on this clock.
   * `clear()` as soon as it is no longer needed, so no timer outlives what it limited.
   */
  limit(ms: number): TimeLimit;
}

export interface TimeLimit {
  readonly signal: AbortSignal;
  clear(): void;
}

/** The reason a time limit's signal aborts with, as AbortSignal.timeout's. */
export function timeLimitPassed(): DOMException {
  return new DOMException('the time limit passed', 'TimeoutError');
}

/** The longest delay a Node timer takes: a longer one fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  // Whole milliseconds, as every duration the CLI reports is. process.hrtime rather than
  // performance.now(), whose first use loads node:perf_hooks on every start.
  monotonic: () => {
    const [seconds, nanoseconds] = process.hrtime();
    return seconds * 1000 + Math.round(nanoseconds / 1e6);
  },
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      // Through onAbort's set rather than the signal's own list of listeners: an AbortSignal
      // listener costs several objects.
      let stopListening = () => {};
      const cancel = realClock.after(ms, () => {
        stopListening();
        resolve();
      });
      if (signal)
        stopListening = onAbort(signal, () => {
          cancel();
          resolve();
        });
    }),
  after: (ms, fn) => {
    if (ms <= MAX_TIMER_MS) {
      const timer = setTimeout(fn, Math.max(1, ms));
      return () => clearTimeout(timer);
    }
    // Longer than a timer can hold (an interval of a month): taken in parts.
    let left = ms;
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      const part = Math.min(left, MAX_TIMER_MS);
      left -= part;
      timer = setTimeout(left > 0 ? arm : fn, part);
    };
    arm();
    return () => clearTimeout(timer);
  },
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
  limit: (ms) => {
    const controller = new AbortController();
    const clear = realClock.after(ms, () => controller.abort(timeLimitPassed()));
    return { signal: controller.signal, clear };
  },
};
