/** Node adapters: the HTTP transport of a run, node:http or undici behind a proxy, loaded on first use. */
import { type HttpRequest, sendWithin, type Transport } from '../api/transport.js';
import { isLoopback } from '../api/urls.js';
import type { Env } from '../io/color.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * node:http, unless a proxy is configured: then undici, for every destination but this machine.
 * A request to loopback never goes through a proxy (as Go's net/http and Chrome do it): the
 * proxy would see what the plain-http rule lets go to this machine only (a token, a client
 * secret), and would resolve "localhost" itself. Each is loaded on its first request, so
 * commands that send none (parse, --help) do not pay for the HTTP stack.
 */
export function chooseTransport(env: Env): Transport {
  const proxy = PROXY_VARIABLES.some((name) => env[name]);
  // Once loaded, each is called directly: a watch sends a request at every poll, and an await
  // of the module's promise each time costs promises.
  let direct: Transport | undefined;
  let loadingDirect: Promise<Transport> | undefined;
  let proxied: Promise<Transport> | undefined;
  const transport = (request: HttpRequest) => {
    if (!proxy || isLoopback(request.url.hostname)) {
      if (direct) return direct(request);
      loadingDirect ??= import('./http-transport.js').then((m) => {
        direct = m.nodeTransport();
        return direct;
      });
      return loadingDirect.then((send) => send(request));
    }
    proxied ??= import('./proxy-transport.js').then((m) =>
      m.proxyTransport({
        httpProxy: env.HTTP_PROXY ?? env.http_proxy,
        httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
        noProxy: env.NO_PROXY ?? env.no_proxy,
      }),
    );
    // undici, kept to the signal by sendWithin: a proxy that hangs up mid-CONNECT has made it spin.
    return proxied.then((send) => sendWithin(send, request));
  };
  return Object.assign(transport, { settlesOnAbort: true as const });
}
