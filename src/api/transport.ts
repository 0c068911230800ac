import { TextDecoder } from 'node:util';

/** The HTTP layer the client stands on: node:http in production, a fake in unit tests. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request: the user's interrupt or the request timeout. */
  signal: AbortSignal;
  /** A 2xx body is refused once it grows past this (BodyTooLargeError). */
  maxBodyBytes: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  /** Decoded by the charset the server declared (UTF-8 when it declared none). */
  body: string;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The server declared a charset this runtime cannot decode. */
export class UnsupportedCharsetError extends Error {
  constructor(readonly charset: string) {
    super(`the answer is in an unsupported charset (${charset})`);
    this.name = 'UnsupportedCharsetError';
  }
}

/**
 * A POST whose connection failed after its body was sent: the server may have acted on it, so it
 * is never sent again, and its outcome is unknown.
 */
export class SentRequestError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'SentRequestError';
  }
}

/** Of a body that is not a 2xx answer only the error message is wanted: this much is read. */
export const ERROR_BODY_BYTES = 64 * 1024;

/**
 * Reads a response body: a 2xx body past `maxBodyBytes` is refused (BodyTooLargeError, as soon
 * as it is known); any other body is cut at ERROR_BODY_BYTES, so a 503 with a huge page is still
 * a 503. `stop` ends the transfer early.
 */
export async function readBody(
  chunks: AsyncIterable<Uint8Array>,
  status: number,
  declaredLength: number,
  maxBodyBytes: number,
  stop: () => void,
): Promise<Buffer> {
  const ok = status >= 200 && status < 300;
  const limit = ok ? maxBodyBytes : ERROR_BODY_BYTES;
  if (ok && Number.isFinite(declaredLength) && declaredLength > limit) {
    stop();
    throw new BodyTooLargeError(limit);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > limit) {
      stop();
      if (ok) throw new BodyTooLargeError(limit);
      parts.push(Buffer.from(chunk).subarray(0, chunk.length - (size - limit)));
      break;
    }
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** Decodes a body by the charset in its Content-Type (a byte-order mark is dropped). */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw new UnsupportedCharsetError(charset);
  }
  return decoder.decode(bytes);
}

/** Header values joined, under names with no prototype behind them (names come from servers). */
export function headerRecord(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = Object.create(null);
  for (const [name, value] of Object.entries(raw)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
