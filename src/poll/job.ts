import type { ExportStatus } from '../api/schema.js';
import type { JobRef } from '../api/urls.js';
import type { Outcome } from '../core/exit-codes.js';

/** How a job ended: what the summary, the JSON document and the exit code are made from. */
export interface JobResult {
  job: JobRef;
  outcome: Outcome;
  exitCode: number;
  /** The last valid ExportStatus, or null if none was ever had. */
  status: ExportStatus | null;
  /** The last valid body as it came, unknown fields included. */
  raw: Record<string, unknown> | null;
  /** One line saying what went wrong, or null when the outcome is `succeeded`/`running`. */
  error: string | null;
  polls: number;
  elapsedMs: number;
}
