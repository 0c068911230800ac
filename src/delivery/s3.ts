/**
 * Listing an S3 bucket (ListObjectsV2) with a SigV4 signature, through the same transport as the
 * API's requests (HTTPS_PROXY included). Loaded only when a delivery is verified: aws4fetch (a
 * signer over WebCrypto, 8 kB) and fast-xml-parser stay out of every other run.
 */
import { AwsV4Signer } from 'aws4fetch';
import { XMLParser } from 'fast-xml-parser';
import type { Transport } from '../api/transport.js';
import { isLoopback } from '../api/urls.js';
import type { Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';
import type { Env } from '../io/color.js';
import { type Destination, destinationName, type S3Credentials, type StoredFile } from './destination.js';

/** A listing that could not be made: access denied, no such bucket, the host unreachable. */
export class ListingError extends Error {
  override name = 'ListingError';
}

/** A page of ListObjectsV2 holds up to 1,000 keys, some 300 kB of XML. */
const MAX_PAGE_BYTES = 8 * 1024 * 1024;
/** A listing of 100 pages (100,000 objects) is as far as a verification goes. */
const MAX_PAGES = 100;

export interface S3Access {
  endpoint: URL | undefined;
  region: string;
  credentials: S3Credentials;
}

/**
 * Where and as whom a bucket is listed: the endpoint of AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL)
 * for an S3-compatible server, path-style; else AWS's. The body's keys when it has them, else
 * the standard AWS environment. Their secret goes over plain http:// only to this machine.
 */
export function s3Access(dest: Extract<Destination, { kind: 's3' }>, env: Env): S3Access {
  const endpointText = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  let endpoint: URL | undefined;
  if (endpointText) {
    try {
      endpoint = new URL(endpointText);
    } catch {
      throw new UsageError(`AWS_ENDPOINT_URL_S3: not a URL: ${JSON.stringify(sanitize(endpointText, 200))}`);
    }
    if (endpoint.protocol === 'http:' && !isLoopback(endpoint.hostname)) {
      throw new UsageError(
        `refusing to send the S3 secret key over plain http:// to ${endpoint.host}; use https://`,
      );
    }
  }
  const fromEnv =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN || undefined,
        }
      : undefined;
  const credentials = dest.credentials ?? fromEnv;
  if (!credentials) {
    throw new UsageError(
      `no AWS credentials to list ${destinationName(dest)}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
  const region = dest.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  return { endpoint, region, credentials };
}

/** The secrets a listing sends, to be redacted from anything printed. */
export function s3Secrets(access: S3Access): string[] {
  const { secretAccessKey, sessionToken } = access.credentials;
  return sessionToken ? [secretAccessKey, sessionToken] : [secretAccessKey];
}

function listUrl(
  dest: Extract<Destination, { kind: 's3' }>,
  access: S3Access,
  token: string | undefined,
): URL {
  const { bucket } = dest;
  const url = access.endpoint
    ? new URL(`${access.endpoint.href.replace(/\/+$/, '')}/${encodeURIComponent(bucket)}`)
    : bucket.includes('.')
      ? new URL(`https://s3.${access.region}.amazonaws.com/${encodeURIComponent(bucket)}`)
      : new URL(`https://${bucket}.s3.${access.region}.amazonaws.com/`);
  url.searchParams.set('list-type', '2');
  if (dest.prefix) url.searchParams.set('prefix', dest.prefix);
  if (token) url.searchParams.set('continuation-token', token);
  return url;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'Contents',
});

interface ListPage {
  ListBucketResult?: {
    Contents?: Array<{ Key?: string; Size?: string; LastModified?: string; ETag?: string }>;
    IsTruncated?: string;
    NextContinuationToken?: string;
  };
  Error?: { Code?: string; Message?: string };
}

/** Every object under the destination's prefix, page by page. */
export async function listS3(
  dest: Extract<Destination, { kind: 's3' }>,
  access: S3Access,
  transport: Transport,
  clock: Pick<Clock, 'limit'>,
  timeoutMs: number,
): Promise<StoredFile[]> {
  const files: StoredFile[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = listUrl(dest, access, token);
    const signed = await new AwsV4Signer({
      method: 'GET',
      url: url.href,
      ...access.credentials,
      service: 's3',
      region: access.region,
    }).sign();
    const headers: Record<string, string> = {};
    signed.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const limit = clock.limit(timeoutMs);
    let status: number;
    let body: string;
    try {
      ({ status, body } = await transport({
        method: 'GET',
        url,
        headers,
        signal: limit.signal,
        maxBodyBytes: MAX_PAGE_BYTES,
      }));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = limit.signal.aborted
        ? `no answer within ${timeoutMs / 1000} s`
        : (code ?? (err as Error).message);
      throw new ListingError(`cannot reach ${url.host} (${sanitize(String(why), 120)})`);
    } finally {
      limit.clear();
    }
    let doc: ListPage;
    try {
      doc = parser.parse(body) as ListPage;
    } catch {
      doc = {};
    }
    if (status !== 200 || !doc.ListBucketResult) {
      const error = doc.Error;
      const what = error?.Code
        ? `${error.Code}${error.Message ? `: ${error.Message}` : ''}`
        : `HTTP ${status}`;
      throw new ListingError(`${sanitize(what, 200)}`);
    }
    const result = doc.ListBucketResult;
    for (const item of result.Contents ?? []) {
      if (!item.Key) continue;
      files.push({
        name: item.Key,
        size: Number(item.Size ?? 0),
        modified: Date.parse(item.LastModified ?? '') || 0,
        tag: item.ETag ?? '',
      });
    }
    token = result.IsTruncated === 'true' ? result.NextContinuationToken : undefined;
    if (!token) return files;
  }
  throw new ListingError(`more than ${MAX_PAGES * 1000} objects`);
}
