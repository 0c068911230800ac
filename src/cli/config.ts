import type { Env } from '../io/color.js';
import type { JobRef } from '../job.js';
import type { FailOn, PollSettings } from '../poll/poller.js';
import type { OutputOpts, PollOpts } from './program.js';

export const DEFAULT_BASE_URL = 'https://api.aidev.egain.cloud/knowledge/portalmgr/v4';
export const DEFAULT_LANGUAGE = 'en-US';
export const DEFAULT_MIN_INTERVAL_MS = 2_000;
export const DEFAULT_MAX_INTERVAL_MS = 60_000;
export const DEFAULT_NOTIFY_AFTER_MS = 60_000;

/** A problem with what the user typed or configured: exit 2, one clear line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OutputFormat = 'text' | 'json' | 'ndjson';

export interface OutputConfig {
  output: OutputFormat;
  quiet: boolean;
  color: boolean;
  verbose: boolean;
  strict: boolean;
}

export interface PollConfig extends OutputConfig {
  jobs: JobRef[];
  settings: PollSettings;
  baseUrl: URL;
  token: string | undefined;
  language: string;
  headers: Array<[string, string]>;
  concurrency: number;
  /** Things worth telling the user before starting (a token file others can read). */
  warnings: string[];
  /** Ring the bell and send an OSC 9 notification when a watch longer than this ends in a terminal. */
  notifyAfterMs: number | undefined;
}

/** What resolving a config may read: the environment and files. */
export interface ConfigSources {
  env: Env;
  readTextFile(path: string): Promise<string>;
  /** The file's permission bits, or undefined where that means nothing (Windows). */
  fileMode(path: string): Promise<number | undefined>;
}

export function outputConfig(opts: OutputOpts): OutputConfig {
  let output: OutputFormat = opts.output;
  if (opts.json) {
    if (output !== 'text' && output !== 'json') throw new UsageError(`--json contradicts --output ${output}`);
    output = 'json';
  }
  return {
    output,
    quiet: Boolean(opts.quiet),
    color: opts.color !== false,
    verbose: Boolean(opts.verbose),
    strict: Boolean(opts.strict),
  };
}

export async function pollConfig(
  jobArgs: readonly string[],
  opts: PollOpts,
  mode: 'watch' | 'get',
  sources: ConfigSources,
): Promise<PollConfig> {
  const { env } = sources;
  const warnings: string[] = [];
  const baseUrl = parseHttpUrl(opts.baseUrl ?? env.EXPORT_STATUS_BASE_URL ?? DEFAULT_BASE_URL, '--base-url');
  const jobs = jobArgs.map((arg) => resolveJob(arg, baseUrl));
  const duplicate = jobs.find((job, i) => jobs.findIndex((other) => other.url === job.url) !== i);
  if (duplicate) throw new UsageError(`job ${JSON.stringify(duplicate.id)} is given more than once`);

  let token: string | undefined;
  if (opts.tokenFile !== undefined) {
    token = await readTokenFile(opts.tokenFile, sources, warnings);
  } else if (env.EGAIN_ACCESS_TOKEN) {
    token = checkToken(env.EGAIN_ACCESS_TOKEN.trim(), 'EGAIN_ACCESS_TOKEN');
  }
  if (token && !opts.insecureHttp) {
    const plain = jobs
      .map((j) => new URL(j.url))
      .find((u) => u.protocol === 'http:' && !isLoopback(u.hostname));
    if (plain) {
      throw new UsageError(
        `refusing to send the token over plain http:// to ${plain.host}; use https://, or --insecure-http if you really mean it`,
      );
    }
  }

  const auto = opts.interval === 'auto';
  if (!auto && (opts.minInterval !== undefined || opts.maxInterval !== undefined)) {
    throw new UsageError('--min-interval and --max-interval only apply with --interval auto');
  }
  const adaptive = auto
    ? {
        minMs: opts.minInterval ?? DEFAULT_MIN_INTERVAL_MS,
        maxMs: opts.maxInterval ?? DEFAULT_MAX_INTERVAL_MS,
      }
    : undefined;
  if (adaptive && adaptive.minMs > adaptive.maxMs) {
    throw new UsageError('--min-interval must not be longer than --max-interval');
  }

  const language = opts.language ?? env.EXPORT_STATUS_LANGUAGE ?? DEFAULT_LANGUAGE;
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) {
    throw new UsageError(
      `--language: expected a locale such as en-US or fr-CA, got ${JSON.stringify(language)}`,
    );
  }

  return {
    ...outputConfig(opts),
    jobs,
    baseUrl,
    token,
    language,
    headers: opts.header.map(parseHeader),
    concurrency: opts.concurrency,
    warnings,
    notifyAfterMs:
      mode === 'watch' && opts.notify !== false ? (opts.notifyAfter ?? DEFAULT_NOTIFY_AFTER_MS) : undefined,
    settings: {
      intervalMs: adaptive ? adaptive.minMs : (opts.interval as number),
      adaptive: mode === 'watch' ? adaptive : undefined,
      waitForCreateMs: mode === 'watch' ? opts.waitForCreate : undefined,
      timeoutMs: mode === 'watch' ? opts.timeout : undefined,
      stallTimeoutMs: mode === 'watch' ? opts.stallTimeout : undefined,
      maxRetries: opts.maxRetries,
      requestTimeoutMs: opts.requestTimeout,
      once: mode === 'get',
      failOn: opts.failOn as FailOn,
    },
  };
}

