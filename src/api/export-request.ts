import * as z from 'zod/mini';
import { type FieldIssue, toFieldIssues } from './schema.js';

const PORTAL_ID = /^[a-zA-Z0-9]{2,4}-\d{4,15}$/;
/** A language code's shape: two or three lowercase letters, a hyphen, two uppercase (fil-PH). */
const LANGUAGE_CODE = /^[a-z]{2,3}-[A-Z]{2}$/;

/** The export body's language codes, as the API's current description lists them. */
export const EXPORT_LANGUAGES = [
  'en-US',
  'fr-FR',
  'en-GB',
  'es-ES',
  'it-IT',
  'nl-NL',
  'da-DA',
  'sv-SE',
  'pt-PT',
  'fi-FI',
  'no-NB',
  'no-NN',
  'ja-JA',
  'de-DE',
  'pt-BR',
  'zh-CN',
  'zh-TW',
  'ko-KO',
  'ru-RU',
  'el-EL',
  'tr-TR',
  'pl-PL',
  'cs-CS',
  'sk-SK',
  'hu-HU',
  'sr-SR',
  'ar-SA',
  'hr-HR',
  'ro-RO',
  'th-TH',
  'de-AT',
  'vi-VN',
  'id-ID',
  'ms-MY',
  'fil-PH',
  'fr-CA',
  'hi-IN',
  'uk-UA',
  'bg-BG',
  'sl-SI',
  'xx-XX',
] as const;
export const RESOURCE_TYPES = ['articles', 'topics', 'portals', 'all'] as const;
export const DESTINATION_TYPES = ['AWS S3 bucket', 'SFTP server'] as const;
const MAX_PATH = 1024;

const oneOf = (values: readonly string[]) => `expected one of ${values.join(', ')}`;

/**
 * The KnowledgeExport body of POST /content/export, by the API's rules: what it requires is
 * checked (patterns, closed lists, lengths); anything else is passed on as given. Secrets the body
 * may carry (`secretKey`, `password`, `accessKey`) are never checked, so never quoted in an error.
 */
const buildKnowledgeExportSchema = () =>
  z.looseObject({
    portalID: z.string({ error: 'required: a portal ID like PROD-1000' }).check(
      z.regex(PORTAL_ID, {
        error: 'expected a portal ID like PROD-1000 (2–4 letters or digits, -, 4–15 digits)',
      }),
    ),
    // The list of the body's language codes differs from Accept-Language's and has changed between
    // releases of the API: its shape is checked here, its membership by the server (400-196).
    language: z.looseObject(
      {
        code: z
          .string({ error: 'required: a language code like en-US' })
          .check(z.regex(LANGUAGE_CODE, { error: 'expected a language code like en-US or fil-PH' })),
      },
      { error: 'required: an object like {"code": "en-US"}' },
    ),
    resourceTypes: z.array(z.enum(RESOURCE_TYPES, { error: oneOf(RESOURCE_TYPES) }), {
      error: `required: a list of ${RESOURCE_TYPES.join(', ')}`,
    }),
    dataDestination: z.looseObject(
      {
        destinationType: z.enum(DESTINATION_TYPES, { error: oneOf(DESTINATION_TYPES) }),
        path: z
          .string({ error: 'required: where the export goes, like s3://bucket/folder' })
          .check(
            z.minLength(1, { error: 'expected a non-empty path' }),
            z.maxLength(MAX_PATH, { error: `expected at most ${MAX_PATH} characters` }),
          ),
      },
      { error: 'required: an object with destinationType and path' },
    ),
    articleCategories: z.optional(z.enum(['searchable', 'all'], { error: oneOf(['searchable', 'all']) })),
  });

/** Built the first time a body is checked: get and watch load this module and check none. */
let knowledgeExportSchema: ReturnType<typeof buildKnowledgeExportSchema> | undefined;

export type KnowledgeExport = z.output<ReturnType<typeof buildKnowledgeExportSchema>>;

export type ExportRequestResult = { ok: true; value: KnowledgeExport } | { ok: false; issues: FieldIssue[] };

/** Validates a request body; every offending field is named. Never throws. */
export function parseExportRequest(input: unknown): ExportRequestResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '(body)', message: 'expected a JSON object' }] };
  }
  knowledgeExportSchema ??= buildKnowledgeExportSchema();
  const result = knowledgeExportSchema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: toFieldIssues(result.error.issues, input) };
}

/** The names of the fields of a request body (or of an API error's details) that hold secrets. */
export const SECRET_FIELD = /secret|password|passphrase|accesskey|token|privatekey/i;

/** Every secret value a request body carries, at any depth: never to be printed, even when echoed. */
export function secretsOf(body: unknown, found: string[] = []): string[] {
  if (Array.isArray(body)) {
    for (const item of body) secretsOf(item, found);
  } else if (typeof body === 'object' && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string' && SECRET_FIELD.test(key)) found.push(value);
      else secretsOf(value, found);
    }
  }
  return found;
}
