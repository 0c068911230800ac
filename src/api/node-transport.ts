import http from 'node:http';
import https from 'node:https';
import {
  decodeBody,
  type HttpRequest,
  type HttpResponse,
  headerRecord,
  readBody,
  SentRequestError,
  type Transport,
} from './transport.js';

/**
 * The production transport: node:http(s) with keep-alive agents. Measured on Node 20, the first
 * request costs a third of what the first global fetch() does (which lazy-loads undici).
 */
export function nodeTransport(): Transport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return async (request) => {
    try {
      return await send(request, agents);
    } catch (err) {
      // A kept-alive socket the server closed while idle: Node's documented remedy is one retry.
      // Only for a GET: a POST is never sent twice by any layer.
      if (request.method === 'GET' && isReusedSocketReset(err)) return send(request, agents);
      throw err;
    }
  };
}

const REUSED = Symbol('reused socket');

function isReusedSocketReset(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err as { [REUSED]?: boolean })[REUSED] === true &&
    (err as NodeJS.ErrnoException).code === 'ECONNRESET'
  );
}

function send(request: HttpRequest, agents: Record<'http:' | 'https:', http.Agent>): Promise<HttpResponse> {
  const { url } = request;
  const isHttps = url.protocol === 'https:';
  const lib = isHttps ? https : http;
  return new Promise((resolve, reject) => {
    let bodySent = false;
    const req = lib.request(
      url,
      {
        method: request.method,
        headers: request.headers,
        agent: isHttps ? agents['https:'] : agents['http:'],
        signal: request.signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        readBody(res, status, Number(res.headers['content-length']), request.maxBodyBytes, () =>
          req.destroy(),
        )
          .then((bytes) => {
            const headers = headerRecord(res.headers);
            resolve({ status, headers, body: decodeBody(bytes, headers['content-type']) });
          })
          .catch(reject);
      },
    );
    req.on('finish', () => {
      bodySent = true;
    });
    req.on('error', (err) => {
      if (req.reusedSocket) Object.assign(err, { [REUSED]: true });
      reject(request.method === 'POST' && bodySent ? new SentRequestError(err) : err);
    });
    req.end(request.body);
  });
}
