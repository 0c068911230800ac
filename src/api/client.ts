import { giveBack, lendSignal } from '../core/abort.js';
import { type Clock, timeLimitPassed } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { sanitize } from '../core/sanitize.js';
import { CredentialError, type Credentials, type TokenLimits } from './credentials.js';
import { SECRET_FIELD } from './export-request.js';
import { rateLimitReset } from './rate-limit.js';
import {
  type ExportStatus,
  type FieldIssue,
  MAX_BODY_BYTES,
  parseExportStatusText,
  wsErrorCommonSchema,
} from './schema.js';
import {
  BodyTooLargeError,
  type HttpResponse,
  SentRequestError,
  sendWithin,
  type Transport,
  UnsupportedCharsetError,
} from './transport.js';

export interface ClientOptions {
  transport: Transport;
  /** Where bearer tokens come from; none for an API that asks for none (the simulator). */
  credentials?: Credentials | undefined;
  language: string;
  userAgent: string;
  /** Extra request headers from -H. */
  headers: ReadonlyArray<readonly [string, string]>;
  strict: boolean;
  /**
   * Where the URL came from, for hints ("--base-url", "EXPORT_STATUS_BASE_URL", "the job URL"…),
   * and the hosts that have answered in this run: a name that never resolved is a mistake in the
   * URL, reported at once; one that has answered before is a network glitch, retried.
   */
  urlFrom?: string | undefined;
  answered?: Set<string> | undefined;
  /** Other secrets to keep out of what is printed (those of an export request's body). */
  secrets?: readonly string[] | undefined;
  /** --verbose: one line per request, response and decision. Never given the token. */
  log?: ((line: string) => void) | undefined;
  /** Every time limit and latency is measured on its monotonic time. */
  clock: Clock;
}

/** What one poll came to: the only thing the poller needs to know about HTTP. */
export type StatusOutcome =
  | { kind: 'status'; status: ExportStatus; raw: Record<string, unknown>; warnings: FieldIssue[] }
  /**
   * Worth trying again: connection trouble, a request timeout, 408/429/5xx. `code`: the errno;
   * `timeoutMs`: set when the request had no answer within its time limit.
   */
  | {
      kind: 'transient';
      reason: string;
      retryAfter?: string | undefined;
      code?: string | undefined;
      timeoutMs?: number | undefined;
      /** No request reached the API (no token could be had): not an answer, not a poll. */
      notSent?: boolean | undefined;
    }
  /** No status can be had this way: 4xx, a certificate problem, too many redirects. */
  /**
   * `requestSent`: a POST that reached the server before its connection failed. `hint`: what
   * this failure usually means and what to check, as data: each front end words it.
   */
  | {
      kind: 'final';
      reason: string;
      httpStatus?: number;
      requestSent?: boolean;
      hint?: Hint;
      notSent?: boolean;
    }
  /** The server answered, but not with an ExportStatus. `strict`: judged by the strict schema. */
  | { kind: 'invalid'; reason: string; hint?: Hint; strict?: boolean }
  | { kind: 'aborted' };

/**
 * What a failure usually means and what to check, as data: the CLI words it with its flags, the
 * library with its option names. `from`: where the URL came from, in the caller's words.
 */
export type Hint =
  /**
   * A 404: a job started moments ago may not exist yet; else a wrong ID or base URL.
   * `waitedMs`: how long the watch already waited for it to be created.
   */
  | { kind: 'not-found'; from: string; waitedMs?: number | undefined }
  /** A web page where JSON was expected: a sign-in page, a proxy's error page, a wrong address. */
  | { kind: 'web-page'; from: string }
  /** A 401/403 to a request that carried no credential. */
  | { kind: 'no-credential' }
  /** A 401/403 to a token that cannot be renewed (a fixed one). */
  | { kind: 'not-renewable'; source: string }
  /** A 401 to a renewable source's token; `renewed`: refused again after renewing it. */
  | { kind: 'refused'; source: string; renewed: boolean }
  /** A 403 to a token that was sent: a missing scope or permission, not an expired token. */
  | { kind: 'forbidden'; source: string }
  /** A TLS certificate the platform does not trust. */
  | { kind: 'certificate' }
  /** An https:// URL whose server answered in plain HTTP: a wrong scheme or port. */
  | { kind: 'not-https'; from: string }
  /** A 401/403 after a redirect to another origin, where the credential is never sent. */
  | { kind: 'withheld'; origin: string };

