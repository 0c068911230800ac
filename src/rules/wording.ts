import type { Hint } from '../api/client.js';
import { formatDuration } from '../core/duration.js';
import { plural } from '../core/words.js';
import type { EndReason, TransientCause, Wording } from '../poll/reasons.js';
import type { Vocabulary } from './vocabulary.js';

/** How long a freshly started export is suggested to be waited for. */
export const SUGGESTED_CREATE_GRACE_MS = 120_000;

/** The poller's reasons in a front end's words. */
export function wordingFor(v: Vocabulary): Wording {
  return {
    transient: (cause) => transientText(cause, v),
    end: (reason) => endText(reason, v),
  };
}

function transientText(cause: TransientCause, v: Vocabulary): string {
  return cause.timeoutMs === undefined ? cause.reason : `${cause.reason} (${v.name.requestTimeout})`;
}

function endText(reason: EndReason, v: Vocabulary): string {
  switch (reason.kind) {
    case 'job-failed':
      return reason.message ?? (reason.cancelled ? 'the export was cancelled' : 'the export failed');
    case 'fail-on':
      return `${plural(reason.count, reason.what)} reported (${v.setting('failOn', reason.failOn)})`;
    case 'unreadable-count':
      return `${reason.path} ${reason.missing ? 'was not sent' : 'could not be read'}, so ${v.setting('failOn', reason.failOn)} cannot pass the job`;
    case 'retries-exhausted': {
      const tries = reason.attempts === 1 ? '1 attempt' : `${plural(reason.attempts, 'attempt')} in a row`;
      return `${transientText(reason.cause, v)} (gave up after ${tries}; ${v.setting('maxRetries', reason.maxRetries)})`;
    }
    case 'timeout':
      return reason.deadlineAt === undefined
        ? `not finished within ${formatDuration(reason.timeoutMs)} (${v.name.timeout})${lastState(reason)}`
        : `not finished by ${new Date(reason.deadlineAt).toISOString()} (${v.name.deadline})${lastState(reason)}`;
    case 'stalled':
      return `no change in status or progress for ${formatDuration(reason.stallMs)} (${v.name.stallTimeout})${lastState(reason)}`;
    case 'final':
      return withHint(reason.reason, reason.hint, v);
    case 'invalid':
      return `invalid response: ${withHint(reason.reason, reason.hint, v)}`;
    case 'interrupted':
      return `interrupted (${reason.signal})`;
  }
}

function lastState(reason: { lastStatus: string | undefined }): string {
  return reason.lastStatus === undefined ? '; no status was had' : `; last status ${reason.lastStatus}`;
}

/** A reason with what it usually means and what to check, if the client knew. */
export function withHint(reason: string, hint: Hint | undefined, v: Vocabulary): string {
  return hint ? `${reason} (${hintText(hint, v)})` : reason;
}

export function hintText(hint: Hint, v: Vocabulary): string {
  switch (hint.kind) {
    case 'not-found': {
      // Longer than what was already waited, if anything was.
      const suggested = Math.max(SUGGESTED_CREATE_GRACE_MS, (hint.waitedMs ?? 0) * 4);
      const waited = hint.waitedMs ? ` longer than ${v.duration(hint.waitedMs)}` : '';
      return `a job started moments ago may not exist yet: wait${waited} with ${v.setting('waitForCreate', suggested)}; else check the job ID and ${hint.from}`;
    }
    case 'web-page':
      return `a sign-in page, a proxy's error page or the wrong address? check ${hint.from}`;
    case 'no-credential':
      return `no credential was sent: set ${v.credentialSources}`;
    case 'not-renewable':
      return `the token from ${hint.source} was refused and cannot be renewed; for long watches use ${v.renewableSources}`;
    case 'refused':
      return hint.renewed
        ? `refused again after renewing the token (${hint.source})`
        : `the token from ${hint.source} was refused`;
    case 'forbidden':
      return `the token from ${hint.source} was accepted but lacks the right: check the scope and the client's permissions`;
    case 'certificate':
      return `a private CA goes in ${v.privateCa}`;
    case 'not-https':
      return `check the scheme (http:// or https://) and the port in ${hint.from}`;
    case 'withheld':
      return `the answer came from ${hint.origin}, another origin than the API's, where the credential is never sent`;
  }
}
