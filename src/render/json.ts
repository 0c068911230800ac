import { knownStatusKeys } from '../api/schema.js';
import type { JobResult } from '../poll/job.js';
import type { PollEvent } from '../poll/poller.js';

/** The `--output json` document of one job (docs/CONTRACT.md); unknown server fields are kept under `raw`. */
export interface ResultDocument {
  job: string;
  url: string;
  outcome: JobResult['outcome'];
  exitCode: number;
  status: JobResult['status'];
  error: string | null;
  polls: number;
  elapsedMs: number;
  raw?: Record<string, unknown>;
}

export function resultDocument(result: JobResult): ResultDocument {
  const doc: ResultDocument = {
    job: result.job.id,
    url: result.job.url,
    outcome: result.outcome,
    exitCode: result.exitCode,
    status: result.status,
    error: result.error,
    polls: result.polls,
    elapsedMs: result.elapsedMs,
  };
  const raw = unknownFields(result.raw);
  if (raw) doc.raw = raw;
  return doc;
}

/** The fields of a body that the status schema does not know, as sent; undefined when none. */
export function unknownFields(body: Record<string, unknown> | null): Record<string, unknown> | undefined {
  const known = knownStatusKeys();
  const extras = Object.entries(body ?? {}).filter(([key]) => !known.has(key));
  return extras.length > 0 ? Object.fromEntries(extras) : undefined;
}

/** One `--output ndjson` line for an event, or null for events that format has no line for. */
export function eventDocument(event: PollEvent): Record<string, unknown> | null {
  const at = new Date(event.at).toISOString();
  switch (event.type) {
    case 'poll': {
      const eta = event.eta ? { at: new Date(event.eta.at).toISOString(), source: event.eta.source } : null;
      return { type: 'poll', job: event.job.id, at, status: event.status, changed: event.changed, eta };
    }
    case 'retry':
      return {
        type: 'retry',
        job: event.job.id,
        at,
        reason: event.reason,
        delayMs: event.delayMs,
        attempt: event.attempt,
      };
    case 'waiting':
      return {
        type: 'waiting',
        job: event.job.id,
        at,
        reason: event.reason,
        delayMs: event.delayMs,
        until: new Date(event.until).toISOString(),
      };
    case 'warning':
      return { type: 'warning', job: event.job.id, at, message: event.message };
    case 'result':
      return { type: 'result', ...resultDocument(event.result) };
  }
}

// JSON.stringify escapes C0 controls but not DEL, C1 controls or bidi overrides, which some
// terminals act on. Escaping them keeps the data intact and the terminal safe.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One line of JSON, safe to print on a terminal. A value too deep to serialise loses its `raw`. */
export function jsonLine(value: object): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    const { raw: _dropped, ...rest } = value as { raw?: unknown };
    text = JSON.stringify({ ...rest, raw: null });
  }
  return `${text.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
