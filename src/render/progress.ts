import type { JobRef } from '../api/urls.js';
import type { PollEvent } from '../poll/poller.js';

/** Live progress on stderr: a spinner in a terminal, plain lines in a pipe, or nothing. */
export interface Progress {
  /** A live display for a person at a terminal (not a log, not quiet). */
  readonly interactive: boolean;
  start(jobs: readonly JobRef[], now: number): void;
  event(event: PollEvent): void;
  /** A line for stderr (a warning, a --verbose log) that must not tear the spinner. */
  log(line: string): void;
  /** Writes to stdout (a summary) without tearing the spinner. */
  writeOut(text: string): void;
  /**
   * How often tick() wants calling (rarely, for heartbeats in a log); undefined for a display that
   * keeps its own time (the terminal's, which redraws with its spinner).
   */
  readonly tickMs: number | undefined;
  /** Refreshes elapsed times and ETAs, or writes a heartbeat. */
  tick(now: number): void;
  /** Ends live output for good; the cursor is visible again. */
  stop(): void;
}
