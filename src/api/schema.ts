// zod/mini imported as a namespace: esbuild then keeps only what is used, a small part of zod,
// which takes a sizeable share off every start that parses a document (BENCHMARKS.md).
import * as z from 'zod/mini';
import { truncate } from '../core/sanitize.js';

/** Bodies over this are an invalid response; nothing larger is ever buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

const COUNT = 'expected a non-negative integer';
const INTEGER = 'expected an integer';
const NUMBER = 'expected a number';
const PERCENT = 'expected a number from 0 to 100';
const DATE = 'expected an ISO-8601 date-time with a time zone';
const TEXT = 'expected a string';
const OBJECT = 'expected an object';

/**
 * Java back ends send `+0000` offsets and may leave out the seconds (`2025-09-15T10:00Z`); the
 * official SDK accepts both, and so does this, in lenient and strict mode alike.
 */
export function normaliseDateTime(text: string): string {
  return text
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    .replace(/T(\d{2}:\d{2})(?=Z$|[+-]\d{2}:\d{2}$)/i, 'T$1:00');
}

/** The four status values of the published schema, as it writes them. */
export const SCHEMA_STATUSES = ['Pending', 'In Progress', 'Successful', 'Failed'] as const;

/**
 * The ExportStatus document. One builder, two modes. The lenient schema strips unknown keys (the
 * caller keeps the raw body) and holds values to what makes sense (counts non-negative, a
 * percentage 0–100); the strict one is exactly the published schema: its four status values as
 * written, camelCase keys only, the declared types (any integer, any number), nothing else.
 */
function exportStatusSchema(strict: boolean) {
  const count = strict
    ? z.number({ error: INTEGER }).check(z.refine((n) => Number.isInteger(n), { error: INTEGER }))
    : z.int({ error: COUNT }).check(z.minimum(0, { error: COUNT }));
  const percentage = strict
    ? z.number({ error: NUMBER })
    : z
        .number({ error: PERCENT })
        .check(z.minimum(0, { error: PERCENT }), z.maximum(100, { error: PERCENT }));
  const dateTime = z.pipe(
    z.pipe(z.string({ error: DATE }), z.transform(normaliseDateTime)),
    z.pipe(
      z.iso
        .datetime({ offset: true, error: DATE })
        .check(z.refine((s) => !Number.isNaN(Date.parse(s)), { error: DATE })),
      z.transform((s: string) => new Date(s).toISOString()),
    ),
  );
  const object = strict ? z.strictObject : z.object;
  return object(
    {
      status: strict
        ? z.enum(SCHEMA_STATUSES, { error: `expected ${SCHEMA_STATUSES.join(', ')}` })
        : z.string({ error: TEXT }),
      progress: z.optional(
        object(
          { processed: z.optional(count), total: z.optional(count), percentage: z.optional(percentage) },
          { error: OBJECT },
        ),
      ),
      startTime: z.optional(dateTime),
      estimatedCompletion: z.optional(dateTime),
      completionTime: z.optional(dateTime),
      failureTime: z.optional(dateTime),
      results: z.optional(
        object(
          { successful: z.optional(count), warnings: z.optional(count), errors: z.optional(count) },
          { error: OBJECT },
        ),
      ),
      error: z.optional(z.string({ error: TEXT })),
    },
    { error: OBJECT },
  );
}

type StatusSchema = ReturnType<typeof exportStatusSchema>;
// Each built the first time it is needed: building a schema is a sizeable part of start-up.
// Exported for the tests that hold the output schema and the shipped types to it.
const built: { strict?: StatusSchema; lenient?: StatusSchema } = {};
export function statusSchema(strict: boolean): StatusSchema {
  const mode = strict ? 'strict' : 'lenient';
  built[mode] ??= exportStatusSchema(strict);
  return built[mode];
}

/** A normalised ExportStatus: canonical status name, camelCase keys, ISO-8601 UTC dates. */
export type ExportStatus = z.output<StatusSchema>;

