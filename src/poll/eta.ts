import { type ExportStatus, percentOf, phaseOf } from '../api/schema.js';

export interface Eta {
  /** Epoch ms of the expected finish. */
  at: number;
  /** `rate`: extrapolated from recent progress; `server`: estimatedCompletion, when no rate is known yet. */
  source: 'server' | 'rate';
}

/** The least progress (in percentage points) a rate is measured over. */
const MIN_RATE_PROGRESS = 0.5;
/** The rate is the progress of about the last two minutes: recent enough to follow a change of pace. */
export const RATE_WINDOW_MS = 120_000;
/** Change points kept at most (a slow job on a short interval would otherwise keep them all). */
const MAX_SAMPLES = 500;

interface Sample {
  at: number;
  pct: number;
}

/**
 * Estimates when a job will finish, from the rate of its recent progress: the progress between a
 * point about two minutes back (further when less than half a point was made since) and the last
 * answer. A job that slows down is estimated at its new pace within minutes, and a job that stops
 * sees its rate fall with every answer that brings nothing. A job already running when the watch
 * begins is measured from its `startTime` (0 % then) until the watch has a window of its own.
 * The server's estimatedCompletion is the estimate only while no rate is known: it goes stale.
 * Pure apart from its own memory.
 */
export class EtaTracker {
  /** Points where the percentage changed, oldest first. */
  private samples: Sample[] = [];
  private latest: Sample | undefined;
  private estimate: number | undefined;

  observe(at: number, status: ExportStatus): void {
    const estimate = status.estimatedCompletion ? Date.parse(status.estimatedCompletion) : Number.NaN;
    this.estimate = Number.isNaN(estimate) ? undefined : estimate;
    const pct = percentOf(status);
    if (pct === undefined) return;
    const previous = this.latest;
    const latest = { at, pct };
    this.latest = latest;
    if (!previous) this.seed(at, status);
    else if (pct < previous.pct) this.samples = [];
    else if (pct === previous.pct) return;
    this.samples.push(latest);
    this.trim(latest);
  }

  /** The best estimate: the rate's, else the server's. */
  eta(): Eta | undefined {
    return this.rateEta() ?? this.serverEta();
  }

  /** The server's estimatedCompletion, as last sent. */
  serverEta(): Eta | undefined {
    return this.estimate === undefined ? undefined : { at: this.estimate, source: 'server' };
  }

  /** The finish the recent progress points to, whatever the server estimates. */
  rateEta(): Eta | undefined {
    const [base] = this.samples;
    if (!base) return undefined;
    // A sample is an answer, so two of them with more than half a point between are apart in time.
    const last = this.latest ?? base;
    if (last.pct - base.pct < MIN_RATE_PROGRESS) return undefined;
    const rate = (last.pct - base.pct) / (last.at - base.at);
    return { at: Math.round(last.at + (100 - last.pct) / rate), source: 'rate' };
  }

  /** A job found running with progress: it made that progress since its startTime. */
  private seed(at: number, status: ExportStatus): void {
    if (phaseOf(status) !== 'running' || !status.startTime) return;
    const started = Date.parse(status.startTime);
    if (started < at) this.samples.push({ at: started, pct: 0 });
  }

  /** Drops change points older than the window, while the next one still spans enough progress. */
  private trim(latest: Sample): void {
    const { samples } = this;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a bound on memory only; the window keeps far fewer.
    while (samples.length > MAX_SAMPLES) samples.shift();
    // The newest change point never goes: it is within the window.
    for (let next = samples[1]; next; next = samples[1]) {
      if (next.at > latest.at - RATE_WINDOW_MS || latest.pct - next.pct < MIN_RATE_PROGRESS) break;
      samples.shift();
    }
  }
}