export const TRANSIENT_HTTP: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * One job's last valid answer: a body the same as the last one (a job shows one status for most
 * of its polls) has the same outcome, and is not parsed and checked again.
 */
export interface StatusMemo {
  last?: { body: string; contentType: string; outcome: Extract<StatusOutcome, { kind: 'status' }> };
}

/**
 * One GET of a job's status URL, classified. Never throws for anything the network or server
 * does. `memo`: one job's, kept from one poll to the next.
 */
export async function fetchStatus(
  url: URL,
  options: ClientOptions,
  signal: AbortSignal,
  timeoutMs: number,
  memo?: StatusMemo,
): Promise<StatusOutcome> {
  const answer = await request('GET', url, options, signal, timeoutMs);
  const from = options.urlFrom ?? 'the URL';
  if (answer.kind !== 'response') {
    const { outcome } = answer;
    if (outcome.kind === 'transient' && outcome.code === 'ENOTFOUND' && !options.answered?.has(url.host)) {
      return {
        kind: 'final',
        reason: `cannot resolve ${sanitize(url.hostname, 100)}: check the host in ${from}`,
      };
    }
    return withHint(outcome, from);
  }
  options.answered?.add(url.host);
  const outcome = classifyStatusResponse(answer.response, options.strict, answer.authHint, memo);
  return withHint(outcome, from);
}

/** What a 404 or a web page where JSON was expected usually means, and what to check. */
function withHint(outcome: StatusOutcome, from: string): StatusOutcome {
  if (outcome.kind === 'final' && outcome.hint?.kind === 'not-https')
    return { ...outcome, hint: { kind: 'not-https', from } };
  if (outcome.kind === 'final' && outcome.httpStatus === 404)
    return { ...outcome, hint: { kind: 'not-found', from } };
  if (outcome.kind === 'invalid' && /^expected JSON, got text\/html/.test(outcome.reason)) {
    return { ...outcome, hint: { kind: 'web-page', from } };
  }
  return outcome;
}

type Answer =
  /** `authHint`: for a 401/403, what to do about the credential. */
  | { kind: 'response'; response: HttpResponse; url: URL; authHint: Hint }
  | { kind: 'failed'; outcome: StatusOutcome };

