/**
 * Where an export's files go, and what counts as delivered there. Pure: the listing itself is
 * s3.ts's; this module reads destinations (from an export body or a URL) and compares listings.
 */
import { UsageError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export type Destination =
  | {
      kind: 's3';
      bucket: string;
      /** The key prefix ('' for the whole bucket), ending in "/" when it names a folder. */
      prefix: string;
      region?: string | undefined;
      /** From the body's s3Details (or credentials); else the AWS environment's. */
      credentials?: S3Credentials | undefined;
    }
  | {
      kind: 'sftp';
      host: string;
      port: number;
      username: string;
      path: string;
      password?: string | undefined;
    };

/** An object found at the destination. `modified`: epoch ms. */
export interface StoredFile {
  name: string;
  size: number;
  modified: number;
  /** What changes when the content does (an S3 ETag); '' where there is none. */
  tag: string;
}

/** "s3://bucket/folder/" or "sftp://user@host:22/path": how a destination is named in messages. */
export function destinationName(d: Destination): string {
  return d.kind === 's3'
    ? `s3://${d.bucket}/${d.prefix}`
    : `sftp://${d.username}@${d.host}${d.port === 22 ? '' : `:${d.port}`}${d.path}`;
}

/** A folder prefix ends in "/": `folder` lists `folder/…`, not `folder-old/…`. */
function folderPrefix(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The destination an export body names (`dataDestination`): an S3 bucket with the body's own
 * keys (`s3Details`, or `credentials` in the older description), or an SFTP server.
 */
export function destinationOfBody(body: Record<string, unknown>, what: string): Destination {
  const d = (body.dataDestination ?? {}) as Record<string, unknown>;
  const path = text(d.path) ?? '';
  if (d.destinationType === 'AWS S3 bucket') {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(path);
    if (!match?.[1]) {
      throw new UsageError(
        `${what}: dataDestination.path: expected s3://bucket/folder to verify the delivery`,
      );
    }
    const details = (d.s3Details ?? d.credentials ?? {}) as Record<string, unknown>;
    const accessKeyId = text(details.accessKey);
    const secretAccessKey = text(details.secretKey);
    return {
      kind: 's3',
      bucket: match[1],
      prefix: folderPrefix(match[2] ?? ''),
      region: text(details.region),
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    };
  }
  const sftp = (d.sftpDetails ?? {}) as Record<string, unknown>;
  const host = text(sftp.host);
  const username = text(sftp.username);
  if (!host || !username) {
    throw new UsageError(
      `${what}: dataDestination.sftpDetails: a host and a username are needed to verify the delivery`,
    );
  }
  const port = typeof sftp.port === 'number' ? sftp.port : 22;
  return {
    kind: 'sftp',
    host,
    port,
    username,
    path: `/${folderPrefix(path)}`,
    password: text(sftp.password),
  };
}

/** `s3://bucket/prefix` or `sftp://user@host[:port]/path`, as --verify-delivery takes it. */
export function parseDestination(value: string, what: string): Destination {
  const refuse = (why: string) =>
    new UsageError(
      `${what}: ${why}; expected s3://bucket/prefix or sftp://user@host[:port]/path, got ${JSON.stringify(sanitize(value, 200))}`,
    );
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/i.exec(value);
  if (s3?.[1]) return { kind: 's3', bucket: s3[1], prefix: folderPrefix(s3[2] ?? '') };
  if (/^s3:/i.test(value)) throw refuse('not a bucket name');
  if (!/^sftp:\/\//i.test(value)) throw refuse('an unknown kind of destination');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('not a URL');
  }
  if (!url.username) throw refuse('no user');
  if (url.password) throw refuse('a password in the URL (put it in EXPORT_STATUS_SFTP_PASSWORD)');
  return {
    kind: 'sftp',
    host: url.hostname,
    port: url.port ? Number(url.port) : 22,
    username: decodeURIComponent(url.username),
    path: `/${folderPrefix(decodeURIComponent(url.pathname))}`,
  };
}

/** How long a file's clock may be behind the server's when judging "modified since the start". */
export const CLOCK_SKEW_MS = 120_000;

/**
 * The delivery: what is at the destination now and was not before (a new name, or the same name
 * with another size or tag: overwritten). Without a listing from before (a job started
 * elsewhere), what was modified at or after `since` (less the clock-skew allowance).
 */
export function newFiles(
  after: readonly StoredFile[],
  before: readonly StoredFile[] | undefined,
  since: number | undefined,
): StoredFile[] {
  if (before) {
    const old = new Map(before.map((f) => [f.name, f]));
    return after.filter((f) => {
      const was = old.get(f.name);
      return !was || was.size !== f.size || was.tag !== f.tag || was.modified !== f.modified;
    });
  }
  if (since === undefined) return [...after];
  return after.filter((f) => f.modified >= since - CLOCK_SKEW_MS);
}
