import type { ExportStatus } from './api/schema.js';
import type { Outcome } from './exit-codes.js';
import { sanitize } from './io/sanitize.js';

/** One job as the user named it: an ID joined to the base URL, or a full status URL. */
export interface JobRef {
  /** The job ID (the path segment before /status), or the URL itself when none can be found. */
  id: string;
  /** The status URL polled. */
  url: string;
}

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

/**
 * A short, printable form of an ID for one-line displays: the first block of a UUID, else the
 * first 13 characters. IDs come from users and servers, so it is sanitised here, once for all callers.
 */
export function shortId(raw: string): string {
  const id = sanitize(raw, 100);
  const uuid = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(id);
  if (uuid?.[1]) return uuid[1];
  return id.length > 14 ? `${id.slice(0, 13)}…` : id;
}
