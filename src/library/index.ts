/**
 * export-status as a library: wait for an export from a Node program, with the same poller,
 * HTTP client, credentials and result document as the CLI, and the same rules below both
 * (src/rules/: settings checked before any request, the secret policy, starting an export, the
 * reasons a watch ends, here worded with option names). It never writes to stdout or stderr and
 * never touches `process`: proxies come from `options.env`, interrupts from `options.signal`.
 * The public types are declared in types/index.d.ts.
 */
import { setMaxListeners } from 'node:events';
import { errorCodeOf, fetchStatus, type StatusMemo } from '../api/client.js';
import { CredentialError, type CredentialIO, type Credentials } from '../api/credentials.js';
import {
  type ExportStatus,
  parseExportStatus as parseDocument,
  parseExportStatusText,
} from '../api/schema.js';
import { type JobRef, parseHttpUrl, resolveJob } from '../api/urls.js';
import { realClock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type Destination, parseDestination } from '../delivery/destination.js';
import { readSmallFile, writeFileWhole } from '../node/files.js';
import { runShell } from '../node/shell.js';
import { chooseTransport } from '../node/transport.js';
import type { JobResult } from '../poll/job.js';
import { Limiter } from '../poll/limiter.js';
import { type PollEvent, watchJob } from '../poll/poller.js';
import type { FailOn, WatchRules } from '../poll/rules.js';
import { type ResultDocument, resultDocument } from '../render/json.js';
import {
  type Connection,
  type ConnectionSpec,
  type CredentialSpec,
  checkConnection,
  openConnection,
} from '../rules/connection.js';
import { checkHeader, checkLanguage, checkRules } from '../rules/settings.js';
import { checkExportBody, describeStart, sendStart, startExitCode } from '../rules/start.js';
import { startOnce, stateFileIO } from '../rules/start-once.js';
import type { SettingName, Vocabulary } from '../rules/vocabulary.js';
import { wordingFor } from '../rules/wording.js';
import { USER_AGENT } from '../version.js';

