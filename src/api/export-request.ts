import * as z from 'zod/mini';
import { type FieldIssue, toFieldIssues } from './schema.js';

const NONEMPTY = 'expected a non-empty string';

/**
 * The KnowledgeExport request body of POST /content/export, as far as the API documents it: the
 * fields it requires are checked, anything else is passed through as given.
 */
const knowledgeExportSchema = z.looseObject({
  portalID: z.string({ error: NONEMPTY }).check(z.minLength(1, { error: NONEMPTY })),
  language: z.looseObject(
    { code: z.string({ error: NONEMPTY }).check(z.minLength(1, { error: NONEMPTY })) },
    { error: 'expected an object like {"code": "en-US"}' },
  ),
  resourceTypes: z
    .array(z.string({ error: 'expected a string' }), { error: 'expected a list of resource types' })
    .check(z.minLength(1, { error: 'expected at least one resource type' })),
  dataDestination: z.optional(z.looseObject({}, { error: 'expected an object' })),
});

export type KnowledgeExport = z.output<typeof knowledgeExportSchema>;

export type ExportRequestResult = { ok: true; value: KnowledgeExport } | { ok: false; issues: FieldIssue[] };

/** Validates a request body; every offending field is named. Never throws. */
export function parseExportRequest(input: unknown): ExportRequestResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '(body)', message: 'expected a JSON object' }] };
  }
  const result = knowledgeExportSchema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: toFieldIssues(result.error.issues, input) };
}
