import { redact } from '../core/redact.js';
import { sanitize, truncate } from '../core/sanitize.js';
import { classifyFailure, TRANSIENT_HTTP } from './client.js';
import {
  CredentialError,
  type CredentialIO,
  type Credentials,
  RenewingCredentials,
  renewAt,
  type TokenLimits,
} from './credentials.js';
import { MAX_BODY_BYTES } from './schema.js';
import { tokenFault } from './token.js';
import { sendWithin, type Transport } from './transport.js';

/** The OAuth 2.0 client credentials grant (RFC 6749 §4.4), as the export API's identity platform takes it. */
export interface ClientCredentialsOptions {
  tokenUrl: URL;
  /** The setting that holds the token URL, in the front end's words (`EGAIN_TOKEN_URL`, `the tokenUrl option`). */
  tokenUrlFrom: string;
  clientId: string;
  clientSecret: string;
  scope: string | undefined;
  /** Time limit of one token request. */
  requestTimeoutMs: number;
}

/**
 * Tokens from the token endpoint, through oauth4webapi (loaded on first use), the client
 * authenticated with client_secret_post. Renewed ahead of `expires_in` and after a 401. A token
 * request keeps to the limits of the request it is for (the watch's deadline, its interrupt).
 */
export function clientCredentials(options: ClientCredentialsOptions, io: CredentialIO): Credentials {
  // The rule for every host: a name that never resolved is a mistake in its URL (final at once);
  // one that has answered before and stops resolving is a glitch of the network (retried).
  let answered = false;
  const secrets = [options.clientSecret, `${options.clientId}:${options.clientSecret}`];
  const fetchToken = async (limits: TokenLimits) => {
    const { oauth } = await import('./oauth.js');
    const as = { issuer: options.tokenUrl.origin, token_endpoint: options.tokenUrl.href };
    const client = { client_id: options.clientId };
    const parameters = new URLSearchParams();
    if (options.scope) parameters.set('scope', options.scope);
    const startedAt = io.clock.monotonic();
    const timeoutMs = Math.min(options.requestTimeoutMs, limits.timeoutMs);
    const time = io.clock.limit(timeoutMs);
    const signal = AbortSignal.any([limits.signal, time.signal]);
    let response: Response;
    try {
      response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(options.clientSecret),
        parameters,
        {
          [oauth.customFetch]: fetchOver(io.transport, signal),
          [oauth.allowInsecureRequests]: options.tokenUrl.protocol === 'http:',
          signal,
        },
      );
    } catch (err) {
      throw requestFailure(err, signal, timeoutMs, options, answered);
    } finally {
      time.clear();
    }
    answered = true;
    if (TRANSIENT_HTTP.has(response.status)) {
      // Its Retry-After is honoured as the API's is: the next try waits at least that long.
      const retryAfter = response.headers.get('retry-after') ?? undefined;
      throw new CredentialError(
        'transient',
        `the token endpoint answered HTTP ${response.status}`,
        retryAfter,
      );
    }
    try {
      const result = await oauth.processClientCredentialsResponse(as, client, response);
      // The one token check, as for every other source: a token that could not be one header
      // value is never sent.
      if (tokenFault(result.access_token)) {
        throw new CredentialError(
          'final',
          "the token endpoint's access_token is empty or holds a space or a control character",
        );
      }
      const lifetime = typeof result.expires_in === 'number' ? result.expires_in * 1000 : undefined;
      return { token: result.access_token, renewAt: renewAt(startedAt, lifetime) };
    } catch (err) {
      if (err instanceof CredentialError) throw err;
      if (!(err instanceof oauth.ResponseBodyError) && !response.ok) {
        // No OAuth error, an HTTP error: most often the token URL itself is wrong.
        throw new CredentialError(
          'final',
          `the token endpoint answered HTTP ${response.status}: check the token URL in ${options.tokenUrlFrom}`,
        );
      }
      throw refusal(err, oauth.ResponseBodyError, secrets);
    }
  };
  return new RenewingCredentials('client credentials', fetchToken, io.clock, undefined, [
    options.clientSecret,
  ]);
}

/**
 * oauth4webapi speaks fetch; the CLI's HTTP goes through its own transport (proxies, size cap),
 * within the token request's limits (`signal`).
 */
function fetchOver(transport: Transport, signal: AbortSignal) {
  return async (
    url: string,
    init: {
      method?: string;
      headers?: ConstructorParameters<typeof Headers>[0];
      body?: unknown;
    },
  ) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const answer = await sendWithin(transport, {
      method: 'POST',
      url: new URL(url),
      headers,
      body: typeof init.body === 'string' ? init.body : String(init.body ?? ''),
      signal,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const noBody = answer.status === 204 || answer.status === 304;
    const responseHeaders = Object.entries(answer.headers).flatMap(([k, v]) =>
      v === undefined ? [] : [[k, v]],
    );
    return new Response(noBody ? null : answer.body, {
      status: answer.status,
      headers: responseHeaders as [string, string][],
    });
  };
}

/** A token request that got no answer: retried like the API's own connection errors. */
function requestFailure(
  err: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  options: ClientCredentialsOptions,
  answered: boolean,
): CredentialError {
  const outcome = classifyFailure(err, new AbortController().signal, timeoutMs);
  const from = options.tokenUrlFrom;
  if (!answered && outcome.kind === 'transient' && outcome.code === 'ENOTFOUND') {
    return new CredentialError(
      'final',
      `cannot resolve ${sanitize(options.tokenUrl.hostname, 100)}: check the token URL in ${from}`,
    );
  }
  if (outcome.kind === 'final' && outcome.hint?.kind === 'not-https') {
    return new CredentialError(
      'final',
      `the token endpoint: ${outcome.reason} (check the scheme and the port of the token URL in ${from})`,
    );
  }
  const reason = 'reason' in outcome ? outcome.reason : 'aborted';
  const kind = outcome.kind === 'transient' || signal.aborted ? 'transient' : 'final';
  return new CredentialError(kind, `the token endpoint: ${reason}`);
}

/**
 * The identity platform said no: invalid_client, invalid_scope… shown with its description. An
 * endpoint that echoes the client secret must not get it printed in any form (`secrets`: the
 * secret, and `client_id:secret` for a `Basic` header), compared on what would be printed (a
 * secret split by an invisible mark is whole again after sanitising) and on the error and its
 * description together (a secret split between them): then neither is shown.
 */
function refusal(
  err: unknown,
  ResponseBodyError: new (...args: never[]) => Error,
  secrets: readonly string[],
): CredentialError {
  if (err instanceof ResponseBodyError) {
    const e = err as Error & { error: string; error_description?: string; status: number };
    const error = sanitize(String(e.error), 200);
    const said = sanitize(e.error_description ?? '', 400);
    const together = `${error}${said}`;
    if (redact(together, secrets) !== together) {
      return new CredentialError(
        'final',
        `the token endpoint refused (HTTP ${e.status}; its answer held the client secret and is not shown)`,
      );
    }
    const description = said ? `: ${truncate(said, 200)}` : '';
    return new CredentialError(
      'final',
      `the token endpoint refused (HTTP ${e.status}, ${truncate(error, 60)}${description})`,
    );
  }
  const message = redact(sanitize(err instanceof Error ? err.message : String(err), 400), secrets);
  return new CredentialError(
    'final',
    `the token endpoint's answer is not a token: ${truncate(message, 200)}`,
  );
}
