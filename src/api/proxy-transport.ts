import { EnvHttpProxyAgent, request } from 'undici';
import { decodeBody, headerRecord, readBody, type Transport } from './transport.js';

/**
 * The transport used when HTTP(S)_PROXY is set: Node 20's own HTTP stack ignores proxy variables,
 * undici's EnvHttpProxyAgent honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY (CONNECT tunnels for
 * https). Loaded only then: importing undici costs about 0.1 s. undici's request() does not
 * retry, so a POST is never sent twice.
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
    const bytes = await readBody(
      res.body,
      res.statusCode,
      Number(res.headers['content-length']),
      req.maxBodyBytes,
      () => res.body.destroy(),
    );
    const headers = headerRecord(res.headers);
    return { status: res.statusCode, headers, body: decodeBody(bytes, headers['content-type']) };
  };
}
