/**
 * export-status as a library: wait for an export from a Node program, with the same poller,
 * HTTP client, credentials and result document as the CLI. It never writes to stdout or stderr
 * and never touches `process`: proxies come from `options.env`, interrupts from `options.signal`.
 * The public types are declared in types/index.d.ts.
 */
import { fetchStatus, request } from './api/client.js';
import { clientCredentials } from './api/client-credentials.js';
import {
  type CredentialIO,
  type Credentials,
  fixedToken,
  RenewingCredentials,
  tokenCommand,
} from './api/credentials.js';
import { parseExportRequest } from './api/export-request.js';
import { apiLanguage } from './api/languages.js';
import {
  type ExportStatus,
  parseExportStatus as parseDocument,
  parseExportStatusText,
} from './api/schema.js';
import { exportUrl, isLoopback, jobFromLocation, parseHttpUrl, resolveJob } from './api/urls.js';
import { realClock } from './core/clock.js';
import { DEFAULTS, defaultMs } from './core/defaults.js';
import { ExitCode } from './core/exit-codes.js';
import type { JobResult } from './poll/job.js';
import { Limiter } from './poll/limiter.js';
import { type PollEvent, pollJob } from './poll/poller.js';
import type { FailOn, WatchRules } from './poll/rules.js';
import { type ResultDocument, resultDocument } from './render/json.js';
import { chooseTransport, runShell } from './system.js';
import { USER_AGENT } from './version.js';

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

