import { type Dispatcher, EnvHttpProxyAgent, Pool, request } from 'undici';
import {
  decodeBody,
  type HttpRequest,
  type HttpResponse,
  headerRecord,
  readBody,
  type Transport,
} from '../api/transport.js';

/** The proxy settings, from the environment the CLI was given. */
export interface ProxySettings {
  httpProxy: string | undefined;
  httpsProxy: string | undefined;
  noProxy: string | undefined;
}

/** Connections to the proxy that may drop in a row before the request is given up on. */
const MAX_PROXY_DROPS = 3;
/** How long a request may outlive its abort before its connections are torn down. */
const ABANDON_GRACE_MS = 100;

/** An agent, the drops of its proxy connections in a row, and its requests in flight. */
class Generation {
  readonly agent: EnvHttpProxyAgent;
  drops = 0;
  readonly inFlight = new Set<(err: Error) => void>();

  constructor(settings: ProxySettings, onDrops: (g: Generation) => void) {
    const clientFactory = (origin: URL, options: object): Dispatcher => {
      const pool = new Pool(origin, options);
      pool.on('disconnect', () => {
        this.drops++;
        if (this.drops > MAX_PROXY_DROPS && this.inFlight.size > 0) onDrops(this);
      });
      return pool;
    };
    this.agent = new EnvHttpProxyAgent({
      ...(settings.httpProxy ? { httpProxy: settings.httpProxy } : {}),
      ...(settings.httpsProxy ? { httpsProxy: settings.httpsProxy } : {}),
      ...(settings.noProxy ? { noProxy: settings.noProxy } : {}),
      clientFactory,
    });
  }
}

/**
 * The transport used when HTTP(S)_PROXY is set: Node 20's own HTTP stack ignores proxy variables,
 * undici's EnvHttpProxyAgent honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY (CONNECT tunnels for
 * https). Loaded only then: importing undici costs about 0.1 s. undici's request() does not
 * retry, so a POST is never sent twice.
 *
 * A proxy that reads a CONNECT and hangs up makes undici reconnect in a tight loop that ignores
 * the request's abort. So the connections to the proxy are watched: after a few drops in a row,
 * or shortly after an abort, the agent is destroyed (which ends the loop), its requests fail as
 * connection errors (retried with back-off by the poller), and the next request gets a new agent.
 */
export function proxyTransport(settings: ProxySettings): Transport {
  const dropped = (g: Generation) =>
    tearDown(g, `the proxy closed the connection ${MAX_PROXY_DROPS + 1} times before answering`);
  let current = new Generation(settings, dropped);
  const tearDown = (g: Generation, why: string) => {
    if (g !== current) return;
    current = new Generation(settings, dropped);
    const error = Object.assign(new Error(why), { code: 'ECONNRESET' });
    for (const fail of g.inFlight) fail(error);
    g.agent.destroy().catch(() => {});
  };
  return (req) => {
    const g = current;
    return new Promise<HttpResponse>((resolve, reject) => {
      g.inFlight.add(reject);
      const onAbort = () =>
        setTimeout(() => tearDown(g, 'the request was abandoned'), ABANDON_GRACE_MS).unref();
      req.signal.addEventListener('abort', onAbort, { once: true });
      send(req, g.agent)
        .then((response) => {
          g.drops = 0;
          resolve(response);
        }, reject)
        .finally(() => {
          g.inFlight.delete(reject);
          req.signal.removeEventListener('abort', onAbort);
        });
    });
  };
}

async function send(req: HttpRequest, agent: EnvHttpProxyAgent): Promise<HttpResponse> {
  const res = await request(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: req.signal,
    dispatcher: agent,
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
}
