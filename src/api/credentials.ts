import { DEFAULTS, defaultMs } from '../core/defaults.js';
import { sanitize } from '../core/sanitize.js';
import type { Transport } from './transport.js';

/**
 * Where bearer tokens come from. The HTTP client asks for the current token before each request
 * and, when the API answers 401, asks for a new one once and repeats that request.
 */
export interface Credentials {
  /** How the user configured it, in the front end's words, for messages ("EGAIN_ACCESS_TOKEN"). */
  readonly source: string;
  /** Whether a 401 can be cured by asking again. */
  readonly renewable: boolean;
  /** The token to send now, fetched or renewed first when there is none or it is about to expire. */
  token(): Promise<string>;
  /** After `rejected` was refused: true when a different token is now current. */
  renew(rejected: string): Promise<boolean>;
  /** Every secret this source has seen (tokens, the client secret), for redaction. */
  secrets(): readonly string[];
  /** Called after a token was replaced by a new one, saying why. */
  onRenewed?: ((why: string) => void) | undefined;
}

/** Why no token could be had: `transient` failures are retried like a 503, `final` ones end the watch. */
export class CredentialError extends Error {
  override name = 'CredentialError';
  constructor(
    readonly kind: 'transient' | 'final',
    message: string,
  ) {
    super(message);
  }
}

/** What a token command printed and how it ended. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The side effects credential sources need: time, files, commands, HTTP. */
export interface CredentialIO {
  now(): number;
  readTextFile(path: string): Promise<string>;
  /** Runs a command line through the system shell; its stderr also goes to ours. */
  runCommand(command: string, timeoutMs: number): Promise<CommandResult>;
  transport: Transport;
}

/** A token with the time it should be replaced by (epoch ms; undefined: only when refused). */
export interface IssuedToken {
  token: string;
  renewAt: number | undefined;
}

/** A token command gets this long before it is given up on. */
export const TOKEN_COMMAND_TIMEOUT_MS = defaultMs(DEFAULTS.tokenCommandTimeout);

/**
 * When to replace a token that lives `lifetimeMs`: a minute before it expires, or a fifth of its
 * life before for short-lived ones, so that a 2 s token is renewed after 1.6 s.
 */
export function renewAt(obtainedAt: number, lifetimeMs: number): number {
  return obtainedAt + lifetimeMs - Math.min(60_000, lifetimeMs * 0.2);
}

/** The token from EGAIN_ACCESS_TOKEN (or a library caller's string): it cannot be renewed. */
export function fixedToken(token: string, source: string): Credentials {
  return {
    source,
    renewable: false,
    token: async () => token,
    renew: async () => false,
    secrets: () => [token],
  };
}

/**
 * A source that fetches tokens: remembers the current one, fetches again ahead of expiry or
 * after a refusal, and never runs two fetches at once.
 */
export class RenewingCredentials implements Credentials {
  readonly renewable = true;
  onRenewed: ((why: string) => void) | undefined;
  private current: IssuedToken | undefined;
  private pending: Promise<IssuedToken> | undefined;
  private readonly seen = new Set<string>();

  constructor(
    readonly source: string,
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
    initial?: IssuedToken,
    private readonly extraSecrets: readonly string[] = [],
  ) {
    if (initial) this.remember(initial);
  }

  async token(): Promise<string> {
    const { current } = this;
    if (current && (current.renewAt === undefined || this.now() < current.renewAt)) return current.token;
    return (await this.fetch(current ? 'before it expired' : undefined)).token;
  }

  async renew(rejected: string): Promise<boolean> {
    if (this.current && this.current.token !== rejected) return true;
    const next = await this.fetch('after the API refused it');
    return next.token !== rejected;
  }

  secrets(): readonly string[] {
    return [...this.extraSecrets, ...this.seen];
  }

  /** `why` the current token is replaced; undefined for the first one. */
  private fetch(why: string | undefined): Promise<IssuedToken> {
    this.pending ??= this.fetchToken()
      .then((issued) => {
        if (why && issued.token !== this.current?.token) this.onRenewed?.(why);
        return this.remember(issued);
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private remember(issued: IssuedToken): IssuedToken {
    this.current = issued;
    this.seen.add(issued.token);
    return issued;
  }
}

/**
 * A token file: read again after a 401, in case a sidecar or a cron job has refreshed it.
 * `source`: how the caller names it in messages.
 */
export function tokenFile(path: string, initial: string, io: CredentialIO, source: string): Credentials {
  const read = async (): Promise<IssuedToken> => {
    let text: string;
    try {
      text = await io.readTextFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new CredentialError('final', `cannot read the token file ${JSON.stringify(path)} (${code})`);
    }
    return { token: cleanToken(text), renewAt: undefined };
  };
  return new RenewingCredentials(source, read, io.now, {
    token: initial,
    renewAt: undefined,
  });
}

/**
 * A token command: run by the shell; its stdout is the token, or `{"access_token", "expires_in"}`.
 * Run at start, ahead of `expires_in` when given, and after a 401. `source`: how the caller
 * names it in messages.
 */
export function tokenCommand(command: string, io: CredentialIO, source: string): Credentials {
  const run = async (): Promise<IssuedToken> => {
    const startedAt = io.now();
    const result = await io.runCommand(command, TOKEN_COMMAND_TIMEOUT_MS);
    if (result.timedOut) {
      throw new CredentialError(
        'final',
        `the token command gave no token within ${TOKEN_COMMAND_TIMEOUT_MS / 1000} s`,
      );
    }
    if (result.code !== 0) {
      const said = sanitize(result.stderr, 300);
      throw new CredentialError(
        'final',
        `the token command failed (exit ${result.code ?? 'by signal'})${said ? `: ${said}` : ''}`,
      );
    }
    return parseCommandOutput(result.stdout, startedAt);
  };
  return new RenewingCredentials(source, run, io.now);
}

function parseCommandOutput(stdout: string, startedAt: number): IssuedToken {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('{')) return { token: cleanToken(text), renewAt: undefined };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialError(
      'final',
      'the token command printed something that is neither a token nor JSON',
    );
  }
  const { access_token: token, expires_in: expiresIn } = json as {
    access_token?: unknown;
    expires_in?: unknown;
  };
  if (typeof token !== 'string') {
    throw new CredentialError('final', 'the token command printed JSON without a string "access_token"');
  }
  const lifetime = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : undefined;
  return {
    token: cleanToken(token),
    renewAt: lifetime === undefined ? undefined : renewAt(startedAt, lifetime),
  };
}

/**
 * Why a token cannot go into an Authorization header (it must be one word of printable
 * characters), or undefined when it can: the one check of every token source.
 */
export function tokenFault(token: string): 'empty' | 'spaced' | undefined {
  if (token === '') return 'empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u001f\u007f-\u009f\s]/.test(token)) return 'spaced';
  return undefined;
}

/** One line of printable characters; anything else would corrupt the Authorization header. */
function cleanToken(text: string): string {
  const token = text.replace(/^\uFEFF/, '').trim();
  if (tokenFault(token)) {
    throw new CredentialError('final', 'the token is empty or holds a space or a control character');
  }
  return token;
}