/** Sends one request, following redirects; the token never leaves the origin it was meant for. */
export async function request(
  method: 'GET' | 'POST',
  url: URL,
  options: ClientOptions,
  signal: AbortSignal,
  timeoutMs: number,
  body?: string,
): Promise<Answer> {
  const { credentials } = options;
  let hop: Hop = { method, url, body };
  let renewed = false;
  // One time limit for the whole exchange: the token, every redirect hop, a renewal.
  const { clock } = options;
  const deadline = clock.monotonic() + timeoutMs;
  for (let redirects = 0; redirects <= MAX_REDIRECTS; ) {
    // Like fetch for credentials, and like curl for custom headers: both are dropped when a
    // redirect leaves the origin the user configured.
    const sameOrigin = hop.url === url || hop.url.origin === url.origin;
    const token =
      credentials && sameOrigin
        ? await tokenOf(credentials, limitsUntil(deadline, clock, signal), signal)
        : undefined;
    if (typeof token === 'object') return token;
    const headers = requestHeaders(options, token, sameOrigin, hop.body !== undefined);
    const leftMs = deadline - clock.monotonic();
    if (leftMs <= 0) return { kind: 'failed', outcome: noAnswerWithin(timeoutMs, hop.method) };
    const sent = await sendOnce(hop, headers, options, signal, leftMs, timeoutMs);
    if (sent.kind === 'failed') return sent;
    if (sent.response.status === 401 && credentials && token !== undefined && !renewed) {
      // Renewed once, and the same request sent again at once: not a retry, never a loop.
      renewed = true;
      const fresh = await renewal(credentials, token, options, limitsUntil(deadline, clock, signal), signal);
      if (typeof fresh === 'object') return fresh;
      if (fresh) continue;
    }
    const next = redirectTarget(sent.response, hop);
    if (next === undefined) {
      const authHint =
        credentials && !sameOrigin
          ? ({ kind: 'withheld', origin: hop.url.origin } as const)
          : authHintFor(credentials, token !== undefined, renewed, sent.response.status);
      return { kind: 'response', response: sent.response, url: hop.url, authHint };
    }
    if ('kind' in next) return next;
    hop = next;
    redirects++;
  }
  return { kind: 'failed', outcome: { kind: 'final', reason: `more than ${MAX_REDIRECTS} redirects` } };
}

/** What is left of an exchange's time limit, for a token request. */
function limitsUntil(deadline: number, clock: Clock, signal: AbortSignal): TokenLimits {
  return { signal, timeoutMs: Math.max(1, deadline - clock.monotonic()) };
}

/** The current token, or the failure that kept it from us (a transient one is retried). */
async function tokenOf(
  credentials: Credentials,
  limits: TokenLimits,
  signal: AbortSignal,
): Promise<string | Extract<Answer, { kind: 'failed' }>> {
  try {
    return await credentials.token(limits);
  } catch (err) {
    return credentialFailure(err, credentials, signal);
  }
}

/** After a 401: whether a new token is to be had (renewing it), or why none could be. */
async function renewal(
  credentials: Credentials,
  rejected: string,
  options: ClientOptions,
  limits: TokenLimits,
  signal: AbortSignal,
): Promise<boolean | Extract<Answer, { kind: 'failed' }>> {
  if (!credentials.renewable) return false;
  options.log?.(`  401: renewing the token (${credentials.source})`);
  try {
    return await credentials.renew(rejected, limits);
  } catch (err) {
    return credentialFailure(err, credentials, signal);
  }
}

/**
 * Whatever a credential source threw ends this request as a failure, never as an exception; no
 * request was sent (so it is no answer from the API), and every secret the source knows is
 * redacted from what it said.
 */
function credentialFailure(
  err: unknown,
  credentials: Credentials,
  signal: AbortSignal,
): Extract<Answer, { kind: 'failed' }> {
  if (signal.aborted) return { kind: 'failed', outcome: { kind: 'aborted' } };
  // A source given something that is no credential (a library caller's token function that
  // returned a token with a space): the caller's mistake, refused as a bad option is.
  if (err instanceof UsageError) throw err;
  const message = redact(err instanceof Error ? err.message : String(err), credentials.secrets());
  if (!(err instanceof CredentialError)) {
    return {
      kind: 'failed',
      outcome: { kind: 'final', reason: `no token: ${sanitize(message, 200)}`, notSent: true },
    };
  }
  const reason = `no token: ${message}`;
  return {
    kind: 'failed',
    outcome:
      err.kind === 'transient'
        ? { kind: 'transient', reason, retryAfter: err.retryAfter, notSent: true }
        : { kind: 'final', reason, notSent: true },
  };
}

/** What a 401 or 403 should tell the user about the credential that was (or was not) sent. */
function authHintFor(
  credentials: Credentials | undefined,
  sent: boolean,
  renewed: boolean,
  httpStatus: number,
): Hint {
  if (!credentials || !sent) return { kind: 'no-credential' };
  if (httpStatus === 403) return { kind: 'forbidden', source: credentials.source };
  if (!credentials.renewable) return { kind: 'not-renewable', source: credentials.source };
  return { kind: 'refused', source: credentials.source, renewed };
}

