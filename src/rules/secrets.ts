/**
 * The secret policy, for every URL that receives a secret: API hosts and job URLs (the bearer
 * token), the token URL (the client secret), and the job a `Location` names. A secret goes over
 * plain http:// only to this machine, unless the caller explicitly opted in; a host that is not
 * this machine is never asked anything without a credential.
 */
import { isLoopback } from '../api/urls.js';
import { UsageError } from '../core/errors.js';
import type { Vocabulary } from './vocabulary.js';

/** What is sent where: `secret` names it in messages ("the token", "the client secret"). */
export interface SecretDestination {
  url: URL;
  secret: 'the token' | 'the client secret';
}

/** Throws a UsageError for the first destination a secret must not go to over plain http://. */
export function refusePlainHttp(
  destinations: readonly SecretDestination[],
  insecureAllowed: boolean,
  v: Vocabulary,
): void {
  if (insecureAllowed) return;
  const plain = destinations.find(({ url }) => url.protocol === 'http:' && !isLoopback(url.hostname));
  if (plain) {
    throw new UsageError(
      `refusing to send ${plain.secret} over plain http:// to ${plain.url.host}; use https://, or ${v.name.insecureHttp} if you really mean it`,
    );
  }
}

/** A host that is not this machine is not asked without a credential: the answer could only be a 401. */
export function requireCredential(apiUrls: readonly URL[], hasCredential: boolean, v: Vocabulary): void {
  if (hasCredential) return;
  const remote = apiUrls.find((url) => !isLoopback(url.hostname));
  if (remote) throw new UsageError(`no credential for ${remote.host}: set ${v.credentialSources}`);
}
