import { type ExportStatus, normaliseStatus, type Phase } from '../api/schema.js';
import type { JobRef } from '../job.js';
import { EtaTracker } from '../poll/eta.js';
import type { PollEvent } from '../poll/poller.js';

/** What the progress displays remember of one job, fed by its events. */
export class JobState {
  status: ExportStatus | undefined;
  retry: { reason: string; until: number; attempt: number } | undefined;
  /** --wait-for-create: the job answered 404 and is given until then to appear. */
  waitingUntil: number | undefined;
  done = false;
  readonly eta = new EtaTracker();

  constructor(
    readonly job: JobRef,
    readonly startedAt: number,
  ) {}

  get phase(): Phase | undefined {
    return this.status ? normaliseStatus(this.status.status).phase : undefined;
  }

  apply(event: PollEvent): void {
    switch (event.type) {
      case 'poll':
        this.status = event.status;
        this.retry = undefined;
        this.waitingUntil = undefined;
        this.eta.observe(event.at, event.status);
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
