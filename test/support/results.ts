import type { ExportStatus } from '../../src/api/schema.js';
import type { JobResult } from '../../src/poll/job.js';

/** A successful export of 4,500 items that took 1 h 25 min, with 10 warnings and 5 errors. */
export const SUCCEEDED: Readonly<ExportStatus> = Object.freeze({
  status: 'Successful',
  progress: { processed: 4500, total: 4500, percentage: 100 },
  startTime: '2025-09-15T10:00:00.000Z',
  completionTime: '2025-09-15T11:25:00.000Z',
  results: { successful: 4485, warnings: 10, errors: 5 },
});

/** A job's result for renderer tests: SUCCEEDED unless `over` says otherwise. */
export function jobResult(over: Partial<JobResult> = {}): JobResult {
  return {
    job: { id: '7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B', url: 'https://x/content/export/7A84B875/status' },
    outcome: 'succeeded',
    exitCode: 0,
    status: SUCCEEDED,
    raw: null,
    error: null,
    polls: 12,
    elapsedMs: 61_234,
    ...over,
  };
}
