import type { CommandResult } from './api/credentials.js';
import type { Transport } from './api/transport.js';
import type { Clock } from './core/clock.js';
import type { InterruptSignal } from './core/exit-codes.js';
import type { Env } from './io/color.js';
import type { Sink } from './io/streams.js';

/** What resolving a configuration may read: the environment, files, and stdin (`watch -`). */
export interface ConfigSources {
  env: Env;
  /**
   * Reads all of stdin; null when it holds more than `maxBytes`. When `signal` aborts first, what
   * was read by then (stdin is not read any further).
   */
  readStdin?(maxBytes: number, signal?: AbortSignal): Promise<Buffer | null>;
  stdinIsTTY?: boolean;
  /** Time, for a deadline that covers reading the configuration (`watch -` reading its IDs). */
  clock?: Clock;
  /** A regular file of at most `maxBytes`, as text; rejects (ENOTFILE, EFBIG, ENOENT…) otherwise. */
  readTextFile(path: string, maxBytes: number): Promise<string>;
  /** The file's permission bits, or undefined where that means nothing (Windows). */
  fileMode(path: string): Promise<number | undefined>;
  /** Who other than this user and root could change the file (its mode, owner, directories), or undefined. */
  whoCanChange(path: string): Promise<string | undefined>;
}

/**
 * Every side effect the CLI has, in one place: the real ones from systemDeps(), fakes in tests
 * (test/support/cli.ts).
 */
export interface Deps extends ConfigSources {
  stdout: Sink;
  stderr: Sink;
  stdinIsTTY: boolean;
  /** Reads all of stdin; null when it holds more than `maxBytes`; what was read when `signal` aborts. */
  readStdin(maxBytes: number, signal?: AbortSignal): Promise<Buffer | null>;
  /** Appends to a file (the GitHub Actions step summary). */
  appendFile(path: string, text: string): Promise<void>;
  /** Writes a file whole: a reader sees the old file or the new one, never half of it. */
  writeFileWhole(path: string, text: string): Promise<void>;
  /** Reads a file; null when it holds more than `maxBytes`. Rejects like fs does (ENOENT…). */
  readFileCapped(path: string, maxBytes: number): Promise<Buffer | null>;
  clock: Clock;
  random(): number;
  transport: Transport;
  /**
   * Runs a command line through the system shell (a token command) in a process group of its
   * own, ended when it exits, times out, `signal` aborts, or this process ends.
   */
  runCommand(command: string, timeoutMs: number, signal?: AbortSignal): Promise<CommandResult>;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(handler: (signal: InterruptSignal) => void): () => void;
  /** Calls `handler` as the process exits, however it exits, until the returned function is called. */
  onExit(handler: () => void): () => void;
  /**
   * Ctrl-Z and fg (SIGTSTP, then SIGCONT): calls `suspend` before the process stops and `resume`
   * once it runs again, until the returned function is called.
   */
  onSuspend(suspend: () => void, resume: () => void): () => void;
  /** Ends the process at once (a second Ctrl-C). */
  exitNow(code: number): void;
  /**
   * Sets the garbage collector for a long watch of this process's own (never the library's: a
   * program's heap is its own): one that allocates a little at every poll and keeps little.
   */
  tuneHeapForWatching(): void;
  /** How the user can run this CLI again from where they are: `export-status` or `npx export-status`. */
  invokedAs: string;
}