export interface WatchOptions extends ConnectionOptions {
  interval?: number | 'auto';
  minInterval?: number;
  maxInterval?: number;
  timeout?: number;
  stallTimeout?: number;
  waitForCreate?: number;
  failOn?: FailOn;
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

export type WatchEvent = PollEvent;
export type WatchResult = ResultDocument;

export interface Watch extends AsyncIterable<WatchEvent> {
  readonly result: Promise<WatchResult>;
}

/**
 * Watches one job until it ends: iterate for its events, await `.result` for the document the
 * CLI prints with `--json`. The watch runs whether or not anyone iterates.
 */
export function watchExport(jobId: string, options: WatchOptions = {}): Watch {
  const queue: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const result = (async () => {
    try {
      const finished = await runJob(jobId, options, watchRules(options), (event) => {
        queue.push(event);
        wake?.();
      });
      return resultDocument(finished);
    } finally {
      done = true;
      wake?.();
    }
  })();
  return {
    result,
    async *[Symbol.asyncIterator]() {
      while (true) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}

/** One status of a job (transient failures retried); throws ExportStatusError when none can be had. */
export async function getExportStatus(jobId: string, options: ConnectionOptions = {}): Promise<ExportStatus> {
  const rules: WatchRules = { once: true, ...commonRules(options), failOn: 'never' };
  const finished = await runJob(jobId, options, rules, () => {});
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

/** Starts an export; an invalid body throws (exit code 2) before anything is sent. Never sent twice. */
export async function startExport(
  body: unknown,
  options: ConnectionOptions = {},
): Promise<{ jobId: string; statusUrl: string }> {
  const parsed = parseExportRequest(body);
  if (!parsed.ok) {
    const issues = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ExportStatusError(`not a valid export request; nothing was sent: ${issues}`, ExitCode.usage);
  }
  const connection = connect(options);
  const answer = await request(
    'POST',
    exportUrl(connection.baseUrl),
    connection.client,
    options.signal ?? new AbortController().signal,
    options.requestTimeout ?? defaultMs(DEFAULTS.requestTimeout),
    JSON.stringify(parsed.value),
  );
  if (answer.kind === 'failed') {
    const { outcome } = answer;
    const reason = 'reason' in outcome ? outcome.reason : 'interrupted';
    throw new ExportStatusError(`the export was not started: ${reason}`, ExitCode.unavailable);
  }
  const { response } = answer;
  const job = response.headers.location
    ? jobFromLocation(response.headers.location, connection.baseUrl)
    : undefined;
  if (response.status < 200 || response.status >= 300 || !job) {
    throw new ExportStatusError(
      `the export was not started: HTTP ${response.status}`,
      ExitCode.unavailable,
      response.status,
    );
  }
  return { jobId: job.id, statusUrl: job.url };
}

/** Runs one job's poller to its end, passing each event on. */
async function runJob(
  jobId: string,
  options: ConnectionOptions,
  rules: WatchRules,
  onEvent: (event: WatchEvent) => void,
): Promise<JobResult & { httpStatus?: number; errorCode?: string }> {
  const connection = connect(options);
  let job: ReturnType<typeof resolveJob>;
  try {
    job = resolveJob(jobId, connection.baseUrl);
  } catch (err) {
    throw new ExportStatusError((err as Error).message, ExitCode.usage);
  }
  let last: { httpStatus?: number; errorCode?: string } = {};
  const events = pollJob(job, rules, {
    clock: realClock,
    random: Math.random,
    limiter: new Limiter(4),
    signal: options.signal ?? new AbortController().signal,
    fetch: async (url, signal, timeoutMs) => {
      const outcome = await fetchStatus(url, connection.client, signal, timeoutMs);
      if (outcome.kind === 'final')
        last = { httpStatus: outcome.httpStatus, errorCode: wsCode(outcome.reason) };
      return outcome;
    },
  });
  for await (const event of events) {
    onEvent(event);
    if (event.type === 'result') return { ...event.result, ...last };
  }
  throw new ExportStatusError('the watch ended without a result', ExitCode.internal);
}

/** The WSErrorCommon code in a reason ("HTTP 404: 404-101 …"), if any. */
function wsCode(reason: string): string | undefined {
  return /^HTTP \d+: (\d{3}-\d+)\b/.exec(reason)?.[1];
}

function commonRules(options: ConnectionOptions) {
  return {
    maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
    requestTimeoutMs: options.requestTimeout ?? defaultMs(DEFAULTS.requestTimeout),
  };
}

function watchRules(options: WatchOptions): WatchRules {
  const auto = options.interval === 'auto';
  const minMs = options.minInterval ?? defaultMs(DEFAULTS.minInterval);
  return {
    once: false,
    ...commonRules(options),
    failOn: options.failOn ?? DEFAULTS.failOn,
    intervalMs: auto ? minMs : ((options.interval as number | undefined) ?? defaultMs(DEFAULTS.interval)),
    adaptive: auto ? { minMs, maxMs: options.maxInterval ?? defaultMs(DEFAULTS.maxInterval) } : undefined,
    timeoutMs: options.timeout,
    stallTimeoutMs: options.stallTimeout,
    waitForCreateMs: options.waitForCreate,
  };
}

/** The API's URL and an HTTP client with its credentials, from the options. */
function connect(options: ConnectionOptions) {
  const fail = (message: string): never => {
    throw new ExportStatusError(message, ExitCode.usage);
  };
  let baseUrl: URL;
  try {
    baseUrl = parseHttpUrl(options.baseUrl ?? DEFAULTS.baseUrl, 'baseUrl');
  } catch (err) {
    return fail((err as Error).message);
  }
  const language =
    apiLanguage(options.language ?? DEFAULTS.language) ?? fail(`language: not one of the API's 15 codes`);
  const transport = chooseTransport(options.env ?? {});
  const io: CredentialIO = {
    now: realClock.now,
    readTextFile: async () => fail('no files are read by the library'),
    runCommand: (command, timeoutMs) => runShell(command, timeoutMs, () => {}),
    transport,
  };
  const credentials = credentialsOf(options, io, fail);
  if (
    credentials &&
    baseUrl.protocol === 'http:' &&
    !isLoopback(baseUrl.hostname) &&
    !options.allowInsecureHttp
  ) {
    fail(`refusing to send a token over plain http:// to ${baseUrl.host}`);
  }
  return {
    baseUrl,
    client: {
      transport,
      credentials,
      language,
      userAgent: USER_AGENT,
      headers: Object.entries(options.headers ?? {}),
      strict: Boolean(options.strict),
      now: realClock.now,
    },
  };
}

function credentialsOf(
  options: ConnectionOptions,
  io: CredentialIO,
  fail: (message: string) => never,
): Credentials | undefined {
  const { token, clientId, clientSecret, tokenUrl, scope, tokenCommand: command } = options;
  const given = [token !== undefined, clientId !== undefined, command !== undefined].filter(Boolean).length;
  if (given > 1) fail('give one of token, clientId/clientSecret/tokenUrl, tokenCommand');
  if (typeof token === 'string') return fixedToken(token, 'the token option');
  if (typeof token === 'function') {
    return new RenewingCredentials(
      'the token function',
      async () => ({ token: await token(), renewAt: undefined }),
      io.now,
    );
  }
  if (command !== undefined) return tokenCommand(command, io);
  if (clientId !== undefined) {
    if (!clientSecret || !tokenUrl) fail('client credentials need clientId, clientSecret and tokenUrl');
    const url = parseHttpUrl(tokenUrl ?? '', 'tokenUrl');
    return clientCredentials(
      {
        tokenUrl: url,
        clientId,
        clientSecret: clientSecret ?? '',
        scope,
        requestTimeoutMs: options.requestTimeout ?? defaultMs(DEFAULTS.requestTimeout),
      },
      io,
    );
  }
  return undefined;
}

export type { ExportStatus };
