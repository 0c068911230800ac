/**
 * Opening a connection to the export API, once, under every front end: a ConnectionSpec (what the
 * front end was told: where the API is, where the token comes from, the headers…) is checked by
 * one function and then turned into the credentials and the HTTP client every request uses. The
 * CLI's configuration, the library's options and the action (through the CLI) all end here.
 */
import type { ClientOptions } from '../api/client.js';
import {
  CredentialError,
  type CredentialIO,
  type Credentials,
  fixedToken,
  RenewingCredentials,
  tokenCommand,
  tokenFile,
} from '../api/credentials.js';
import { tokenFault } from '../api/token.js';
import { UsageError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';
import { refusePlainHttp, requireCredential, type SecretDestination } from './secrets.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Where the bearer token comes from, as a front end was told (secrets read, nothing fetched yet).
 * `source` names it in the front end's words, for messages ("EGAIN_ACCESS_TOKEN", "the token option").
 */
export type CredentialSpec =
  | { kind: 'none' }
  | { kind: 'fixed'; token: string; source: string }
  | { kind: 'file'; path: string; token: string; source: string }
  | { kind: 'command'; command: string; source: string }
  | {
      kind: 'client';
      tokenUrl: URL;
      /** The setting that holds the token URL ("EGAIN_TOKEN_URL", "the tokenUrl option"). */
      tokenUrlFrom: string;
      clientId: string;
      clientSecret: string;
      scope: string | undefined;
    }
  /** A library caller's function, asked again when the API refuses its token. */
  | { kind: 'function'; token: () => Promise<unknown>; source: string };

export interface ConnectionSpec {
  /** Every URL that receives the token: the jobs' status URLs, or the base URL. */
  apiUrls: readonly URL[];
  credential: CredentialSpec;
  /** The Accept-Language of every request (checked by checkLanguage). */
  language: string;
  /** Extra request headers (each checked by checkHeader). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** The caller opted in to secrets over plain http:// to hosts that are not this machine. */
  insecureHttp: boolean;
  requestTimeoutMs: number;
  strict: boolean;
  userAgent: string;
  /** Where the base URL came from, for hints ("--base-url", "the baseUrl option"). */
  urlFrom?: string | undefined;
}

export interface Connection {
  /** Made once and shared by every job of a run, so a renewed token serves them all. */
  credentials: Credentials | undefined;
  client: ClientOptions;
}

/**
 * Every check of a connection, before anything is read from the network: each token already at
 * hand passes the token check, no secret goes over plain http:// to another machine, and a host
 * that is not this machine is not asked without a credential. A UsageError in `v`'s words.
 */
export function checkConnection(spec: ConnectionSpec, v: Vocabulary): void {
  const { credential } = spec;
  if (credential.kind === 'fixed' || credential.kind === 'file')
    checkToken(credential.token, credential.source);
  const destinations: SecretDestination[] =
    credential.kind === 'none' ? [] : spec.apiUrls.map((url) => ({ url, secret: 'the token' }));
  if (credential.kind === 'client')
    destinations.push({ url: credential.tokenUrl, secret: 'the client secret' });
  refusePlainHttp(destinations, spec.insecureHttp, v);
  requireCredential(spec.apiUrls, credential.kind !== 'none', v);
}

/** A token (or a secret) must be one word of printable characters: anything else would corrupt the header. */
export function checkToken(token: string, what: string): string {
  const fault = tokenFault(token);
  if (fault === 'empty') throw new UsageError(`${what} is empty`);
  if (fault) throw new UsageError(`${what} contains a newline, a space or a control character`);
  return token;
}

/**
 * The credentials and HTTP client of a checked spec. Client credentials load their OAuth library
 * only when used. `share`: a front end's cache of credential sources (the library's watches with
 * the same client credentials share one token); by default each connection has its own.
 */
export async function openConnection(
  spec: ConnectionSpec,
  io: CredentialIO,
  options: {
    log?: ((line: string) => void) | undefined;
    share?: (credential: CredentialSpec, make: () => Credentials) => Credentials;
  } = {},
): Promise<Connection> {
  const share = options.share ?? ((_, make) => make());
  const credentials = await credentialsOf(spec, io, share);
  return {
    credentials,
    client: {
      transport: io.transport,
      credentials,
      language: spec.language,
      userAgent: spec.userAgent,
      headers: spec.headers,
      strict: spec.strict,
      clock: io.clock,
      urlFrom: spec.urlFrom,
      log: options.log,
    },
  };
}

async function credentialsOf(
  spec: ConnectionSpec,
  io: CredentialIO,
  share: (credential: CredentialSpec, make: () => Credentials) => Credentials,
): Promise<Credentials | undefined> {
  const { credential } = spec;
  switch (credential.kind) {
    case 'none':
      return undefined;
    case 'fixed':
      return fixedToken(credential.token, credential.source);
    case 'file':
      return tokenFile(credential.path, credential.token, io, credential.source);
    case 'command':
      return share(credential, () => tokenCommand(credential.command, io, credential.source));
    case 'function':
      return tokenFunction(credential.token, credential.source, io);
    case 'client': {
      const { clientCredentials } = await import('../api/client-credentials.js');
      return share(credential, () =>
        clientCredentials({ ...credential, requestTimeoutMs: spec.requestTimeoutMs }, io),
      );
    }
  }
}

/**
 * A caller's token function, asked again when the API refuses its token. What it throws ends the
 * watch as a result (outcome `error`); a value that is no token is the caller's mistake, refused
 * as a bad option is (UsageError), with nothing sent.
 */
function tokenFunction(token: () => Promise<unknown>, source: string, io: CredentialIO): Credentials {
  return new RenewingCredentials(
    source,
    async () => {
      let value: unknown;
      try {
        value = await token();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new CredentialError('final', `${source} failed: ${sanitize(message, 200)}`);
      }
      if (typeof value !== 'string') {
        throw new UsageError(
          `${source} gave no token (not a string but a ${value === null ? 'null' : typeof value})`,
        );
      }
      return { token: checkToken(value.trim(), `the token from ${source}`), renewAt: undefined };
    },
    io.clock,
  );
}
