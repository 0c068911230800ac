import { type ExportStatus, type Phase, phaseOf } from '../api/schema.js';
import type { JobRef } from '../api/urls.js';
import type { Eta } from '../poll/eta.js';
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
  /** When status or progress last changed (the start, until the first answer). */
  lastChangeAt: number;

  constructor(
    readonly job: JobRef,
    readonly startedAt: number,
    /** How the display names the job: told apart from the others it shows. */
    readonly label: string = job.id,
  ) {
    this.lastChangeAt = startedAt;
  }

  get phase(): Phase | undefined {
    return this.status ? phaseOf(this.status) : undefined;
  }

  apply(event: PollEvent): void {
    switch (event.type) {
      case 'poll':
        if (event.changed) this.lastChangeAt = event.at;
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
