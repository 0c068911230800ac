import { EnvHttpProxyAgent, request } from 'undici';
import { BodyTooLargeError, type Transport } from './transport.js';

/**
 * The transport used when HTTP(S)_PROXY is set: Node 20's own HTTP stack ignores proxy variables,
 * undici's EnvHttpProxyAgent honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY (CONNECT tunnels for
 * https). Loaded only then: importing undici costs about 0.1 s.
 */
export function proxyTransport(): Transport {
  const dispatcher = new EnvHttpProxyAgent();
  return async (req) => {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      dispatcher,
    });
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > req.maxBodyBytes) {
      res.body.destroy();
      throw new BodyTooLargeError(req.maxBodyBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > req.maxBodyBytes) {
        res.body.destroy();
        throw new BodyTooLargeError(req.maxBodyBytes);
      }
      chunks.push(chunk as Buffer);
    }
    // No prototype: header names come from the server.
    const headers: Record<string, string | undefined> = Object.create(null);
    for (const [name, value] of Object.entries(res.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') };
  };
}
