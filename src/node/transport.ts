/** Node adapters: the HTTP transport of a run, node:http or undici behind a proxy, loaded on first use. */
import type { Transport } from '../api/transport.js';
import type { Env } from '../io/color.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * node:http, unless a proxy is configured: then undici. Either is loaded on the first request, so
 * commands that send none (parse, --help) do not pay for the HTTP stack.
 */
export function chooseTransport(env: Env): Transport {
  const proxy = PROXY_VARIABLES.some((name) => env[name]);
  let loaded: Promise<Transport> | undefined;
  return async (request) => {
    loaded ??= proxy
      ? import('./proxy-transport.js').then((m) =>
          m.proxyTransport({
            httpProxy: env.HTTP_PROXY ?? env.http_proxy,
            httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
            noProxy: env.NO_PROXY ?? env.no_proxy,
          }),
        )
      : import('./http-transport.js').then((m) => m.nodeTransport());
    return (await loaded)(request);
  };
}