/** The WSErrorCommon error body of the API. Only what is displayed is required to be well-formed. */
function wsErrorCommon() {
  return z.object({
    code: z.optional(z.string()),
    developerMessage: z.optional(z.string()),
    userMessage: z.optional(z.string()),
    details: z.optional(z.array(z.object({ key: z.string(), value: z.optional(z.string()) }))),
  });
}
let wsErrorCommonBuilt: ReturnType<typeof wsErrorCommon> | undefined;
export function wsErrorCommonSchema(): ReturnType<typeof wsErrorCommon> {
  wsErrorCommonBuilt ??= wsErrorCommon();
  return wsErrorCommonBuilt;
}
export type WSErrorCommon = z.output<ReturnType<typeof wsErrorCommon>>;

// ---------------------------------------------------------------------------------------------
// Status normalisation

export type Phase = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

// A Map, not an object: a status such as "constructor" must not find Object.prototype's.
const CANONICAL = new Map<string, { name: string; phase: Phase }>([
  ['pending', { name: 'Pending', phase: 'pending' }],
  ['inprogress', { name: 'In Progress', phase: 'running' }],
  ['successful', { name: 'Successful', phase: 'succeeded' }],
  ['completed', { name: 'Successful', phase: 'succeeded' }],
  ['failed', { name: 'Failed', phase: 'failed' }],
  ['cancelled', { name: 'Cancelled', phase: 'cancelled' }],
  ['canceled', { name: 'Cancelled', phase: 'cancelled' }],
  ['aborted', { name: 'Cancelled', phase: 'cancelled' }],
]);

/** Each canonical name as itself: what a parsed status holds, looked up at every poll. */
const BY_NAME = new Map([...CANONICAL.values()].map((entry) => [entry.name, entry]));

/** Case-insensitive, ignoring spaces, `_` and `-`: "IN_PROGRESS", "in-progress" → In Progress. */
export function normaliseStatus(raw: string): { name: string; phase: Phase } {
  const named = BY_NAME.get(raw);
  if (named) return named;
  const key = raw.toLowerCase().replace(/[\s_-]+/g, '');
  return CANONICAL.get(key) ?? { name: raw, phase: 'unknown' };
}

export function phaseOf(status: ExportStatus): Phase {
  return normaliseStatus(status.status).phase;
}

export function isTerminal(phase: Phase): boolean {
  return phase === 'succeeded' || phase === 'failed' || phase === 'cancelled';
}

/** The percentage done: the server's, else processed/total, else undefined. */
export function percentOf(status: ExportStatus): number | undefined {
  const p = status.progress;
  if (!p) return undefined;
  if (p.percentage !== undefined) return p.percentage;
  // More processed than the total: the counts disagree, and no percentage is made up from them.
  if (p.processed !== undefined && p.total !== undefined && p.total > 0 && p.processed <= p.total) {
    return (p.processed / p.total) * 100;
  }
  return undefined;
}

/** "progress.processed (500) is greater than progress.total (10)", or undefined when they agree. */
export function progressDisagreement(status: ExportStatus): string | undefined {
  const p = status.progress;
  if (p?.processed === undefined || p.total === undefined || p.processed <= p.total) return undefined;
  return `progress.processed (${p.processed}) is greater than progress.total (${p.total}); shown as given`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** One problem with a document, by the path of the field it concerns. */
export interface FieldIssue {
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; value: ExportStatus; warnings: FieldIssue[]; raw: Record<string, unknown> }
  | { ok: false; issues: FieldIssue[] };

export interface ParseOptions {
  /** Any deviation from the documented fields makes the document invalid instead of being dropped. */
  strict?: boolean;
}

/** The snake_case spellings the Python SDK uses, and the keys they stand for. */
export const SNAKE_ALIASES: Readonly<Record<string, string>> = {
  start_time: 'startTime',
  estimated_completion: 'estimatedCompletion',
  completion_time: 'completionTime',
  failure_time: 'failureTime',
};

let known: ReadonlySet<string> | undefined;
/**
 * Every top-level key of the document as it may come: the schema's own and their snake_case
 * spellings. Read from the schema, so a new field is known wherever this is asked.
 */
export function knownStatusKeys(): ReadonlySet<string> {
  known ??= new Set([...Object.keys(statusSchema(false).shape), ...Object.keys(SNAKE_ALIASES)]);
  return known;
}

/** Parses the text of a response body or file: size cap, JSON, then the document. */
export function parseExportStatusText(text: string, options: ParseOptions = {}): ParseResult {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_BODY_BYTES) {
    return { ok: false, issues: [{ path: '(document)', message: `larger than 1 MiB (${bytes} bytes)` }] };
  }
  let json: unknown;
  try {
    // A byte-order mark may start a JSON text, and may be ignored (RFC 8259 §8.1).
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      issues: [{ path: '(document)', message: `not JSON (${truncate(reason, 120)}): ${quote(text, 60)}` }],
    };
  }
  return parseExportStatus(json, options);
}

