import http from 'node:http';
import {
  decodeBody,
  type HttpRequest,
  type HttpResponse,
  headerRecord,
  readBodyThen,
  SentRequestError,
  type Transport,
} from '../api/transport.js';
import { onAbort } from '../core/abort.js';
import { headerList, targetOf } from './http-target.js';

/**
 * The production transport: node:http(s) with keep-alive agents. Measured on Node 20, the first
 * request costs a third of what the first global fetch() does (which lazy-loads undici).
 */
export function nodeTransport(): Transport {
  const libraries = new Library();
  const transport = (request: HttpRequest) =>
    new Promise<HttpResponse>((resolve, reject) => {
      send(request, libraries.for(request.url), resolve, reject, true);
    });
  return Object.assign(transport, { settlesOnAbort: true as const });
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

/**
 * One exchange, settled through `resolve` or `reject` (one promise per request, not one per
 * layer: a watch sends one at every poll). `mayRetry`: a GET on a kept-alive socket the server
 * closed while idle is sent once more, Node's documented remedy; a POST is never sent twice by
 * any layer.
 */
function send(
  request: HttpRequest,
  library: HttpLibrary,
  resolve: (response: HttpResponse) => void,
  reject: (err: unknown) => void,
  mayRetry: boolean,
): void {
  const { signal } = request;
  if (signal.aborted) {
    reject(abortError(signal.reason));
    return;
  }
  // The signal is watched here rather than handed to node:http, whose own abort handling
  // allocates a stream-end tracker per request. An abort settles the request at once, whatever
  // the socket does next; the listener goes as soon as the request settles, either way. Through
  // onAbort's set: a job's requests share a signal (lent from one to the next), which then keeps
  // one listener of its own instead of adding and removing one at every poll.
  let bodySent = false;
  // The answer, the abort or the first error: whatever comes after is too late to count.
  let settled = false;
  const abort = () => {
    if (settled) return;
    settled = true;
    reject(abortError(signal.reason));
    req.destroy();
  };
  const stopListening = onAbort(signal, abort);
  const target = targetOf(request.url);
  const req = library.request(
    {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      method: request.method,
      headers: headerList(request.headers, target.host),
      agent: library.agent,
    },
    (res) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length']);
      readBodyThen(
        res,
        status,
        declared,
        request.maxBodyBytes,
        () => req.destroy(),
        (err, bytes) => {
          if (settled) return;
          settled = true;
          stopListening();
          if (err !== undefined) {
            reject(err);
            return;
          }
          try {
            const headers = headersOf(res.headers);
            resolve({ status, headers, body: decodeBody(bytes, headers['content-type']) });
          } catch (err) {
            reject(err);
          }
        },
      );
    },
  );
  if (request.method === 'POST')
    req.on('finish', () => {
      bodySent = true;
    });
  req.on('error', (err) => {
    if (settled) return;
    settled = true;
    stopListening();
    if (mayRetry && request.method === 'GET' && req.reusedSocket && isReset(err))
      send(request, library, resolve, reject, false);
    else reject(request.method === 'POST' && bodySent ? new SentRequestError(err) : err);
  });
  req.end(request.body);
}

function isReset(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ECONNRESET';
}

/**
 * node:http's headers as they come (lower-cased names, no prototype) when none is repeated, as
 * nearly every answer's are; joined otherwise.
 */
function headersOf(raw: http.IncomingHttpHeaders): Record<string, string | undefined> {
  for (const name in raw) if (typeof raw[name] !== 'string') return headerRecord(raw);
  return raw as Record<string, string | undefined>;
}

/** What node:http rejects with when its signal aborts, so failures read the same either way. */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}
