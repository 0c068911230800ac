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
  /** --verify-delivery: what the export wrote to its destination (absent when not verified). */
  delivery?: Delivery | undefined;
}

/** What was delivered: the new files at the destination, and their totals. */
export interface Delivery {
  /** "s3://bucket/folder/". */
  destination: string;
  files: Array<{ name: string; size: number; modified: string }>;
  totalFiles: number;
  totalBytes: number;
}
