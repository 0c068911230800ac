import type { Clock } from '../core/clock.js';
import { DEFAULTS, defaultMs } from '../core/defaults.js';
import { redact } from '../core/redact.js';
import { sanitize } from '../core/sanitize.js';
import { tokenFault, tokenText } from './token.js';
import type { Transport } from './transport.js';

/**
 * How long getting a token may take: the request's own limits (its share of the watch's
 * deadline) and the run's interrupt. A token is part of the request it is for.
 */
export interface TokenLimits {
  signal: AbortSignal;
  timeoutMs: number;
}

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
  token(limits: TokenLimits): Promise<string>;
  /** After `rejected` was refused: true when a different token is now current. */
  renew(rejected: string, limits: TokenLimits): Promise<boolean>;
  /** Every secret this source has seen (tokens, the client secret), for redaction. */
  secrets(): readonly string[];
  /** Called after a token was replaced by a new one, saying why. */
  onRenewed?: ((why: string) => void) | undefined;
}

/**
 * Why no token could be had: `transient` failures are retried like a 503 (never sooner than
 * `retryAfter`, as the token endpoint asked), `final` ones end the watch.
 */
export class CredentialError extends Error {
  override name = 'CredentialError';
  constructor(
    readonly kind: 'transient' | 'final',
    message: string,
    readonly retryAfter?: string,
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
  /** It printed more than a token command may: its output was not kept. */
  overflowed?: boolean;
}

/** The side effects credential sources need: time, files, commands, HTTP. */
export interface CredentialIO {
  /** Token lifetimes, fetch spacing and waits are measured on its monotonic time. */
  clock: Clock;
  /** A file of at most `maxBytes`, as text; rejects for anything but a regular file. */
  readTextFile(path: string, maxBytes: number): Promise<string>;
  /**
   * Runs a command line through the system shell, its whole process group ended when it exits,
   * times out or `signal` aborts (and when this process ends).
   */
  runCommand(command: string, timeoutMs: number, signal?: AbortSignal): Promise<CommandResult>;
  /** Where a token command's stderr goes once its secrets are redacted (nowhere, for the library). */
  passStderr?: ((text: string) => void) | undefined;
  transport: Transport;
}

/** A token with the time it should be replaced by (monotonic ms; undefined: only when refused). */
export interface IssuedToken {
  token: string;
  renewAt: number | undefined;
}

/** A token command gets this long before it is given up on. */
export const TOKEN_COMMAND_TIMEOUT_MS = defaultMs(DEFAULTS.tokenCommandTimeout);
/** The most a token file may hold: a token is far smaller. */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;
/**
 * A lifetime shorter than this (`expires_in: 0`) is too short to renew ahead of: such a token is
 * used until the API refuses it, then renewed.
 */
export const MIN_USEFUL_LIFETIME_MS = 1000;
/** Tokens are fetched at most this often, however often they expire or are refused. */
export const MIN_FETCH_GAP_MS = 1000;

/**
 * When to replace a token that lives `lifetimeMs`: a minute before it expires, or a fifth of its
 * life before for short-lived ones, so that a 2 s token is renewed after 1.6 s. Undefined (only
 * when refused) for a lifetime too short to renew ahead of.
 */
export function renewAt(obtainedAt: number, lifetimeMs: number | undefined): number | undefined {
  if (lifetimeMs === undefined || !(lifetimeMs >= MIN_USEFUL_LIFETIME_MS)) return undefined;
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
 * after a refusal, never runs two fetches at once, and never fetches more often than every
 * MIN_FETCH_GAP_MS. A caller waits for a fetch only as long as its own limits allow.
 */
export class RenewingCredentials implements Credentials {
  readonly renewable = true;
  onRenewed: ((why: string) => void) | undefined;
  private current: IssuedToken | undefined;
  private shared: { promise: Promise<IssuedToken>; abort(): void; waiting: number } | undefined;
  private lastFetchAt: number | undefined;
  private readonly seen = new Set<string>();

  constructor(
    readonly source: string,
    private readonly fetchToken: (limits: TokenLimits) => Promise<IssuedToken>,
    private readonly clock: Clock,
    initial?: IssuedToken,
    private readonly extraSecrets: readonly string[] = [],
  ) {
    if (initial) this.remember(initial);
  }

  async token(limits: TokenLimits): Promise<string> {
    const { current } = this;
    if (current && (current.renewAt === undefined || this.clock.monotonic() < current.renewAt))
      return current.token;
    return (await this.fetch(current ? 'before it expired' : undefined, limits)).token;
  }

  async renew(rejected: string, limits: TokenLimits): Promise<boolean> {
    if (this.current && this.current.token !== rejected) return true;
    const next = await this.fetch('after the API refused it', limits);
    return next.token !== rejected;
  }

  secrets(): readonly string[] {
    return [...this.extraSecrets, ...this.seen];
  }

  /**
   * `why` the current token is replaced; undefined for the first one. One fetch at a time, shared
   * by every caller that asks meanwhile: it runs under the source's own limits (its request or
   * command time limit) and ends early only when every caller waiting for it has given up; each
   * caller waits only as long as its own signal and deadline allow.
   */
  private fetch(why: string | undefined, limits: TokenLimits): Promise<IssuedToken> {
    if (limits.signal.aborted) return Promise.reject(new CredentialError('transient', 'interrupted'));
    let shared = this.shared;
    if (!shared) {
      const waitMs =
        this.lastFetchAt === undefined ? 0 : this.lastFetchAt + MIN_FETCH_GAP_MS - this.clock.monotonic();
      if (waitMs > 0 && waitMs >= limits.timeoutMs) {
        return Promise.reject(
          new CredentialError('transient', 'no new token yet: tokens are fetched at most once a second'),
        );
      }
      const own = new AbortController();
      const ownLimits: TokenLimits = { signal: own.signal, timeoutMs: Number.POSITIVE_INFINITY };
      const spaced = waitMs > 0 ? this.clock.sleep(waitMs, own.signal) : Promise.resolve();
      const promise = spaced
        .then(() => {
          if (own.signal.aborted) throw new CredentialError('transient', 'interrupted');
          this.lastFetchAt = this.clock.monotonic();
          return this.fetchToken(ownLimits);
        })
        .then((issued) => {
          if (why && issued.token !== this.current?.token) this.onRenewed?.(why);
          return this.remember(issued);
        })
        .finally(() => {
          if (this.shared === created) this.shared = undefined;
        });
      const created = { promise, abort: () => own.abort('every caller gave up'), waiting: 0 };
      shared = created;
      this.shared = created;
    }
    const joined = shared;
    joined.waiting++;
    return within(joined.promise, limits, this.clock).finally(() => {
      joined.waiting--;
      if (joined.waiting === 0 && this.shared === joined) joined.abort();
    });
  }

  private remember(issued: IssuedToken): IssuedToken {
    this.current = issued;
    this.seen.add(issued.token);
    return issued;
  }
}

/**
 * `promise`, or a transient CredentialError once `limits` run out: a caller never waits past
 * its own deadline or its interrupt for a token (the fetch itself has limits of its own).
 */
export function within<T>(promise: Promise<T>, limits: TokenLimits, clock: Clock): Promise<T> {
  if (limits.signal.aborted) return Promise.reject(new CredentialError('transient', 'interrupted'));
  const time = clock.limit(limits.timeoutMs);
  let onTime: (() => void) | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    onTime = () => reject(new CredentialError('transient', `no token within ${limits.timeoutMs} ms`));
    onAbort = () => reject(new CredentialError('transient', 'interrupted'));
    time.signal.addEventListener('abort', onTime, { once: true });
    limits.signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return Promise.race([promise, limit]).finally(() => {
    time.clear();
    if (onTime) time.signal.removeEventListener('abort', onTime);
    if (onAbort) limits.signal.removeEventListener('abort', onAbort);
  });
}

/**
 * A token file: read again after a 401, in case a sidecar or a cron job has refreshed it.
 * `source`: how the caller names it in messages. The token is the file's text, trimmed, at start
 * and on every read again alike.
 */
export function tokenFile(path: string, initial: string, io: CredentialIO, source: string): Credentials {
  const read = async (): Promise<IssuedToken> => {
    let text: string;
    try {
      text = await io.readTextFile(path, MAX_TOKEN_FILE_BYTES);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new CredentialError('final', `cannot read the token file ${JSON.stringify(path)} (${code})`);
    }
    return { token: cleanToken(text), renewAt: undefined };
  };
  return new RenewingCredentials(source, read, io.clock, { token: initial, renewAt: undefined });
}

/**
 * A token command: run by the shell; its stdout is the token, or `{"access_token", "expires_in"}`.
 * Run at start, ahead of `expires_in` when given, and after a 401; its answer is what it printed
 * by the time it exited. What it says on stderr is passed on with every secret redacted.
 * `source`: how the caller names it in messages.
 */
export function tokenCommand(command: string, io: CredentialIO, source: string): Credentials {
  const run = async (limits: TokenLimits): Promise<IssuedToken> => {
    const startedAt = io.clock.monotonic();
    const timeoutMs = Math.min(TOKEN_COMMAND_TIMEOUT_MS, limits.timeoutMs);
    const result = await io.runCommand(command, timeoutMs, limits.signal);
    const said = redact(result.stderr, credentials.secrets());
    if (limits.signal.aborted) throw new CredentialError('transient', 'interrupted');
    if (result.timedOut) {
      // Its own limit is final (the command hangs); the request's is the watch's, retried.
      const kind = timeoutMs < TOKEN_COMMAND_TIMEOUT_MS ? 'transient' : 'final';
      throw new CredentialError(kind, `the token command gave no token within ${formatSeconds(timeoutMs)}`);
    }
    if (result.code !== 0) {
      const text = sanitize(said, 300);
      throw new CredentialError(
        'final',
        `the token command failed (exit ${result.code ?? 'by signal'})${text ? `: ${text}` : ''}`,
      );
    }
    if (result.overflowed) {
      throw new CredentialError('final', 'the token command printed more than 64 KiB, which is no token');
    }
    const issued = parseCommandOutput(result.stdout, startedAt);
    // What it said is passed on without the token it has just given, nor any before it.
    const passed = redact(said, [issued.token]);
    if (passed.trim()) io.passStderr?.(passed.endsWith('\n') ? passed : `${passed}\n`);
    return issued;
  };
  const credentials = new RenewingCredentials(source, run, io.clock);
  return credentials;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
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
  const lifetime = typeof expiresIn === 'number' && expiresIn >= 0 ? expiresIn * 1000 : undefined;
  return { token: cleanToken(token), renewAt: renewAt(startedAt, lifetime) };
}

/** One line of printable characters; anything else would corrupt the Authorization header. */
function cleanToken(text: string): string {
  const token = tokenText(text);
  if (tokenFault(token)) {
    throw new CredentialError('final', 'the token is empty or holds a space or a control character');
  }
  return token;
}
