// The public API of export-status as a library. Written by hand so that it stands alone (no
// types from the packages the CLI bundles); test/library-types.test.ts checks that the
// implementation matches it.

/** A normalised ExportStatus document: canonical status name, camelCase keys, ISO-8601 UTC dates. */
export interface ExportStatus {
  /** `Pending`, `In Progress`, `Successful`, `Failed`, `Cancelled`, or a status the client does not know. */
  status: string;
  progress?: { processed?: number; total?: number; percentage?: number };
  startTime?: string;
  estimatedCompletion?: string;
  completionTime?: string;
  failureTime?: string;
  results?: { successful?: number; warnings?: number; errors?: number };
  error?: string;
}

/** How one job ended: the CLI's `--json` document. */
export interface WatchResult {
  job: string;
  url: string;
  /** `abandoned`: with the CLI's --fail-fast, not watched to the end because another job failed first. */
  outcome:
    | 'succeeded'
    | 'running'
    | 'failed'
    | 'timeout'
    | 'stalled'
    | 'error'
    | 'invalid'
    | 'interrupted'
    | 'undelivered'
    | 'abandoned';
  /**
   * The CLI's exit code for this job: 0 succeeded, 1 failed, 3 timeout, 4 no status, 5 invalid,
   * 6 stalled, 130/143 interrupted; an abandoned job has the code of the job that failed first.
   */
  exitCode: number;
  status: ExportStatus | null;
  error: string | null;
  polls: number;
  elapsedMs: number;
  /** verifyDelivery: the new files at the destination (outcome undelivered when there are none). */
  delivery?: {
    destination: string;
    files: Array<{ name: string; size: number; modified: string }>;
    totalFiles: number;
    totalBytes: number;
  };
  /** Fields the server sent that the schema does not know (inside progress and results: under raw.progress, raw.results). */
  raw?: Record<string, unknown>;
}

export interface JobRef {
  id: string;
  url: string;
}

/** One event of a watch, by `type`. Times (`at`, `until`) are epoch milliseconds. */
export type WatchEvent =
  | {
      type: 'poll';
      job: JobRef;
      at: number;
      status: ExportStatus;
      changed: boolean;
      eta: { at: number; source: 'server' | 'rate' } | undefined;
    }
  | { type: 'retry'; job: JobRef; at: number; reason: string; delayMs: number; attempt: number }
  | { type: 'waiting'; job: JobRef; at: number; reason: string; delayMs: number; until: number }
  | { type: 'warning'; job: JobRef; at: number; message: string; verbose: boolean }
  /** The last event: the same `WatchResult` that `.result` resolves to. */
  | { type: 'result'; job: JobRef; at: number; result: WatchResult };

/** Where the API is and how to authenticate; durations in milliseconds. */
export interface ConnectionOptions {
  /** Default: https://api.aidev.egain.cloud/knowledge/portalmgr/v4 */
  baseUrl?: string;
  /** A bearer token, or a function returning one (called again when the API refuses it). */
  token?: string | (() => Promise<string>);
  /** OAuth 2.0 client credentials, renewed ahead of expiry. */
  clientId?: string;
  clientSecret?: string;
  tokenUrl?: string;
  scope?: string;
  /** A command whose stdout is a token or {"access_token","expires_in"}. */
  tokenCommand?: string;
  /** One of the API's 15 codes; default en-US. */
  language?: string;
  headers?: Record<string, string>;
  /** One request's time limit; default 30000. */
  requestTimeout?: number;
  /** Consecutive transient failures tolerated; default 10. */
  maxRetries?: number;
  /** Allow a token over plain http:// to a host that is not loopback. */
  allowInsecureHttp?: boolean;
  /** Any deviation from the documented fields is an invalid answer. */
  strict?: boolean;
  /** Where proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are read; pass process.env to honour them. */
  env?: Record<string, string | undefined>;
  /** Ends the watch (outcome `interrupted`). */
  signal?: AbortSignal;
}

export interface WatchOptions extends ConnectionOptions {
  /** Between polls of the job, or 'auto'; default 5000. */
  interval?: number | 'auto';
  minInterval?: number;
  maxInterval?: number;
  timeout?: number;
  /** A time after which the watch gives up (outcome `timeout`), whenever it started: a Date or ISO 8601 text. */
  deadline?: Date | string;
  /**
   * After Successful, look for the export's files at `s3://bucket/prefix` or
   * `sftp://user@host[:port]/path` (modified since the
   * job's startTime), with the AWS variables of `env` (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
   * AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_S3): none is outcome `undelivered` (exit 7).
   */
  verifyDelivery?: string;
  /** With verifyDelivery to SFTP: a private key file to log in with (else EXPORT_STATUS_SFTP_PASSWORD of env). */
  sftpKey?: string;
  /** With verifyDelivery to SFTP: the accepted host key fingerprints (SHA256:…); else env.HOME's ~/.ssh/known_hosts. */
  sftpHostKey?: string | string[];
  stallTimeout?: number;
  waitForCreate?: number;
  failOn?: 'never' | 'errors' | 'warnings';
  /** What the watch waits for: the job's end (default), the job leaving Pending, or N % of progress (outcome `running`, exit code 0). */
  until?: 'done' | 'running' | `${number}%`;
}

export interface Watch extends AsyncIterable<WatchEvent> {
  /** Settles when the job ends, whether or not the events are iterated. */
  readonly result: Promise<WatchResult>;
}

export declare class ExportStatusError extends Error {
  /** The CLI's exit code: 2 bad options or body, 4 no status (HTTP, network), 5 invalid answer. */
  readonly exitCode: number;
  readonly httpStatus?: number;
  /** The API's WSErrorCommon code, such as 404-100 (a job ID the status endpoint does not know). */
  readonly code?: string;
}

export declare function watchExport(jobId: string, options?: WatchOptions): Watch;
export declare function getExportStatus(jobId: string, options?: ConnectionOptions): Promise<ExportStatus>;
export declare function parseExportStatus(input: string | unknown, options?: { strict?: boolean }): ExportStatus;
export interface StartOptions extends ConnectionOptions {
  /**
   * A file that records the job started; a later call with the same body and API starts nothing
   * while that job runs or has succeeded, and gives that job (`reused: true`). A file that is not
   * a state file throws (exit code 2); one that cannot be written after a start, exit code 74.
   */
  stateFile?: string;
}

/** `reused`: the job of the state file, still going or succeeded; nothing was started. */
export declare function startExport(
  body: unknown,
  options?: StartOptions,
): Promise<{ jobId: string; statusUrl: string; reused: boolean }>;
