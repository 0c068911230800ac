/**
 * Starting an export, once for every front end (`start`, `demo`, the library's `startExport`):
 * the body checked before anything is sent, one POST that is never repeated, and its four
 * outcomes, each with its exit code here and nowhere else.
 */
import { type ClientOptions, errorCodeOf, errorMessage, type Hint, request } from '../api/client.js';
import { parseExportRequest, secretsOf } from '../api/export-request.js';
import { exportUrl, type JobRef, jobFromLocation } from '../api/urls.js';
import { UsageError } from '../core/errors.js';
import { ExitCode, exitCodeFor, type InterruptSignal } from '../core/exit-codes.js';
import { sanitize } from '../core/sanitize.js';
import type { Vocabulary } from './vocabulary.js';
import { withHint } from './wording.js';

export type StartOutcome =
  /** The API accepted the export; the job is polled at the configured base URL. */
  | { kind: 'started'; job: JobRef }
  /** The API refused it, or the request never reached it: nothing was started. */
  | { kind: 'not-started'; reason: string; hint?: Hint | undefined; httpStatus?: number; code?: string }
  /**
   * Sent, then the connection failed (or the run was interrupted) before an answer: the export
   * may or may not have started. Never sent again.
   */
  | { kind: 'unknown'; reason: string; interrupted?: InterruptSignal }
  /** Accepted, but the answer names no job that can be polled (no or an unusable `Location`). */
  | { kind: 'unfindable'; reason: string };

/** The exit code of each outcome: the one place this mapping lives. */
export function startExitCode(outcome: StartOutcome): number {
  switch (outcome.kind) {
    case 'started':
      return ExitCode.ok;
    case 'not-started':
      return ExitCode.unavailable;
    case 'unknown':
      return outcome.interrupted ? exitCodeFor('interrupted', outcome.interrupted) : ExitCode.unavailable;
    case 'unfindable':
      return ExitCode.invalid;
  }
}

/** One line saying what happened and, when it matters, what to do before starting another. */
export function describeStart(outcome: StartOutcome, v: Vocabulary): string {
  switch (outcome.kind) {
    case 'started':
      return `started export ${outcome.job.id}`;
    case 'not-started':
      return `the export was not started: ${withHint(outcome.reason, outcome.hint, v)}`;
    case 'unknown':
      return (
        `the export may or may not have started: ${outcome.reason}. It was not sent again; look for ` +
        'the new export on the server (its ID, to get its status) before starting another'
      );
    case 'unfindable':
      return `${outcome.reason}, so the new job cannot be found; look for it on the server before starting another`;
  }
}

/** A request body that passed the API's rules: the text to send, and the secrets it carries. */
export interface CheckedBody {
  text: string;
  secrets: string[];
}

/**
 * The export request a caller gave, checked by the API's rules: its JSON text to send, or a
 * UsageError naming every bad field (never its value: the body can hold secrets).
 */
export function checkExportBody(body: unknown, v: Vocabulary): CheckedBody {
  const parsed = parseExportRequest(body);
  if (parsed.ok) return { text: JSON.stringify(parsed.value), secrets: secretsOf(parsed.value) };
  const lines = parsed.issues
    .map((i) => `  ${sanitize(i.path, 100)}: ${sanitize(i.message, 200)}`)
    .join('\n');
  throw new UsageError(`${v.name.body}: not a valid export request; nothing was sent:\n${lines}`);
}

/** POST {base}/content/export with a checked body, once: a POST that may have started an export is never repeated. */
export async function sendStart(
  baseUrl: URL,
  body: CheckedBody,
  options: ClientOptions,
  signal: AbortSignal,
  timeoutMs: number,
  url: URL = exportUrl(baseUrl),
): Promise<StartOutcome> {
  // What the API says about the body never shows the body's secrets, whatever it echoes.
  const client = { ...options, secrets: [...(options.secrets ?? []), ...body.secrets] };
  const answer = await request('POST', url, client, signal, timeoutMs, body.text);
  if (answer.kind === 'failed') {
    const { outcome } = answer;
    switch (outcome.kind) {
      case 'aborted':
        return { kind: 'unknown', reason: 'interrupted', interrupted: interruptOf(signal) };
      case 'final':
        if (outcome.requestSent) return { kind: 'unknown', reason: outcome.reason };
        return {
          kind: 'not-started',
          reason: outcome.reason,
          hint: outcome.hint,
          httpStatus: outcome.httpStatus,
        };
      case 'invalid':
        // An answer came (too large, an unknown charset), but it cannot be read.
        return { kind: 'unfindable', reason: `the server's answer cannot be read (${outcome.reason})` };
      case 'transient':
        // Failed before anything was sent (a refused connection, a name that did not resolve).
        return { kind: 'not-started', reason: outcome.reason };
      case 'status':
        return { kind: 'not-started', reason: 'unexpected answer' };
    }
  }
  const { response } = answer;
  if (response.status < 200 || response.status >= 300) {
    const reason = `HTTP ${response.status}${errorMessage(response.body)}`;
    return {
      kind: 'not-started',
      reason,
      hint: response.status === 401 || response.status === 403 ? answer.authHint : undefined,
      httpStatus: response.status,
      code: errorCodeOf(reason),
    };
  }
  const { location } = response.headers;
  const job = location === undefined ? undefined : jobFromLocation(location, baseUrl);
  if (!job) {
    const what = location
      ? `an unusable Location ${JSON.stringify(sanitize(location, 100))}`
      : 'no Location header';
    return { kind: 'unfindable', reason: `the server answered HTTP ${response.status} with ${what}` };
  }
  return { kind: 'started', job };
}

function interruptOf(signal: AbortSignal): InterruptSignal {
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}
