import { randomUUID } from 'node:crypto';
import { errorCodeOf, fetchStatus } from '../../api/client.js';
import { resolveJob } from '../../api/urls.js';
import { ExitCode } from '../../core/exit-codes.js';
import { sanitize } from '../../core/sanitize.js';
import type { Deps } from '../../deps.js';
import { withHint } from '../../rules/wording.js';
import type { ApiConfig } from '../resolve.js';
import { CLI_WORDS } from '../words.js';
import { connect } from './connect.js';

/**
 * `export-status config --check`: what a 3-hour job would find out at its first poll, found out
 * now. The settings were resolved as a watch resolves them (every file read, every check passed,
 * or exit 2 by then); here a token is had from the configured source and one authenticated
 * request asks for a job that cannot exist: a 404 proves the API took the credential. Exit 0;
 * 4 when the token endpoint or the API refused, or could not be reached.
 */
export async function runConfigCheck(api: ApiConfig, deps: Deps): Promise<number> {
  const connection = await connect(api, deps);
  const probe = resolveJob(`export-status-check-${randomUUID()}`, api.baseUrl);
  const credential = connection.credentials?.source ?? 'no credential';
  const outcome = await fetchStatus(
    new URL(probe.url),
    connection.client,
    new AbortController().signal,
    api.connection.requestTimeoutMs,
  );
  const base = sanitize(api.baseUrl.href, 300);
  // The service answers its own 404 (404-100) for a job it does not know; a simulator makes one
  // up. Either way the request was authorized. Any other 404 is not the API's: a wrong base URL.
  const known =
    outcome.kind === 'final' && outcome.httpStatus === 404 && errorCodeOf(outcome.reason) === '404-100';
  const accepted = outcome.kind === 'status' ? 'a status' : known ? '404 (404-100)' : undefined;
  if (accepted) {
    deps.stdout.write(
      `ok: ${base} accepted the credential (${credential}): a job that cannot exist answered ${accepted}\n`,
    );
    return ExitCode.ok;
  }
  const why =
    outcome.kind === 'final' && outcome.httpStatus === 404
      ? `${outcome.reason}: not the API's own 404 for a job it does not know; is ${base} the export API (its path ends in /knowledge/portalmgr/v4)?`
      : outcome.kind === 'final'
        ? withHint(outcome.reason, outcome.hint, CLI_WORDS)
        : outcome.kind === 'transient' || outcome.kind === 'invalid'
          ? outcome.reason
          : 'interrupted';
  deps.stderr.write(`error: the check of ${base} with ${credential} failed: ${sanitize(why, 500)}\n`);
  return ExitCode.unavailable;
}
