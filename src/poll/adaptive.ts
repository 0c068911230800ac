/**
 * --interval auto, pure: poll at the minimum right after a status change and near the
 * expected end; back off towards the maximum while the end is far, or, with no estimate at all,
 * a little more after every answer that brought no news.
 */

export interface AdaptiveSettings {
  minMs: number;
  maxMs: number;
}

/** Wait this share of the time that remains (or that the job is overdue by) before asking again. */
const REMAINING_SHARE = 0.1;
/** With nothing to estimate from, each quiet answer stretches the interval by this much. */
const QUIET_GROWTH = 1.5;

export interface AdaptiveInput {
  /** The delay chosen after the previous answer; undefined after the first. */
  previousMs: number | undefined;
  /** The status (not just progress) differs from the previous answer's. */
  statusChanged: boolean;
  /** Time until the expected end (negative when overdue), if anything estimates it. */
  remainingMs: number | undefined;
}

export function adaptiveInterval(input: AdaptiveInput, settings: AdaptiveSettings): number {
  const clamp = (ms: number) => Math.min(settings.maxMs, Math.max(settings.minMs, Math.round(ms)));
  if (input.statusChanged || input.previousMs === undefined) return settings.minMs;
  if (input.remainingMs !== undefined) return clamp(Math.abs(input.remainingMs) * REMAINING_SHARE);
  return clamp(input.previousMs * QUIET_GROWTH);
}
