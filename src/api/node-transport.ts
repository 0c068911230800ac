import http from 'node:http';
import https from 'node:https';
import { BodyTooLargeError, type HttpRequest, type HttpResponse, type Transport } from './transport.js';

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
      if (isReusedSocketReset(err)) return send(request, agents);
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
    const req = lib.request(
      url,
      {
        method: request.method,
        headers: request.headers,
        agent: isHttps ? agents['https:'] : agents['http:'],
        signal: request.signal,
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > request.maxBodyBytes) {
          req.destroy();
          reject(new BodyTooLargeError(request.maxBodyBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxBodyBytes) {
            req.destroy();
            reject(new BodyTooLargeError(request.maxBodyBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          // No prototype: header names come from the server.
          const headers: Record<string, string | undefined> = Object.create(null);
          for (const [name, value] of Object.entries(res.headers)) {
            headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      if (req.reusedSocket) Object.assign(err, { [REUSED]: true });
      reject(err);
    });
    req.end(request.body);
  });
}
