import { appendFile, readFile, stat } from 'node:fs/promises';
import type { Transport } from '../../src/api/transport.js';
import { main } from '../../src/cli/main.js';
import { realClock } from '../../src/core/clock.js';
import type { InterruptSignal } from '../../src/core/exit-codes.js';
import type { Deps } from '../../src/deps.js';
import type { Sink } from '../../src/io/streams.js';
import { readSmallFile, whoCanChange, writeFileWhole } from '../../src/node/files.js';
import { runShell } from '../../src/node/shell.js';
import { chooseTransport } from '../../src/node/transport.js';
import { heldRequests } from './servers.js';
import { VirtualClock } from './virtual-clock.js';

// A module the code loads on first use takes real time the virtual clock cannot see: one loaded
// under a time limit (oauth4webapi, inside a token request) is loaded here first.
await import('../../src/api/oauth.js');

/** A Sink that keeps what was written; a test can wait for text to appear in it. */
export class BufferSink implements Sink {
  text = '';
  private waiters: Array<{ test: (text: string) => boolean; resolve: () => void }> = [];
  constructor(
    public isTTY = false,
    public columns = 80,
  ) {}
  write(text: string): boolean {
    this.text += text;
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(this.text)) return true;
      w.resolve();
      return false;
    });
    return true;
  }
  /** Resolves once what was written so far contains `needle`. */
  until(needle: string): Promise<void> {
    if (this.text.includes(needle)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test: (t) => t.includes(needle), resolve }));
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The environment: nothing of the test process's own is passed (no CI, no colour forcing). */
  env?: Record<string, string | undefined>;
  /** What stdin holds; `stdinIsTTY` makes it a terminal instead. */
  stdin?: string;
  /** stdin is never closed: what it holds is all that comes. */
  stdinStaysOpen?: boolean;
  stdinIsTTY?: boolean;
  /**
   * `virtual` (the default) or a VirtualClock of the test's own: waits take no time, and a
   * simulator started with `now: clock.now` moves with it. `real`: for servers that keep real time.
   */
  clock?: 'real' | VirtualClock;
  random?: () => number;
  /** Called once the command runs, with a way to deliver SIGINT/SIGTERM as a terminal would. */
  onStart?: (control: {
    interrupt(signal: InterruptSignal): void;
    stdout: BufferSink;
    stderr: BufferSink;
  }) => void;
}

/** Deps for running a front end in this process, and the way to drive what it runs to its end. */
export interface InProcess {
  deps: Deps;
  stdout: BufferSink;
  stderr: BufferSink;
  /** Awaits what the front end runs, on the virtual clock when there is one; then ends its I/O. */
  drive<T>(running: Promise<T>): Promise<T>;
}

/**
 * Buffered streams, the given clock, real HTTP on loopback, real files: what main(argv, deps) and
 * the action's runAction(env, deps) take, as the bin and the action's bundle give it them.
 */
export function inProcess(options: CliOptions = {}): InProcess {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const env = { LANG: 'en_US.UTF-8', TZ: 'UTC', TERM: 'xterm-256color', ...options.env };
  const clock = options.clock === 'real' ? realClock : (options.clock ?? new VirtualClock());
  let busy = 0;
  /** Real I/O under way: the virtual clock stands still meanwhile. */
  const tracked =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      busy++;
      try {
        return await fn(...args);
      } finally {
        busy--;
      }
    };
  const handlers = new Set<(signal: InterruptSignal) => void>();
  // What a run leaves in flight when it ends (a shared token request under its own limit) is
  // ended with it, as a process's connections end when it exits.
  const ended = new AbortController();
  const transport = chooseTransport(env) as Transport;
  const deps: Deps = {
    stdout,
    stderr,
    stdinIsTTY: Boolean(options.stdinIsTTY),
    readStdin: options.stdinStaysOpen
      ? // what was written, and then nothing: the reader gets it only when it stops waiting
        (_maxBytes: number, signal?: AbortSignal) =>
          new Promise<Buffer | null>((resolve) => {
            const give = () => resolve(Buffer.from(options.stdin ?? '', 'utf8'));
            if (signal?.aborted) give();
            else signal?.addEventListener('abort', give, { once: true });
          })
      : tracked(async (maxBytes: number) => {
          const bytes = Buffer.from(options.stdin ?? '', 'utf8');
          return bytes.length > maxBytes ? null : bytes;
        }),
    readFileCapped: tracked(async (path: string, maxBytes: number) => {
      const bytes = await readFile(path);
      return bytes.length > maxBytes ? null : bytes;
    }),
    readTextFile: tracked(readSmallFile),
    fileMode: tracked(async (path: string) => (await stat(path)).mode & 0o777),
    whoCanChange: tracked(whoCanChange),
    appendFile: tracked((path: string, text: string) => appendFile(path, text, 'utf8')),
    writeFileWhole: tracked(writeFileWhole),
    env,
    clock,
    random: options.random ?? Math.random,
    transport: tracked((request) =>
      transport({ ...request, signal: AbortSignal.any([request.signal, ended.signal]) }),
    ),
    runCommand: tracked(runShell),
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onExit: () => () => {},
    onSuspend: () => () => {},
    exitNow: (code) => {
      throw new Error(`exitNow(${code}) called`);
    },
    // The tests' process is vitest's: its heap is left as it is.
    tuneHeapForWatching: () => {},
    invokedAs: 'export-status',
  };
  options.onStart?.({
    interrupt: (signal) => {
      for (const handler of [...handlers]) handler(signal);
    },
    stdout,
    stderr,
  });
  return {
    deps,
    stdout,
    stderr,
    drive: <T>(running: Promise<T>) =>
      (clock instanceof VirtualClock
        ? clock.run(running, { busy: () => busy > heldRequests() })
        : running
      ).finally(async () => {
        ended.abort();
        // and the I/O it had under way settles before the next run counts what is busy
        for (let turn = 0; busy > 0 && turn < 100; turn++) await new Promise((r) => setTimeout(r, 1));
      }),
  };
}

/**
 * Runs the CLI in this process through main(argv, deps). The same code path as the bin, minus
 * the process.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const { deps, stdout, stderr, drive } = inProcess(options);
  const code = await drive(main(args, deps));
  return { code, stdout: stdout.text, stderr: stderr.text };
}
