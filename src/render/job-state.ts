import { type ExportStatus, type Phase, phaseOf } from '../api/schema.js';
import type { JobRef } from '../api/urls.js';
import type { Eta } from '../poll/eta.js';
import { Pace } from '../poll/pace.js';
import type { PollEvent } from '../poll/poller.js';

/** What the live display remembers of one job, fed by its events. */
export class JobState {
  status: ExportStatus | undefined;
  /** The poller's estimate of the finish, from the last answer. */
  eta: Eta | undefined;
  retry: { reason: string; until: number; attempt: number } | undefined;
  /** --wait-for-create: the job answered 404 and is given until then to appear. */
  waitingUntil: number | undefined;
  done = false;
  /** Whether the job moves, from the answers' changes. */
  readonly pace: Pace;

  constructor(
    readonly job: JobRef,
    readonly startedAt: number,
    /** How the display names the job: told apart from the others it shows. */
    public label: string = job.id,
  ) {
    this.pace = new Pace(startedAt);
  }

  /** The server's estimatedCompletion, as last sent. */
  get serverEstimate(): number | undefined {
    const estimate = this.status?.estimatedCompletion;
    const at = estimate ? Date.parse(estimate) : Number.NaN;
    return Number.isNaN(at) ? undefined : at;
  }

  get phase(): Phase | undefined {
    return this.status ? phaseOf(this.status) : undefined;
  }

  apply(event: PollEvent): void {
    switch (event.type) {
      case 'poll':
        this.pace.observe(event.at, event.changed);
        this.status = event.status;
        this.eta = event.eta;
        this.retry = undefined;
        this.waitingUntil = undefined;
        break;
      case 'retry':
        this.retry = { reason: event.reason, until: event.at + event.delayMs, attempt: event.attempt };
        break;
      case 'result':
        this.done = true;
        break;
      case 'waiting':
        this.waitingUntil = event.until;
        break;
      case 'warning':
        break;
    }
  }
}
