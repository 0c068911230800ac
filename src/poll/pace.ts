/** Answers in a row that bring no change before a job can read as stopped. */
export const STOPPED_AFTER_POLLS = 3;
/** …and nothing has moved for this many of its usual gaps between changes (a bursty job is not stuck). */
const USUAL_GAPS = 2;
/** How much the newest gap weighs in the usual gap. */
const GAP_WEIGHT = 0.3;

/**
 * Tells a stopped job from a slow one, from the answers the watch gets: stopped when the last
 * few answers brought no change of status or progress and nothing has moved for twice the job's
 * usual gap between changes. A job that moves every poll reads as stopped three polls after it
 * stops; one that moves in bursts every three minutes, six minutes after its last burst.
 */
export class Pace {
  private lastChangeAt: number;
  private unchanged = 0;
  private changes = 0;
  private gapMs: number | undefined;

  constructor(startedAt: number) {
    this.lastChangeAt = startedAt;
  }

  /** An answer came at `at`; `changed`: its status or progress differs from the one before. */
  observe(at: number, changed: boolean): void {
    if (!changed) {
      this.unchanged++;
      return;
    }
    // The first answer is a change from nothing: no gap to measure yet.
    if (this.changes > 0) {
      const gap = at - this.lastChangeAt;
      this.gapMs = this.gapMs === undefined ? gap : this.gapMs + GAP_WEIGHT * (gap - this.gapMs);
    }
    this.changes++;
    this.lastChangeAt = at;
    this.unchanged = 0;
  }

  /** How long nothing has moved, when that reads as stopped rather than slow; else undefined. */
  stoppedFor(now: number): number | undefined {
    if (this.unchanged < STOPPED_AFTER_POLLS) return undefined;
    const still = now - this.lastChangeAt;
    if (still < USUAL_GAPS * (this.gapMs ?? 0)) return undefined;
    return still;
  }
}