/**
 * Validates a decoded document. In lenient mode an optional field with a bad value is dropped and
 * reported as a warning; `status` missing or not a string is always invalid. Never throws.
 */
export function parseExportStatus(input: unknown, options: ParseOptions = {}): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [{ path: '(document)', message: `expected a JSON object, got ${describe(input)}` }],
    };
  }
  const raw = input as Record<string, unknown>;
  const doc: Record<string, unknown> = { ...raw };
  // The published schema's keys are camelCase: --strict takes no other spelling.
  for (const [snake, camel] of options.strict ? [] : Object.entries(SNAKE_ALIASES)) {
    if (snake in doc) {
      if (!(camel in doc)) doc[camel] = doc[snake];
      delete doc[snake];
    }
  }
  if (typeof doc.status !== 'string') {
    const message = doc.status === undefined ? 'required, missing' : `${TEXT}, got ${describe(doc.status)}`;
    // Name every other offending field too, so one run of `parse` shows all that is wrong.
    const others = statusSchema(Boolean(options.strict)).safeParse({ ...doc, status: '' });
    const rest = others.success ? [] : toFieldIssues(others.error.issues, doc);
    return { ok: false, issues: [{ path: 'status', message }, ...rest] };
  }

  if (options.strict) {
    const result = statusSchema(true).safeParse(doc);
    if (!result.success) return { ok: false, issues: toFieldIssues(result.error.issues, doc) };
    return { ok: true, value: result.data, warnings: [], raw };
  }

  const warnings: FieldIssue[] = [];
  // Each round drops at least one field, so this ends; the bound is a belt for the braces.
  for (let round = 0; round < 32; round++) {
    const result = statusSchema(false).safeParse(doc);
    if (result.success) {
      return {
        ok: true,
        value: { ...result.data, status: normaliseStatus(result.data.status).name },
        warnings,
        raw,
      };
    }
    warnings.push(...toFieldIssues(result.error.issues, doc));
    for (const issue of result.error.issues) dropAt(doc, issue.path);
  }
  return { ok: false, issues: warnings };
}

/** One issue per field: a value can fail several checks, the first says enough. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], doc: unknown): FieldIssue[] {
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const fieldIssue = toFieldIssue(issue, doc);
    const key = `${fieldIssue.path}|${issue.code === 'unrecognized_keys' ? fieldIssue.message : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fieldIssue);
  }
  return out;
}

function toFieldIssue(issue: z.core.$ZodIssue, doc: unknown): FieldIssue {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => quote(k)).join(', ');
    return {
      path: path || '(document)',
      message: `unexpected field${issue.keys.length > 1 ? 's' : ''} ${keys}`,
    };
  }
  return {
    path: path || '(document)',
    message: `${issue.message}, got ${describe(valueAt(doc, issue.path))}`,
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Removes the value at `path` from `doc`, copying the objects along the way (the raw body is kept intact). */
function dropAt(doc: Record<string, unknown>, path: readonly PropertyKey[]): void {
  const [head, ...rest] = path;
  if (head === undefined || typeof head === 'symbol') return;
  const key = String(head);
  const child = doc[key];
  if (rest.length === 0 || typeof child !== 'object' || child === null) {
    delete doc[key];
    return;
  }
  const copy = { ...(child as Record<string, unknown>) };
  doc[key] = copy;
  dropAt(copy, rest);
}

/** A short, printable description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return quote(value);
  return String(value);
}

function quote(text: string, max = 40): string {
  return JSON.stringify(truncate(text, max));
}
