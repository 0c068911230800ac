// The documents `--output json` and `--output ndjson` print, as zod schemas: the JSON Schemas
// shipped in schemas/ are generated from these (npm run schemas), and the tests validate real
// output against them, so scripts in other languages can rely on what they read.
import * as z from 'zod/mini';

const count = z.int().check(z.minimum(0));
/**
 * A count of the status document: any integer, as the published schema has it (--strict takes a
 * negative count or one above 2^53; the lenient parser drops them).
 */
const statusCount = z.number().check(z.multipleOf(1));
/** ISO-8601 UTC, as every date in the output is normalised to. */
const isoDate = z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
const OUTCOMES = [
  'succeeded',
  'running',
  'failed',
  'timeout',
  'stalled',
  'error',
  'invalid',
  'interrupted',
  'undelivered',
  'abandoned',
] as const;

/** A normalised ExportStatus: canonical status name, camelCase keys, ISO-8601 UTC dates. */
export const exportStatusDocument = z.strictObject({
  status: z.string(),
  progress: z.optional(
    z.strictObject({
      processed: z.optional(statusCount),
      total: z.optional(statusCount),
      percentage: z.optional(z.number()),
    }),
  ),
  startTime: z.optional(isoDate),
  estimatedCompletion: z.optional(isoDate),
  completionTime: z.optional(isoDate),
  failureTime: z.optional(isoDate),
  results: z.optional(
    z.strictObject({
      successful: z.optional(statusCount),
      warnings: z.optional(statusCount),
      errors: z.optional(statusCount),
    }),
  ),
  error: z.optional(z.string()),
});

const resultFields = {
  job: z.string(),
  url: z.string(),
  outcome: z.enum(OUTCOMES),
  exitCode: z.int(),
  status: z.nullable(exportStatusDocument),
  error: z.nullable(z.string()),
  polls: count,
  elapsedMs: count,
  /** Fields the server sent that the schema does not know, as sent. */
  raw: z.optional(z.record(z.string(), z.unknown())),
  /** --verify-delivery: the new files at the destination. */
  delivery: z.optional(
    z.strictObject({
      destination: z.string(),
      files: z.array(z.strictObject({ name: z.string(), size: count, modified: isoDate })),
      totalFiles: count,
      totalBytes: count,
    }),
  ),
};

/** One line of `--output json`: how one job ended. */
export const resultDocumentSchema = z.strictObject(resultFields);

/** One line of `--output ndjson`: an answer, a retry, or the end of a job. */
export const eventDocumentSchema = z.union([
  z.strictObject({
    type: z.literal('poll'),
    job: z.string(),
    at: isoDate,
    status: exportStatusDocument,
    /** Whether status or progress changed since the previous answer. */
    changed: z.boolean(),
    /** When the job should finish: the server's estimate, or the rate seen so far. */
    eta: z.nullable(z.strictObject({ at: isoDate, source: z.enum(['server', 'rate']) })),
  }),
  z.strictObject({
    type: z.literal('retry'),
    job: z.string(),
    at: isoDate,
    reason: z.string(),
    delayMs: count,
    attempt: count,
  }),
  z.strictObject({
    type: z.literal('waiting'),
    job: z.string(),
    at: isoDate,
    reason: z.string(),
    delayMs: count,
    until: isoDate,
  }),
  z.strictObject({ type: z.literal('warning'), job: z.string(), at: isoDate, message: z.string() }),
  z.strictObject({ type: z.literal('result'), ...resultFields }),
]);

/** What `parse --json` prints: the normalised document, and what it did not know under `raw`. */
export const parseDocumentSchema = z.strictObject({
  ...exportStatusDocument.shape,
  raw: z.optional(z.record(z.string(), z.unknown())),
});

/** The JSON Schemas shipped in schemas/, by file name. */
export function documentJsonSchemas(): Record<string, unknown> {
  const titled = (schema: z.core.$ZodType, title: string, description: string) => ({
    ...z.toJSONSchema(schema),
    title,
    description,
  });
  return {
    'result.schema.json': titled(
      resultDocumentSchema,
      'export-status --output json',
      'One line of `export-status watch|get --output json`: how one export job ended.',
    ),
    'event.schema.json': titled(
      eventDocumentSchema,
      'export-status --output ndjson',
      'One line of `export-status watch|get --output ndjson`: an answer, a retry, or the end of a job.',
    ),
    'export-status.schema.json': titled(
      parseDocumentSchema,
      'export-status parse --json',
      'A normalised ExportStatus document, as `export-status parse --json` prints it; fields the schema does not know are kept under `raw`, as sent.',
    ),
  };
}
