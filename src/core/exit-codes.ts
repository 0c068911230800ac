/** The only place exit codes live (docs/CONTRACT.md, "Exit codes"). Identical for every command. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  timeout: 3,
  unavailable: 4,
  invalid: 5,
  /** --stall-timeout: nothing changed for that long (stuck, not slow). */
  stalled: 6,
  /** --verify-delivery: the job succeeded, and nothing new is at its destination. */
  undelivered: 7,
  sigint: 130,
  sigterm: 143,
  /** A bug in export-status itself (EX_SOFTWARE): no job outcome produces it. */
  internal: 70,
  /** stdout or stderr could not be written (EX_IOERR): a full disk, a closed file. */
  output: 74,
  /** The reader of stdout went away (`| head -1`): 128 + SIGPIPE, as Unix tools end. */
  brokenPipe: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * How one job ended. `running` is only produced by `get`/`parse` on a job that has not finished
 * (the spec's outcome list has no word for "fetched, still going"; it exits 0).
 */
export type Outcome =
  | 'succeeded'
  | 'running'
  | 'failed'
  | 'timeout'
  | 'stalled'
  | 'error'
  | 'invalid'
  | 'interrupted'
  /** --verify-delivery: Successful, but nothing new at the destination. */
  | 'undelivered'
  /** --fail-fast: left unwatched because another job failed first; it has that job's exit code. */
  | 'abandoned';

/**
 * The signals that end a run as an interruption, and the exit code of each, 128 + its number as
 * shells report a death by it: a closed terminal (SIGHUP), Ctrl-C, Ctrl-\\, SIGUSR2, SIGTERM.
 */
export const INTERRUPTS = { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGUSR2: 140, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof INTERRUPTS;
const INTERRUPT_CODES: ReadonlySet<number> = new Set(Object.values(INTERRUPTS));

/** The exit code of an outcome; an interruption's depends on the signal (SIGINT when not said). */
export function exitCodeFor(outcome: Outcome, signal?: InterruptSignal): number {
  switch (outcome) {
    case 'succeeded':
    case 'running':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.failed;
    case 'timeout':
      return ExitCode.timeout;
    case 'stalled':
      return ExitCode.stalled;
    case 'error':
      return ExitCode.unavailable;
    case 'invalid':
      return ExitCode.invalid;
    case 'undelivered':
      return ExitCode.undelivered;
    case 'abandoned':
      // The run gives it the code of the job that failed first; alone, never a 0.
      return ExitCode.failed;
    case 'interrupted':
      return (
        (signal && Object.hasOwn(INTERRUPTS, signal) ? INTERRUPTS[signal] : undefined) ?? ExitCode.sigint
      );
  }
}

/** Several jobs: the highest code wins, except that an interruption always wins. */
export function combineExitCodes(codes: readonly number[]): number {
  const highest = (list: readonly number[]) => list.reduce((a, b) => Math.max(a, b), 0);
  const interrupted = codes.filter((code) => INTERRUPT_CODES.has(code));
  return interrupted.length > 0 ? highest(interrupted) : highest(codes);
}