/** An http(s) URL with a host and no credentials in it, else a UsageError naming `what`. */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what}: not a URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what}: expected an http:// or https:// URL, got ${JSON.stringify(text)}`);
  }
  if (!url.hostname) throw new UsageError(`${what}: the URL has no host: ${JSON.stringify(text)}`);
  if (url.username || url.password) {
    throw new UsageError(
      `${what}: credentials do not belong in the URL; use EGAIN_ACCESS_TOKEN or --token-file`,
    );
  }
  return url;
}

/** A job ID joined to the base URL as one percent-encoded path segment, or a full status URL. */
export function resolveJob(arg: string, baseUrl: URL): JobRef {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) {
    const url = parseHttpUrl(arg, `job URL ${JSON.stringify(arg)}`);
    const segments = url.pathname.split('/').filter(Boolean);
    const last = segments.at(-1);
    const id = last === 'status' && segments.length >= 2 ? segments.at(-2) : last;
    return { id: safeDecode(id ?? url.href), url: url.href };
  }
  const id = arg.trim();
  if (id === '') throw new UsageError('a job ID is empty');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u001f\u007f]/.test(id))
    throw new UsageError(`job ID ${JSON.stringify(id)} contains control characters`);
  // URL parsers treat "." and ".." (even percent-encoded) as path navigation.
  if (id === '.' || id === '..') throw new UsageError(`${JSON.stringify(id)} is not a job ID`);
  const base = baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`;
  return { id, url: new URL(`content/export/${encodeURIComponent(id)}/status`, base).href };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  );
}

async function readTokenFile(path: string, sources: ConfigSources, warnings: string[]): Promise<string> {
  let text: string;
  try {
    text = await sources.readTextFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new UsageError(`--token-file: cannot read ${JSON.stringify(path)} (${why})`);
  }
  const mode = await sources.fileMode(path).catch(() => undefined);
  if (mode !== undefined && (mode & 0o077) !== 0) {
    warnings.push(`the token file ${JSON.stringify(path)} can be read by other users; chmod 600 it`);
  }
  return checkToken(text.replace(/\r?\n$/, ''), `the token in ${JSON.stringify(path)}`);
}

/** A token must be one line of printable characters: anything else would corrupt the header. */
function checkToken(token: string, what: string): string {
  if (token === '') throw new UsageError(`${what} is empty`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u001f\u007f-\u009f\s]/.test(token)) {
    throw new UsageError(`${what} contains a newline, a space or a control character`);
  }
  return token;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
]);

export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header: expected "Name: value", got ${JSON.stringify(text)}`);
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name))
    throw new UsageError(`--header: ${JSON.stringify(name)} is not a valid header name`);
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    const hint =
      name.toLowerCase() === 'authorization' ? '; the token goes in EGAIN_ACCESS_TOKEN or --token-file' : '';
    throw new UsageError(`--header: ${name} cannot be set with --header${hint}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new UsageError(`--header: the value of ${name} contains a control character`);
  }
  return [name, value];
}
