import { DEFAULTS, defaultMs } from '../core/defaults.js';
import { sanitize } from '../core/sanitize.js';
import { classifyFailure, TRANSIENT_HTTP } from './client.js';
import {
  CredentialError,
  type CredentialIO,
  type Credentials,
  RenewingCredentials,
  renewAt,
} from './credentials.js';
import { MAX_BODY_BYTES } from './schema.js';

/** The OAuth 2.0 client credentials grant (RFC 6749 §4.4), as the export API's identity platform takes it. */
export interface ClientCredentialsOptions {
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  scope: string | undefined;
  /** Time limit of one token request. */
  requestTimeoutMs: number;
}

/**
 * Tokens from the token endpoint, through oauth4webapi (loaded on first use), the client
 * authenticated with client_secret_post. Renewed ahead of `expires_in` and after a 401.
 */
export function clientCredentials(options: ClientCredentialsOptions, io: CredentialIO): Credentials {
  const fetchToken = async () => {
    const oauth = await import('oauth4webapi');
    const as = { issuer: options.tokenUrl.origin, token_endpoint: options.tokenUrl.href };
    const client = { client_id: options.clientId };
    const parameters = new URLSearchParams();
    if (options.scope) parameters.set('scope', options.scope);
    const startedAt = io.now();
    const signal = AbortSignal.timeout(options.requestTimeoutMs);
    let response: Response;
    try {
      response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(options.clientSecret),
        parameters,
        {
          [oauth.customFetch]: fetchOver(io),
          [oauth.allowInsecureRequests]: options.tokenUrl.protocol === 'http:',
          signal,
        },
      );
    } catch (err) {
      throw requestFailure(err, signal, options.requestTimeoutMs);
    }
    if (TRANSIENT_HTTP.has(response.status)) {
      throw new CredentialError('transient', `the token endpoint answered HTTP ${response.status}`);
    }
    try {
      const result = await oauth.processClientCredentialsResponse(as, client, response);
      const lifetime = typeof result.expires_in === 'number' ? result.expires_in * 1000 : undefined;
      return {
        token: result.access_token,
        renewAt: lifetime === undefined ? undefined : renewAt(startedAt, lifetime),
      };
    } catch (err) {
      throw refusal(err, oauth.ResponseBodyError, options.clientSecret);
    }
  };
  return new RenewingCredentials('client credentials', fetchToken, io.now, undefined, [options.clientSecret]);
}

/** oauth4webapi speaks fetch; the CLI's HTTP goes through its own transport (proxies, size cap). */
function fetchOver(io: CredentialIO) {
  return async (
    url: string,
    init: {
      method?: string;
      headers?: ConstructorParameters<typeof Headers>[0];
      body?: unknown;
      signal?: AbortSignal | null;
    },
  ) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const answer = await io.transport({
      method: 'POST',
      url: new URL(url),
      headers,
      body: typeof init.body === 'string' ? init.body : String(init.body ?? ''),
      signal: init.signal ?? AbortSignal.timeout(defaultMs(DEFAULTS.requestTimeout)),
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
function requestFailure(err: unknown, signal: AbortSignal, timeoutMs: number): CredentialError {
  const outcome = classifyFailure(err, new AbortController().signal, timeoutMs);
  const reason = 'reason' in outcome ? outcome.reason : 'aborted';
  const kind = outcome.kind === 'transient' || signal.aborted ? 'transient' : 'final';
  return new CredentialError(kind, `the token endpoint: ${reason}`);
}

/** The identity platform said no: invalid_client, invalid_scope… shown with its description. */
function refusal(
  err: unknown,
  ResponseBodyError: new (...args: never[]) => Error,
  secret: string,
): CredentialError {
  if (err instanceof ResponseBodyError) {
    const e = err as Error & { error: string; error_description?: string; status: number };
    // An identity provider that echoes the secret must not get it printed.
    const said = e.error_description?.split(secret).join('***');
    const description = said ? `: ${sanitize(said, 200)}` : '';
    return new CredentialError(
      'final',
      `the token endpoint refused (HTTP ${e.status}, ${sanitize(e.error, 60)}${description})`,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CredentialError(
    'final',
    `the token endpoint's answer is not a token: ${sanitize(message, 200)}`,
  );
}
