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

export type Transport = ((request: HttpRequest) => Promise<HttpResponse>) & {
  /**
   * Set by a transport that settles the moment its request's signal aborts (rejecting with an
   * error named AbortError or TimeoutError): sendWithin need not stand guard over it.
   */
  readonly settlesOnAbort?: true;
};

/**
 * Sends `request` and keeps its signal here, not left to the HTTP library: a transport that
 * overruns it (a proxy that hangs up mid-CONNECT has made one spin, an endpoint may trickle its
 * answer) is abandoned the moment the signal aborts, rejecting with the signal's reason.
 */
export function sendWithin(transport: Transport, request: HttpRequest): Promise<HttpResponse> {
  if (transport.settlesOnAbort) return transport(request);
  const { signal } = request;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<HttpResponse>((resolve, reject) => {
    const give = () => reject(signal.reason);
    signal.addEventListener('abort', give, { once: true });
    // Settling twice is harmless: whichever comes first wins, as a race would.
    transport(request).then(
      (response) => {
        signal.removeEventListener('abort', give);
        resolve(response);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', give);
        reject(err);
      },
    );
  });
}

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

/** What readBody reads: a Node readable stream (node:http's and undici's responses both are). */
export interface BodyStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Reads a response body: a 2xx body past `maxBodyBytes` is refused (BodyTooLargeError, as soon
 * as it is known); any other body is cut at ERROR_BODY_BYTES, so a 503 with a huge page is still
 * a 503. `stop` ends the transfer early. Read through events rather than an async iterator: a
 * watch reads a body at every poll, and the iterator's machinery was most of what a poll
 * allocated.
 */
export function readBody(
  body: BodyStream,
  status: number,
  declaredLength: number,
  maxBodyBytes: number,
  stop: () => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    readBodyThen(body, status, declaredLength, maxBodyBytes, stop, (err, bytes) => {
      if (err === undefined) resolve(bytes);
      else reject(err);
    });
  });
}

/** What a body read that failed leaves. */
const NONE = Buffer.alloc(0);

/** readBody, calling `done` once (an error, or the bytes) rather than making a promise. */
export function readBodyThen(
  body: BodyStream,
  status: number,
  declaredLength: number,
  maxBodyBytes: number,
  stop: () => void,
  done: (err: unknown, bytes: Buffer) => void,
): void {
  const ok = status >= 200 && status < 300;
  const limit = ok ? maxBodyBytes : ERROR_BODY_BYTES;
  if (ok && Number.isFinite(declaredLength) && declaredLength > limit) {
    stop();
    done(new BodyTooLargeError(limit), NONE);
    return;
  }
  const parts: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (err: unknown, bytes: Buffer) => {
    if (settled) return;
    settled = true;
    done(err, bytes);
  };
  body.on('data', (chunk) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      stop();
      if (ok) return settle(new BodyTooLargeError(limit), NONE);
      parts.push(chunk.subarray(0, chunk.length - (size - limit)));
      return settle(undefined, Buffer.concat(parts));
    }
    parts.push(chunk);
  });
  body.on('end', () => settle(undefined, parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts)));
  body.on('error', (err) => settle(err, NONE));
  // Every body closes, most after their end: the error (and its stack) is made only when it is one.
  body.on('close', () => {
    if (!settled)
      settle(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }), NONE);
  });
}

const decoders = new Map<string, TextDecoder>();

/** Decodes a body by the charset in its Content-Type (a byte-order mark is dropped). */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  // A decoder is made once per charset: decode() without { stream } keeps no state between calls.
  let decoder = decoders.get(charset);
  if (!decoder) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      throw new UnsupportedCharsetError(charset);
    }
    decoders.set(charset, decoder);
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
