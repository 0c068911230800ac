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

/** The one rule for turning a status into an outcome, used by the poller and by `parse`. */
export function verdictOf(status: ExportStatus, failOn: FailOn): Verdict {
  const phase = phaseOf(status);
  if (!isTerminal(phase)) return { outcome: 'running', error: null, terminal: false };
  if (phase === 'failed')
    return { outcome: 'failed', error: status.error ?? 'the export failed', terminal: true };
  if (phase === 'cancelled') {
    return { outcome: 'failed', error: status.error ?? 'the export was cancelled', terminal: true };
  }
  const crossed = failOnCrossed(status, failOn);
  return { outcome: crossed ? 'failed' : 'succeeded', error: crossed, terminal: true };
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
