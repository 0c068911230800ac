import { UsageError } from '../core/errors.js';

/** One job as the user named it: an ID joined to the base URL, or a full status URL. */
export interface JobRef {
  /** The job ID (the path segment before /status), or the URL itself when none can be found. */
  id: string;
  /** The status URL polled. */
  url: string;
}

/**
 * An http(s) URL (which always has a host: URL parsing refuses one without) and no credentials in
 * it, else a UsageError naming `what`.
 */
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
  if (url.username || url.password) {
    throw new UsageError(`${what}: credentials do not belong in the URL; give them as a credential source`);
  }
  return url;
}

/** `{base}/content/export`: where an export is started. */
export function exportUrl(baseUrl: URL): URL {
  return below(baseUrl, 'content/export');
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
  return { id, url: below(baseUrl, `content/export/${encodeURIComponent(id)}/status`).href };
}

/**
 * Whether a URL's host is this machine: localhost, 127.0.0.0/8, ::1, and the IPv4-mapped IPv6
 * forms of 127.0.0.0/8 (`[::ffff:127.0.0.1]`, which URL parsing writes as `[::ffff:7f00:1]`).
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  const mapped = /^(?:0*:)+ffff:(.+)$/.exec(host)?.[1] ?? '';
  // After ::ffff:, the hex form has the first 16 bits 0x7f00–0x7fff.
  return (
    IPV4_LOOPBACK.test(host) || IPV4_LOOPBACK.test(mapped) || /^7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(mapped)
  );
}

const IPV4_LOOPBACK = /^127(\.\d{1,3}){3}$/;

/**
 * `path` below the base URL's path, the base URL's query kept (`?tenant=a`) and its fragment
 * dropped: resolving against the href would lose the path of a base URL that has a query.
 */
function below(baseUrl: URL, path: string): URL {
  const url = new URL(baseUrl.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  url.hash = '';
  return url;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The job a `202 Accepted` points to, polled at the configured base URL: the Location is only a
 * hint (it is documented relative and without /status; absolute, with /status or a trailing
 * slash occur too), and credentials never follow it to another origin. Undefined when the
 * Location names no job, or an ID that is not one segment of URL-unreserved characters.
 */
export function jobFromLocation(location: string, baseUrl: URL): JobRef | undefined {
  let segments: string[];
  try {
    segments = new URL(location, 'http://location.invalid').pathname.split('/').filter(Boolean);
  } catch {
    return undefined;
  }
  // …/content/export/ID or …/content/export/ID/status (no `export`: nothing before it either)
  const at = segments.lastIndexOf('export');
  const [named, tail = 'status', ...more] = segments.slice(at + 1);
  if (segments[at - 1] !== 'content' || named === undefined || tail !== 'status' || more.length > 0) {
    return undefined;
  }
  const id = safeDecode(named);
  // URL-unreserved characters only: an ID printed on its own line must not be able to become a
  // GitHub Actions command (::error::…), an escape sequence or a second line; and never a leading
  // "-", or `watch "$JOB"` would take it for an option (--help would exit 0 having watched nothing).
  // ("." and "..", even percent-encoded, never get here: URL parsing has resolved them.)
  if (!/^[A-Za-z0-9._~][A-Za-z0-9._~-]{0,199}$/.test(id)) return undefined;
  return resolveJob(id, baseUrl);
}
