import { type ExportStatus, isTerminal, phaseOf } from '../api/schema.js';
import { plural } from '../core/words.js';
import type { FailOn } from './rules.js';

/** What one status says about its job: finished or not, and if so how. */
export interface Verdict {
  /** `running` when the job has not finished (pending, in progress, or a status nobody knows). */
  outcome: 'succeeded' | 'failed' | 'running';
  /** Why it failed, or null. */
  error: string | null;
  terminal: boolean;
}

/**
 * The one rule for turning a status into an outcome, used by the poller and by `parse`.
 * `unreadable`: the paths of fields the lenient parser dropped (`results.errors`…); a count that
 * could not be read never passes for zero under --fail-on.
 */
export function verdictOf(status: ExportStatus, failOn: FailOn, unreadable: readonly string[] = []): Verdict {
  const phase = phaseOf(status);
  if (!isTerminal(phase)) return { outcome: 'running', error: null, terminal: false };
  if (phase === 'failed')
    return { outcome: 'failed', error: status.error ?? 'the export failed', terminal: true };
  if (phase === 'cancelled') {
    return { outcome: 'failed', error: status.error ?? 'the export was cancelled', terminal: true };
  }
  const crossed = failOnCrossed(status, failOn) ?? unreadableCount(unreadable, failOn);
  return { outcome: crossed ? 'failed' : 'succeeded', error: crossed, terminal: true };
}

/** Why --fail-on cannot pass a job whose counts it needs could not be read, or null. */
function unreadableCount(unreadable: readonly string[], failOn: FailOn): string | null {
  const needed =
    failOn === 'errors'
      ? ['results.errors']
      : failOn === 'warnings'
        ? ['results.errors', 'results.warnings']
        : [];
  const path = unreadable.find((p) => p === 'results' || needed.includes(p));
  if (!path || needed.length === 0) return null;
  return `${path} could not be read, so --fail-on ${failOn} cannot pass the job`;
}

/** The --fail-on verdict on a successful job: null when it passes, else why it fails. */
function failOnCrossed(status: ExportStatus, failOn: FailOn): string | null {
  const errors = status.results?.errors ?? 0;
  const warnings = status.results?.warnings ?? 0;
  if (failOn !== 'never' && errors > 0) return `${plural(errors, 'error')} reported (--fail-on ${failOn})`;
  if (failOn === 'warnings' && warnings > 0)
    return `${plural(warnings, 'warning')} reported (--fail-on warnings)`;
  return null;
}
