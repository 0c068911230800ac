/** The HTTP layer the client stands on: node:http in production, a fake in unit tests. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request: the user's interrupt or the request timeout. */
  signal: AbortSignal;
  /** The body is refused once it grows past this (BodyTooLargeError). */
  maxBodyBytes: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}