export interface ConnectionOptions {
  baseUrl?: string;
  token?: string | (() => Promise<string>);
  clientId?: string;
  clientSecret?: string;
  tokenUrl?: string;
  scope?: string;
  tokenCommand?: string;
  language?: string;
  headers?: Record<string, string>;
  requestTimeout?: number;
  maxRetries?: number;
  allowInsecureHttp?: boolean;
  strict?: boolean;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export interface StartOptions extends ConnectionOptions {
  /**
   * A file that records the job started; a later call with the same body and API starts nothing
   * while that job runs or has succeeded, and gives that job (`reused: true`).
   */
  stateFile?: string;
}

export interface WatchOptions extends ConnectionOptions {
  interval?: number | 'auto';
  minInterval?: number;
  maxInterval?: number;
  timeout?: number;
  /** A time after which the watch gives up (outcome `timeout`), whenever it started: a Date or ISO 8601 text. */
  deadline?: Date | string;
  stallTimeout?: number;
  waitForCreate?: number;
  failOn?: FailOn;
  /** What the watch waits for: the job's end (default), the job leaving Pending, or N % of progress. */
  until?: 'done' | 'running' | `${number}%`;
  /**
   * After Successful, look for the export's files at `s3://bucket/prefix` (modified since the
   * job's startTime), with the AWS variables of `env`: none is outcome `undelivered` (exit 7).
   */
  verifyDelivery?: string;
  /** With verifyDelivery to SFTP: a private key file to log in with (else EXPORT_STATUS_SFTP_PASSWORD of env). */
  sftpKey?: string;
  /** With verifyDelivery to SFTP: the accepted host key fingerprints (SHA256:…); else env.HOME's known_hosts. */
  sftpHostKey?: string | string[];
}

/** A failure, with the CLI's exit code for it and, when the API gave them, its HTTP status and code. */
export class ExportStatusError extends Error {
  override name = 'ExportStatusError';
  constructor(
    message: string,
    readonly exitCode: number,
    readonly httpStatus?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export type WatchResult = ResultDocument;

/** One event of a watch: the poller's, with the `result` event carrying the `WatchResult`. */
export type WatchEvent =
  | Exclude<PollEvent, { type: 'result' }>
  | { type: 'result'; job: JobRef; at: number; result: WatchResult };

export interface Watch extends AsyncIterable<WatchEvent> {
  readonly result: Promise<WatchResult>;
}

/** The library's name of each setting: its option. */
const OPTIONS: Record<SettingName, string> = {
  interval: 'interval',
  minInterval: 'minInterval',
  maxInterval: 'maxInterval',
  waitForCreate: 'waitForCreate',
  timeout: 'timeout',
  deadline: 'deadline',
  stallTimeout: 'stallTimeout',
  requestTimeout: 'requestTimeout',
  maxRetries: 'maxRetries',
  failOn: 'failOn',
  until: 'until',
  failFast: 'failFast',
  concurrency: 'concurrency',
  language: 'language',
  header: 'headers',
  baseUrl: 'baseUrl',
  tokenUrl: 'tokenUrl',
  job: 'jobId',
  insecureHttp: 'allowInsecureHttp',
  body: 'body',
  stateFile: 'stateFile',
  verifyDelivery: 'verifyDelivery',
  // the library reads no configuration file
  profile: 'profile',
};

/** The rules below the library speak of settings; the library names them by its options. */
const LIBRARY_WORDS: Vocabulary = {
  name: OPTIONS,
  setting: (name, value) => `${OPTIONS[name]}: ${typeof value === 'string' ? `'${value}'` : value}`,
  duration: (ms) => `${ms} ms`,
  durationType: 'a number of milliseconds',
  credentialSources: 'the token, tokenCommand, or clientId, clientSecret and tokenUrl options',
  renewableSources: 'a token function, tokenCommand or client credentials',
  privateCa: "the Node process's NODE_EXTRA_CA_CERTS",
};
const LIBRARY_WORDING = wordingFor(LIBRARY_WORDS);

/**
 * Watches one job until it ends: iterate for its events, await `.result` for the document the
 * CLI prints with `--json`. The watch runs whether or not anyone iterates. Every option is
 * checked before the first request: a bad one rejects `.result` (and ends the iteration) with an
 * ExportStatusError of exit code 2; every other ending is a WatchResult.
 */
export function watchExport(jobId: string, options: WatchOptions = {}): Watch {
  let prepared: Prepared;
  try {
    prepared = prepare(jobId, options, checkRules(options, LIBRARY_WORDS, false, { now: realClock.now() }));
    const where = optionalString(options.verifyDelivery, 'verifyDelivery');
    if (where !== undefined) {
      prepared.delivery = parseDestination(where, 'verifyDelivery');
    }
  } catch (err) {
    return refusedWatch(asExportStatusError(err));
  }
  const queue: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: ExportStatusError | undefined;
  const result = (async () => {
    try {
      const finished = await runJob(prepared, (event) => {
        queue.push(event);
        wake?.();
      });
      return finished.document;
    } catch (err) {
      failure = asExportStatusError(err);
      throw failure;
    } finally {
      done = true;
      wake?.();
    }
  })();
  // A program that only iterates learns of a failure from the iteration, not an unhandled rejection.
  result.catch(() => {});
  return {
    result,
    async *[Symbol.asyncIterator]() {
      while (true) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (failure) throw failure;
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}

/** A watch whose options were refused: nothing runs; `.result` rejects and iterating throws. */
function refusedWatch(error: ExportStatusError): Watch {
  const result = Promise.reject(error);
  // A program that only iterates learns of it from the iteration, not an unhandled rejection.
  result.catch(() => {});
  return {
    result,
    // biome-ignore lint/correctness/useYield: it throws before any event.
    async *[Symbol.asyncIterator]() {
      throw error;
    },
  };
}

/** One status of a job (transient failures retried); throws ExportStatusError when none can be had. */
export async function getExportStatus(jobId: string, options: ConnectionOptions = {}): Promise<ExportStatus> {
  const prepared = guard(() => prepare(jobId, options, checkRules(options, LIBRARY_WORDS, true)));
  const finished = await runJob(prepared, () => {}).catch((err: unknown) => {
    throw asExportStatusError(err);
  });
  if (
    finished.status &&
    (finished.outcome === 'running' || finished.outcome === 'succeeded' || finished.outcome === 'failed')
  ) {
    return finished.status;
  }
  throw new ExportStatusError(
    finished.error ?? finished.outcome,
    finished.exitCode,
    finished.httpStatus,
    finished.errorCode,
  );
}

/** A document from text or a decoded value; throws ExportStatusError (exit code 5) naming every bad field. */
export function parseExportStatus(input: string | unknown, options: { strict?: boolean } = {}): ExportStatus {
  const parsed =
    typeof input === 'string' ? parseExportStatusText(input, options) : parseDocument(input, options);
  if (parsed.ok) return parsed.value;
  const issues = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ExportStatusError(`not a valid ExportStatus: ${issues}`, ExitCode.invalid);
}

/**
 * Starts an export, as `export-status start` does: an invalid body or option throws (exit code
 * 2) before anything is sent; the POST is never sent twice; an export that was not started (4),
 * may or may not have started (4) or cannot be found (5) throws, its message saying which.
 */
export async function startExport(
  body: unknown,
  options: StartOptions = {},
): Promise<{ jobId: string; statusUrl: string; reused: boolean }> {
  const { checked, baseUrl, spec, requestTimeoutMs } = guard(() => {
    const checked = checkExportBody(body, LIBRARY_WORDS);
    const { requestTimeoutMs } = checkRules(options, LIBRARY_WORDS, true);
    return { checked, ...connectionSpec(options, [], requestTimeoutMs), requestTimeoutMs };
  });
  const { client } = await open(spec, options);
  const start = {
    baseUrl,
    body: checked,
    client,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: requestTimeoutMs,
    now: realClock.now,
  };
  const { stateFile } = options;
  const once = await (stateFile === undefined
    ? sendStart(baseUrl, checked, client, start.signal, requestTimeoutMs).then((outcome) => ({
        outcome,
        writeError: undefined,
      }))
    : startOnce(stateFile, stateFileIO(readSmallFile, writeFileWhole), start, LIBRARY_WORDS)
  ).catch((err: unknown) => {
    throw asExportStatusError(err);
  });
  const started = once.outcome;
  // The export is started, but a re-run would start another: the caller must know.
  if (once.writeError) throw new ExportStatusError(once.writeError, ExitCode.output);
  if (started.kind === 'started' || started.kind === 'reused') {
    return { jobId: started.job.id, statusUrl: started.job.url, reused: started.kind === 'reused' };
  }
  const detail = started.kind === 'not-started' ? started : undefined;
  throw new ExportStatusError(
    describeStart(started, LIBRARY_WORDS),
    startExitCode(started),
    detail?.httpStatus,
    detail?.code,
  );
}

/** A job, its rules and its connection, every option checked: nothing has been opened or sent yet. */
interface Prepared {
  /** verifyDelivery: where the job's files are looked for. */
  delivery?: Destination | undefined;
  job: JobRef;
  rules: WatchRules;
  spec: ConnectionSpec;
  options: ConnectionOptions;
  signal: AbortSignal;
}

function prepare(jobId: unknown, options: ConnectionOptions, rules: WatchRules): Prepared {
  const base = baseUrlOf(options);
  if (typeof jobId !== 'string') throw new UsageError(`jobId: expected a string, got a ${typeof jobId}`);
  const job = resolveJob(jobId, base);
  const { spec } = connectionSpec(options, [new URL(job.url)], rules.requestTimeoutMs);
  return { job, rules, spec, options, signal: signalOf(options) };
}

/** Runs one job's poller to its end, passing each event on. */
async function runJob(
  prepared: Prepared,
  onEvent: (event: WatchEvent) => void,
): Promise<JobResult & { document: WatchResult; httpStatus?: number; errorCode?: string }> {
  const { job, rules, signal } = prepared;
  const { client } = await open(prepared.spec, prepared.options);
  const delivery = prepared.delivery && (await deliveryOf(prepared.delivery, prepared.options));
  let last: { httpStatus?: number; errorCode?: string } = {};
  const memo: StatusMemo = {};
  const ctx = {
    clock: realClock,
    random: Math.random,
    limiter: new Limiter(DEFAULTS.concurrency),
    signal,
    words: LIBRARY_WORDING,
    fetch: async (url: URL, requestSignal: AbortSignal, timeoutMs: number) => {
      const outcome = await fetchStatus(url, client, requestSignal, timeoutMs, memo);
      if (outcome.kind === 'final')
        last = { httpStatus: outcome.httpStatus, errorCode: errorCodeOf(outcome.reason) };
      return outcome;
    },
  };
  const end = await watchJob(job, rules, ctx, onEvent);
  const ended = delivery ? await delivery.verify(end.result) : end.result;
  // One document: the result event carries the very object `.result` resolves to.
  const document = resultDocument(ended);
  onEvent({ type: 'result', job: end.job, at: end.at, result: document });
  return { ...ended, ...last, document };
}

/** verifyDelivery: the destination's check, its module loaded only then; AWS settings from `env`. */
async function deliveryOf(destination: Destination, options: WatchOptions) {
  const { deliveryCheck, withDelivery } = await import('../delivery/verify.js');
  const env = options.env ?? {};
  const check = await deliveryCheck(destination, env, chooseTransport(env), realClock, {
    keyFile: options.sftpKey,
    hostKeys: options.sftpHostKey === undefined ? [] : [options.sftpHostKey].flat(),
    readText: (path) => readSmallFile(path, 64 * 1024),
  }).catch((err: unknown) => {
    throw asExportStatusError(err);
  });
  const watchedFrom = realClock.now();
  return { verify: (result: JobResult) => withDelivery(result, check, undefined, watchedFrom) };
}

/** Runs the checks of the options; what they refuse becomes an ExportStatusError of exit code 2. */
function guard<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw asExportStatusError(err);
  }
}

function asExportStatusError(err: unknown): ExportStatusError {
  if (err instanceof ExportStatusError) return err;
  if (err instanceof UsageError) return new ExportStatusError(err.message, ExitCode.usage);
  return new ExportStatusError(`internal error: ${String(err)}`, ExitCode.internal);
}

function baseUrlOf(options: ConnectionOptions): URL {
  const text = optionalString(options.baseUrl, 'baseUrl') ?? DEFAULTS.baseUrl;
  return parseHttpUrl(text, 'baseUrl');
}

/**
 * Each caller's signal is listened to once, by a signal of the library's own that every watch
 * on it listens to: a thousand watches on one signal add no listener to it (and no warning).
 */
const fanned = new WeakMap<AbortSignal, AbortSignal>();
function signalOf(options: ConnectionOptions): AbortSignal {
  const { signal } = options;
  if (signal === undefined) return new AbortController().signal;
  if (!(signal instanceof AbortSignal)) throw new UsageError('signal: expected an AbortSignal');
  let own = fanned.get(signal);
  if (!own) {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    own = controller.signal;
    fanned.set(signal, own);
  }
  return own;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new UsageError(`${name}: expected a string, got a ${value === null ? 'null' : typeof value}`);
}

/**
 * The connection's spec from the library's options, every option checked (the one check of a
 * connection below every front end: the token check, the secret policy): `jobUrls` (or the base
 * URL) get the token, the token URL the client secret. Nothing is opened yet.
 */
function connectionSpec(options: ConnectionOptions, jobUrls: readonly URL[], requestTimeoutMs: number) {
  const baseUrl = baseUrlOf(options);
  const spec: ConnectionSpec = {
    apiUrls: jobUrls.length > 0 ? jobUrls : [baseUrl],
    credential: credentialOf(options),
    language: checkLanguage(options.language, LIBRARY_WORDS),
    headers: headersOf(options.headers),
    insecureHttp: options.allowInsecureHttp === true,
    requestTimeoutMs,
    strict: options.strict === true,
    userAgent: USER_AGENT,
    urlFrom:
      options.baseUrl === undefined ? 'the default base URL (the baseUrl option)' : 'the baseUrl option',
  };
  checkConnection(spec, LIBRARY_WORDS);
  return { baseUrl, spec };
}

/** Opens a checked connection with the library's side effects: no files, no stdio. */
function open(spec: ConnectionSpec, options: ConnectionOptions): Promise<Connection> {
  const io: CredentialIO = {
    clock: realClock,
    readTextFile: async () => {
      throw new CredentialError('final', 'no files are read by the library');
    },
    runCommand: runShell,
    transport: chooseTransport(options.env ?? {}),
  };
  const proxies = proxiesOf(options);
  return openConnection(spec, io, {
    share: (credential, make) =>
      shared(JSON.stringify([sourceKey(credential), spec.requestTimeoutMs, proxies]), make),
  });
}

function headersOf(headers: unknown): Array<[string, string]> {
  if (headers === undefined) return [];
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new UsageError('headers: expected an object of header names and values');
  }
  return Object.entries(headers).map(([name, value]) => checkHeader(name, value, LIBRARY_WORDS));
}

/** The one credential source the options name (its checks are the connection's). */
function credentialOf(options: ConnectionOptions): CredentialSpec {
  const { token } = options;
  const clientId = optionalString(options.clientId, 'clientId');
  const clientSecret = optionalString(options.clientSecret, 'clientSecret');
  const tokenUrlText = optionalString(options.tokenUrl, 'tokenUrl');
  const scope = optionalString(options.scope, 'scope');
  const command = optionalString(options.tokenCommand, 'tokenCommand');
  const given = [token !== undefined, clientId !== undefined, command !== undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError('give one of token, clientId/clientSecret/tokenUrl, tokenCommand');
  if (typeof token === 'string') return { kind: 'fixed', token: token.trim(), source: 'the token option' };
  if (typeof token === 'function') return { kind: 'function', token, source: 'the token function' };
  if (token !== undefined) throw new UsageError('token: expected a string or a function returning one');
  if (command !== undefined) {
    if (command.trim() === '') throw new UsageError('tokenCommand: empty');
    if (command.includes('\u0000')) throw new UsageError('tokenCommand: contains a NUL character');
    return { kind: 'command', command, source: 'the tokenCommand option' };
  }
  if (clientId === undefined) {
    if (clientSecret !== undefined || tokenUrlText !== undefined) {
      throw new UsageError('client credentials need clientId, clientSecret and tokenUrl');
    }
    return { kind: 'none' };
  }
  if (!clientSecret || !tokenUrlText)
    throw new UsageError('client credentials need clientId, clientSecret and tokenUrl');
  const tokenUrl = parseHttpUrl(tokenUrlText, 'tokenUrl');
  return { kind: 'client', tokenUrl, tokenUrlFrom: 'the tokenUrl option', clientId, clientSecret, scope };
}

/**
 * The credential sources of this process, by what configures them: watches with the same
 * client credentials (or the same token command) share one token, so a hundred watches make
 * one token request, not a hundred.
 */
const sources = new Map<string, Credentials>();
/** The proxy settings a source's requests go through: sources with other ones are not shared. */
function proxiesOf(options: ConnectionOptions): Array<string | undefined> {
  const env = options.env ?? {};
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'].map(
    (k) => env[k],
  );
}
/** What configures a shared source (only token commands and client credentials are shared). */
function sourceKey(credential: CredentialSpec): unknown[] {
  if (credential.kind === 'command') return ['command', credential.command];
  if (credential.kind === 'client') {
    const { tokenUrl, clientId, clientSecret, scope } = credential;
    return ['client', tokenUrl.href, clientId, clientSecret, scope ?? ''];
  }
  return [credential.kind];
}
function shared(key: string, make: () => Credentials): Credentials {
  let credentials = sources.get(key);
  if (!credentials) {
    credentials = make();
    sources.set(key, credentials);
  }
  return credentials;
}

export type { ExportStatus };
