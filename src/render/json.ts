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
  delivery?: JobResult['delivery'];
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
  if (result.delivery) doc.delivery = result.delivery;
  return doc;
}

/** The fields the schema knows inside its objects: any other is kept under `raw`, by its object's key. */
const NESTED_KNOWN: Readonly<Record<string, ReadonlySet<string>>> = {
  progress: new Set(['processed', 'total', 'percentage']),
  results: new Set(['successful', 'warnings', 'errors']),
};

/** How deep `raw` goes: a value nested deeper is replaced by a note (it could not be printed). */
export const MAX_RAW_DEPTH = 64;
const TOO_DEEP = `(nested deeper than ${MAX_RAW_DEPTH} levels: left out)`;

/**
 * The fields of a body that the status schema does not know, as sent (at most 64 levels deep);
 * undefined when none. Unknown fields inside `progress` and `results` are kept too, under
 * `raw.progress` and `raw.results`.
 */
export function unknownFields(body: Record<string, unknown> | null): Record<string, unknown> | undefined {
  const known = knownStatusKeys();
  const extras: Array<[string, unknown]> = Object.entries(body ?? {}).filter(([key]) => !known.has(key));
  for (const [key, fields] of Object.entries(NESTED_KNOWN)) {
    const value = body?.[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const nested = Object.entries(value).filter(([field]) => !fields.has(field));
    if (nested.length > 0) extras.push([key, Object.fromEntries(nested)]);
  }
  return extras.length > 0 ? (bounded(Object.fromEntries(extras), 0) as Record<string, unknown>) : undefined;
}

/** `value` with whatever lies deeper than MAX_RAW_DEPTH replaced by a note: it always serialises. */
function bounded(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_RAW_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => bounded(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bounded(item, depth + 1)]));
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

/** One line of JSON, safe to print on a terminal. (`raw` is bounded in depth: it always serialises.) */
export function jsonLine(value: object): string {
  const text = JSON.stringify(value);
  return `${text.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
