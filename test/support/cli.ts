import { appendFile, readFile, stat } from 'node:fs/promises';
import type { Transport } from '../../src/api/transport.js';
import { realClock } from '../../src/core/clock.js';
import type { InterruptSignal } from '../../src/core/exit-codes.js';
import type { Deps } from '../../src/deps.js';
import type { Sink } from '../../src/io/streams.js';
import { main } from '../../src/main.js';
import { chooseTransport, readSmallFile, runShell, writeFileWhole } from '../../src/system.js';
import { VirtualClock } from './virtual-clock.js';

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

/**
 * Runs the CLI in this process through main(argv, deps): buffered streams, the given clock, real
 * HTTP on loopback, real files. The same code path as the bin, minus the process.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
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
  const deps: Deps = {
    stdout,
    stderr,
    stdinIsTTY: Boolean(options.stdinIsTTY),
    readStdin: tracked(async (maxBytes: number) => {
      const bytes = Buffer.from(options.stdin ?? '', 'utf8');
      return bytes.length > maxBytes ? null : bytes;
    }),
    readFileCapped: tracked(async (path: string, maxBytes: number) => {
      const bytes = await readFile(path);
      return bytes.length > maxBytes ? null : bytes;
    }),
    readTextFile: tracked(readSmallFile),
    fileMode: tracked(async (path: string) => (await stat(path)).mode & 0o777),
    appendFile: tracked((path: string, text: string) => appendFile(path, text, 'utf8')),
    writeFileWhole: tracked(writeFileWhole),
    env,
    clock,
    random: options.random ?? Math.random,
    transport: tracked(chooseTransport(env) as Transport),
    runCommand: tracked(runShell),
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onExit: () => () => {},
    exitNow: (code) => {
      throw new Error(`exitNow(${code}) called`);
    },
    invokedAs: 'export-status',
  };
  options.onStart?.({
    interrupt: (signal) => {
      for (const handler of [...handlers]) handler(signal);
    },
    stdout,
    stderr,
  });
  const running = main(args, deps);
  const code =
    clock instanceof VirtualClock ? await clock.run(running, { busy: () => busy > 0 }) : await running;
  return { code, stdout: stdout.text, stderr: stderr.text };
}