/** One request of a chain of redirects. */
interface Hop {
  method: 'GET' | 'POST';
  url: URL;
  body: string | undefined;
}

/**
 * One HTTP exchange, given what is left (`leftMs`) of the request's time limit (`limitMs`),
 * logged for --verbose.
 */
async function sendOnce(
  hop: Hop,
  headers: Record<string, string>,
  options: ClientOptions,
  signal: AbortSignal,
  leftMs: number,
  limitMs: number,
): Promise<{ kind: 'sent'; response: HttpResponse } | Extract<Answer, { kind: 'failed' }>> {
  const { clock } = options;
  const started = clock.monotonic();
  options.log?.(`→ ${hop.method} ${hop.url.href}  ${formatHeaders(headers, options)}`);
  // The request's signal, aborted by the caller's or when the time limit passes (lent: one kept
  // per caller between requests). The limit is a timer cleared as soon as the answer is in
  // (AbortSignal.timeout would keep a 30 s timer and its signal alive after every poll).
  const lent = lendSignal(signal);
  const { controller } = lent;
  const expire = clock.after(leftMs, () => controller.abort(timeLimitPassed()));
  try {
    const answer = await sendWithin(options.transport, {
      method: hop.method,
      url: hop.url,
      headers,
      body: hop.body,
      signal: controller.signal,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const body = redactSecrets(answer.body, options);
    const response = body === answer.body ? answer : { ...answer, body };
    options.log?.(
      `← HTTP ${response.status} in ${clock.monotonic() - started} ms (${Buffer.byteLength(response.body)} bytes)`,
    );
    return { kind: 'sent', response };
  } catch (err) {
    let outcome = classifyFailure(err, signal, limitMs);
    if (outcome.kind === 'transient' && outcome.timeoutMs !== undefined)
      outcome = noAnswerWithin(limitMs, hop.method);
    options.log?.(`← ${describeOutcome(outcome)} after ${clock.monotonic() - started} ms`);
    return { kind: 'failed', outcome };
  } finally {
    expire();
    giveBack(lent);
  }
}

/**
 * No answer within the request's time limit: transient for a GET; for a POST that was under
 * way, of unknown outcome (it may have been received), never sent again.
 */
function noAnswerWithin(limitMs: number, method: 'GET' | 'POST'): StatusOutcome {
  const reason = `no answer within ${limitMs} ms`;
  if (method === 'POST')
    return { kind: 'final', reason: `${reason}, after the request was sent`, requestSent: true };
  return { kind: 'transient', reason, timeoutMs: limitMs };
}

/** Where a redirect leads (undefined: not a redirect), or why it cannot be followed. */
function redirectTarget(
  response: HttpResponse,
  hop: Hop,
): Hop | Extract<Answer, { kind: 'failed' }> | undefined {
  const location = response.headers.location;
  if (!REDIRECTS.has(response.status) || !location) return undefined;
  let next: URL;
  try {
    next = new URL(location, hop.url);
  } catch {
    const reason = `redirect to an invalid URL ${JSON.stringify(sanitize(location, 80))}`;
    return { kind: 'failed', outcome: { kind: 'final', reason } };
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    const reason = `redirect to a non-HTTP URL (${sanitize(next.protocol, 20)})`;
    return { kind: 'failed', outcome: { kind: 'final', reason } };
  }
  if (hop.url.protocol === 'https:' && next.protocol === 'http:') {
    const reason = `refused a redirect from https:// down to plain http:// (${sanitize(next.host, 80)})`;
    return { kind: 'failed', outcome: { kind: 'final', reason } };
  }
  const toGet =
    response.status === 303 ||
    ((response.status === 301 || response.status === 302) && hop.method === 'POST');
  return toGet ? { method: 'GET', url: next, body: undefined } : { ...hop, url: next };
}

function requestHeaders(
  options: ClientOptions,
  token: string | undefined,
  sameOrigin: boolean,
  hasBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': options.language,
    'user-agent': options.userAgent,
  };
  if (hasBody) headers['content-type'] = 'application/json';
  if (sameOrigin) for (const [name, value] of options.headers) headers[name.toLowerCase()] = value;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return headers;
}

/** Request headers for --verbose: the credential and every -H value redacted (they may be secrets). */
function formatHeaders(headers: Record<string, string>, options: ClientOptions): string {
  const custom = new Set(options.headers.map(([name]) => name.toLowerCase()));
  return Object.entries(headers)
    .map(([name, value]) => {
      if (name === 'authorization') return `${name}: Bearer ***`;
      return `${name}: ${custom.has(name) ? '***' : value}`;
    })
    .join('; ');
}

/**
 * Server text with every secret the client knows (tokens, the client secret, -H values, the
 * secrets of a request body) replaced by ***, in each form a server may echo them: a server
 * that echoes a token in its error must not get it printed.
 */
function redactSecrets(text: string, options: ClientOptions): string {
  if (!options.credentials && options.headers.length === 0 && !options.secrets?.length) return text;
  return redact(text, [
    ...(options.credentials?.secrets() ?? []),
    ...options.headers.map(([, value]) => value),
    ...(options.secrets ?? []),
  ]);
}

/** Turns a 2xx/3xx/4xx/5xx answer into an outcome. */
function classifyStatusResponse(
  response: HttpResponse,
  strict: boolean,
  authHint: Hint,
  memo: StatusMemo | undefined,
): StatusOutcome {
  const { status, body } = response;
  if (status >= 200 && status < 300) {
    const type = response.headers['content-type'] ?? '';
    const last = memo?.last;
    if (last && last.body === body && last.contentType === type) return last.outcome;
    if (type && !/[/+]json\b/i.test(type)) {
      return {
        kind: 'invalid',
        reason: `expected JSON, got ${sanitize(type, 60)}: ${snippet(response.body)}`,
        strict,
      };
    }
    const parsed = parseExportStatusText(response.body, { strict });
    if (!parsed.ok) {
      return {
        kind: 'invalid',
        reason: parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        strict,
      };
    }
    const outcome = {
      kind: 'status',
      status: parsed.value,
      raw: parsed.raw,
      warnings: parsed.warnings,
    } as const;
    if (memo) memo.last = { body, contentType: type, outcome };
    return outcome;
  }
  const message = `HTTP ${status}${errorMessage(response.body)}`;
  if (TRANSIENT_HTTP.has(status)) {
    const retryAfter =
      response.headers['retry-after'] ?? rateLimitReset(response.headers['x-ratelimit-reset']);
    return { kind: 'transient', reason: message, retryAfter };
  }
  if (status === 401 || status === 403)
    return { kind: 'final', httpStatus: status, reason: message, hint: authHint };
  return { kind: 'final', httpStatus: status, reason: message };
}

/** ": 404-101 Export job not found", from a WSErrorCommon body, or a short snippet of any other body. */
export function errorMessage(body: string): string {
  if (body.trim() === '') return '';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `: ${snippet(body)}`;
  }
  const parsed = wsErrorCommonSchema().safeParse(json);
  if (!parsed.success) return `: ${snippet(body)}`;
  const e = parsed.data;
  const text = [e.code, e.userMessage ?? e.developerMessage].filter(Boolean).join(' ');
  // A detail about a secret field (dataDestination.secretKey=…) never shows its value.
  const details = (e.details ?? [])
    .map((d) => (d.value === undefined ? d.key : `${d.key}=${SECRET_FIELD.test(d.key) ? '***' : d.value}`))
    .join(', ');
  const all = details ? `${text} (${details})` : text;
  // Long enough for the list of allowed values a 400-196 gives.
  return all ? `: ${sanitize(all, 800)}` : `: ${snippet(body)}`;
}

