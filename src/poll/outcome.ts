import { type ExportStatus, isTerminal, phaseOf } from '../api/schema.js';
import type { EndReason } from './reasons.js';
import type { FailOn } from './rules.js';

/** What one status says about its job: finished or not, and if so how. */
export interface Verdict {
  /** `running` when the job has not finished (pending, in progress, or a status nobody knows). */
  outcome: 'succeeded' | 'failed' | 'running';
  /** Why it failed, or null. */
  reason: EndReason | null;
  terminal: boolean;
}

/**
 * The one rule for turning a status into an outcome, used by the poller and by `parse`.
 * `unreadable`: the paths of fields the lenient parser dropped (`results.errors`…); a count that
 * could not be read never passes for zero under --fail-on.
 */
export function verdictOf(status: ExportStatus, failOn: FailOn, unreadable: readonly string[]): Verdict {
  const phase = phaseOf(status);
  if (!isTerminal(phase)) return { outcome: 'running', reason: null, terminal: false };
  if (phase === 'failed' || phase === 'cancelled') {
    const reason: EndReason = { kind: 'job-failed', message: status.error, cancelled: phase === 'cancelled' };
    return { outcome: 'failed', reason, terminal: true };
  }
  const crossed =
    failOnCrossed(status, failOn) ?? unreadableCount(unreadable, failOn) ?? missingCount(status, failOn);
  return { outcome: crossed ? 'failed' : 'succeeded', reason: crossed, terminal: true };
}

/** The counts --fail-on needs to pass a job. */
function neededCounts(failOn: FailOn): Array<'errors' | 'warnings'> {
  return failOn === 'errors' ? ['errors'] : failOn === 'warnings' ? ['errors', 'warnings'] : [];
}

/** Why --fail-on cannot pass a job whose counts it needs could not be read, or null. */
function unreadableCount(unreadable: readonly string[], failOn: FailOn): EndReason | null {
  const needed = neededCounts(failOn).map((count) => `results.${count}`);
  const path = unreadable.find((p) => p === 'results' || needed.includes(p));
  if (!path || needed.length === 0) return null;
  return { kind: 'unreadable-count', failOn, path };
}

/** Why --fail-on cannot pass a job that did not send a count it needs (it cannot tell), or null. */
function missingCount(status: ExportStatus, failOn: FailOn): EndReason | null {
  const count = neededCounts(failOn).find((name) => status.results?.[name] === undefined);
  return count ? { kind: 'unreadable-count', failOn, path: `results.${count}`, missing: true } : null;
}

/** The --fail-on verdict on a successful job: null when it passes, else why it fails. */
function failOnCrossed(status: ExportStatus, failOn: FailOn): EndReason | null {
  const errors = status.results?.errors ?? 0;
  const warnings = status.results?.warnings ?? 0;
  if (failOn !== 'never' && errors > 0) return { kind: 'fail-on', failOn, count: errors, what: 'error' };
  if (failOn === 'warnings' && warnings > 0)
    return { kind: 'fail-on', failOn, count: warnings, what: 'warning' };
  return null;
}
