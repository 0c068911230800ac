import { type ExportStatus, percentOf } from '../api/schema.js';

export interface Eta {
  /** Epoch ms of the expected finish. */
  at: number;
  /** `server`: estimatedCompletion; `rate`: extrapolated from the progress seen so far. */
  source: 'server' | 'rate';
}

/** The least progress (in percentage points) seen before a rate is trusted. */
const MIN_RATE_PROGRESS = 0.5;

/**
 * Estimates when a job will finish: the server's estimatedCompletion when it gives one, else the
 * rate observed since the first progress this watch saw. Pure apart from its own memory.
 */
export class EtaTracker {
  private first: { at: number; pct: number } | undefined;
  private last: { at: number; pct: number } | undefined;
  private estimate: number | undefined;

  observe(at: number, status: ExportStatus): void {
    this.estimate = status.estimatedCompletion ? Date.parse(status.estimatedCompletion) : undefined;
    const pct = percentOf(status);
    if (pct === undefined) return;
    if (!this.first || pct < this.first.pct) this.first = { at, pct };
    this.last = { at, pct };
  }

  eta(): Eta | undefined {
    if (this.estimate !== undefined) return { at: this.estimate, source: 'server' };
    return this.rateEta();
  }

  /** The finish the progress seen so far points to, whatever the server estimates. */
  rateEta(): Eta | undefined {
    const { first, last } = this;
    if (!first || !last || last.pct - first.pct < MIN_RATE_PROGRESS || last.at <= first.at) return undefined;
    const rate = (last.pct - first.pct) / (last.at - first.at);
    return { at: Math.round(last.at + (100 - last.pct) / rate), source: 'rate' };
  }
}
