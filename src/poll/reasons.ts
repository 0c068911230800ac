import type { Hint } from '../api/client.js';
import type { FailOn } from './rules.js';

/**
 * Why a watch ended other than with success, as data. The poller decides what happened; the
 * front end that runs it (the CLI, the library) words it, naming its settings in its own words
 * (`--max-retries` for one, `maxRetries` for the other).
 */
export type EndReason =
  /** The server said the job failed or was cancelled; `message` is its own (sanitised on output). */
  | { kind: 'job-failed'; message: string | undefined; cancelled: boolean }
  /** A successful job whose results cross the fail-on threshold. */
  | { kind: 'fail-on'; failOn: FailOn; count: number; what: 'error' | 'warning' }
  /** A successful job whose count the fail-on threshold needs could not be read, or was not sent. */
  | { kind: 'unreadable-count'; failOn: FailOn; path: string; missing?: boolean }
  /** Too many transient failures in a row. */
  | { kind: 'retries-exhausted'; cause: TransientCause; attempts: number; maxRetries: number }
  /** `deadlineAt`: it was --deadline that passed, not --timeout. */
  | { kind: 'timeout'; timeoutMs: number; lastStatus: string | undefined; deadlineAt?: number | undefined }
  | { kind: 'stalled'; stallMs: number; lastStatus: string | undefined }
  /** No status can be had this way (a 4xx, a certificate problem…). */
  | { kind: 'final'; reason: string; hint?: Hint | undefined }
  /** The server's answer is not an ExportStatus. */
  | { kind: 'invalid'; reason: string; hint?: Hint | undefined }
  | { kind: 'interrupted'; signal: string };

/** A transient failure: the client's description, and the time limit when it was a timeout. */
export interface TransientCause {
  reason: string;
  timeoutMs?: number | undefined;
}

/** How a front end words what the poller reports. */
export interface Wording {
  /** One line for the result's `error`. */
  end(reason: EndReason): string;
  /** One line for a retry event. */
  transient(cause: TransientCause): string;
}
