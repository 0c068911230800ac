import { sanitize } from '../core/sanitize.js';
import type { JobResult } from '../poll/job.js';

/**
 * The bell and an OSC 9 desktop notification for a long watch that ended in a terminal (terminals
 * that do not know OSC 9 ignore it). Null when there is nothing to send.
 */
export function doneNotification(
  results: readonly JobResult[],
  elapsedMs: number,
  afterMs: number | undefined,
): string | null {
  if (afterMs === undefined || elapsedMs < afterMs || results.length === 0) return null;
  const ok = results.filter((r) => r.outcome === 'succeeded').length;
  const message =
    results.length === 1
      ? `export ${sanitize(results[0]?.job.id ?? '', 60)}: ${results[0]?.outcome}`
      : `${results.length} exports finished: ${ok} succeeded, ${results.length - ok} did not`;
  return `\u0007\u001b]9;export-status: ${sanitize(message, 200)}\u0007`;
}
