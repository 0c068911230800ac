import type { Transport } from './api/transport.js';
import type { ConfigSources } from './cli/config.js';
import type { InterruptSignal } from './exit-codes.js';
import type { Env } from './io/color.js';
import type { Sink } from './io/streams.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` every `ms` without keeping the process alive; returns the function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

/** Every side effect the CLI has, in one place: the real ones from systemDeps(), fakes in tests. */
export interface Deps extends ConfigSources {
  stdout: Sink;
  stderr: Sink;
  stdinIsTTY: boolean;
  /** Reads all of stdin; null when it holds more than `maxBytes`. */
  readStdin(maxBytes: number): Promise<Buffer | null>;
  /** Appends to a file (the GitHub Actions step summary). */
  appendFile(path: string, text: string): Promise<void>;
  /** Reads a file; null when it holds more than `maxBytes`. Rejects like fs does (ENOENT…). */
  readFileCapped(path: string, maxBytes: number): Promise<Buffer | null>;
  env: Env;
  clock: Clock;
  random(): number;
  transport: Transport;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(handler: (signal: InterruptSignal) => void): () => void;
  /** Ends the process at once (a second Ctrl-C). */
  exitNow(code: number): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
