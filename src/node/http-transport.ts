import http from 'node:http';
import {
  decodeBody,
  type HttpRequest,
  type HttpResponse,
  headerRecord,
  readBody,
  SentRequestError,
  type Transport,
} from '../api/transport.js';

/**
 * The production transport: node:http(s) with keep-alive agents. Measured on Node 20, the first
 * request costs a third of what the first global fetch() does (which lazy-loads undici).
 */
export function nodeTransport(): Transport {
  const libraries = new Library();
  return (request) => sendOrRetry(request, libraries.for(request.url));
}

function sendOrRetry(request: HttpRequest, library: HttpLibrary): Promise<HttpResponse> {
  return send(request, library).catch((err: unknown) => {
    // A kept-alive socket the server closed while idle: Node's documented remedy is one retry.
    // Only for a GET: a POST is never sent twice by any layer.
    if (request.method === 'GET' && isReusedSocketReset(err)) return send(request, library);
    throw err;
  });
}

interface HttpLibrary {
  request: typeof http.request;
  agent: http.Agent;
}

/** node:http, and node:https (with tls and crypto) only once an https:// URL is asked for. */
class Library {
  private readonly plain: HttpLibrary = { request: http.request, agent: new http.Agent({ keepAlive: true }) };
  private secure: HttpLibrary | undefined;

  for(url: URL): HttpLibrary {
    if (url.protocol !== 'https:') return this.plain;
    // getBuiltinModule rather than import(): bin/ compiles the bundle with a code cache, and V8
    // loses a script's import() handler when its code comes from one (Node 20).
    if (!this.secure) {
      const https = process.getBuiltinModule('node:https');
      this.secure = { request: https.request, agent: new https.Agent({ keepAlive: true }) };
    }
    return this.secure;
  }
}

const REUSED = Symbol('reused socket');

function isReusedSocketReset(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err as { [REUSED]?: boolean })[REUSED] === true &&
    (err as NodeJS.ErrnoException).code === 'ECONNRESET'
  );
}

function send(request: HttpRequest, library: HttpLibrary): Promise<HttpResponse> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(abortError(signal.reason));
  // The signal is watched here rather than handed to node:http, whose own abort handling
  // allocates a stream-end tracker per request; a watch sends one at every poll. Its listener
  // goes as soon as the request settles, either way.
  return new Promise<HttpResponse>((resolve, reject) => {
    let bodySent = false;
    const abort = () => req.destroy(abortError(signal.reason));
    const fail = (err: unknown) => {
      signal.removeEventListener('abort', abort);
      reject(err);
    };
    signal.addEventListener('abort', abort, { once: true });
    const req = library.request(
      request.url,
      { method: request.method, headers: request.headers, agent: library.agent },
      (res) => {
        const status = res.statusCode ?? 0;
        readBody(res, status, Number(res.headers['content-length']), request.maxBodyBytes, () =>
          req.destroy(),
        ).then((bytes) => {
          try {
            const headers = headerRecord(res.headers);
            const body = decodeBody(bytes, headers['content-type']);
            signal.removeEventListener('abort', abort);
            resolve({ status, headers, body });
          } catch (err) {
            fail(err);
          }
        }, fail);
      },
    );
    req.on('finish', () => {
      bodySent = true;
    });
    req.on('error', (err) => {
      if (req.reusedSocket) Object.assign(err, { [REUSED]: true });
      fail(request.method === 'POST' && bodySent ? new SentRequestError(err) : err);
    });
    req.end(request.body);
  });
}

/** What node:http rejects with when its signal aborts, so failures read the same either way. */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}