/** The API's WSErrorCommon code in a reason the client made ("HTTP 404: 404-100 …"), if any. */
export function errorCodeOf(reason: string): string | undefined {
  return /^HTTP \d+: (\d{3}-\d+)\b/.exec(reason)?.[1];
}

function snippet(body: string): string {
  const clean = sanitize(body, 80);
  return clean === '' ? '(empty body)' : JSON.stringify(clean);
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPROTO',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * What TLS says when the other end answers in plain HTTP (a wrong scheme, a wrong port): OpenSSL
 * reads the start of an HTTP answer as a record of an unknown version or of an absurd length.
 */
const PLAIN_HTTP_ANSWER = /wrong version number|packet length too long|http request/i;
const PLAIN_HTTP_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
]);

/** Whether a failure is a plain-HTTP answer to a TLS handshake. */
function plainHttpAnswer(code: string | undefined, message: string): boolean {
  if (code && PLAIN_HTTP_CODES.has(code)) return true;
  return code === 'EPROTO' && PLAIN_HTTP_ANSWER.test(message);
}

/** The single classifier for whatever the transport threw. */
export function classifyFailure(err: unknown, userSignal: AbortSignal, timeoutMs: number): StatusOutcome {
  if (userSignal.aborted) return { kind: 'aborted' };
  if (err instanceof BodyTooLargeError) return { kind: 'invalid', reason: `response body larger than 1 MiB` };
  if (err instanceof UnsupportedCharsetError) return { kind: 'invalid', reason: err.message };
  if (err instanceof SentRequestError) {
    // A POST that reached the server: never repeated, and its outcome is not known.
    const inner = classifyFailure(err.cause, userSignal, timeoutMs);
    // A handshake that met plain HTTP: nothing the server could read was sent.
    if (inner.kind === 'aborted' || (inner.kind === 'final' && inner.hint?.kind === 'not-https'))
      return inner;
    const reason = 'reason' in inner ? inner.reason : 'no answer';
    return { kind: 'final', reason: `${reason}, after the request was sent`, requestSent: true };
  }
  const e = err as (Error & { code?: string; cause?: unknown }) | undefined;
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return { kind: 'transient', reason: `no answer within ${timeoutMs} ms`, timeoutMs };
  }
  const code = e?.code ?? (e?.cause as { code?: string } | undefined)?.code;
  const what = sanitize(e?.message ?? String(err), 160);
  if (plainHttpAnswer(code, `${e?.message ?? ''} ${(e?.cause as Error | undefined)?.message ?? ''}`)) {
    // Final at once: retrying will not change what the server speaks.
    return {
      kind: 'final',
      reason: 'the server answered in plain HTTP to an HTTPS request',
      hint: { kind: 'not-https', from: 'the URL' },
    };
  }
  if (code && TRANSIENT_CODES.has(code))
    return { kind: 'transient', reason: `connection error: ${what}`, code };
  // A garbled answer (a bad status line, broken chunking): one glitch is no reason to give up.
  if (code?.startsWith('HPE_')) return { kind: 'transient', reason: `protocol error: ${what}` };
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/i.test(code)) {
    return { kind: 'final', reason: `TLS certificate problem: ${what}`, hint: { kind: 'certificate' } };
  }
  // Other system errors (errno names like EADDRNOTAVAIL) are the network's; ERR_* codes are Node's
  // verdicts on the request itself and will not go away by retrying.
  if (code && /^E[A-Z]+$/.test(code)) return { kind: 'transient', reason: `connection error: ${what}` };
  return { kind: 'final', reason: `request failed: ${what}` };
}

function describeOutcome(outcome: StatusOutcome): string {
  return outcome.kind === 'aborted'
    ? 'aborted'
    : `${outcome.kind}: ${'reason' in outcome ? outcome.reason : ''}`;
}
