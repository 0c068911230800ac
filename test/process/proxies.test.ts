import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/server.js';
import {
  PROXIED_HOST,
  recordingProxy,
  scriptedServer,
  selfSignedCert,
  sendJson,
} from '../support/servers.js';
import { run } from '../support/spawn.js';

// Proxy variables and NODE_EXTRA_CA_CERTS are read when a process starts: the CLI is spawned.
const TOKEN = 'proxy-secret-2b7e';
const CLIENT_SECRET = 'proxy-client-secret-9f1c';
const DONE = {
  status: 'Successful',
  progress: { processed: 10, total: 10, percentage: 100 },
  results: { successful: 10 },
};

describe('proxies and private CAs', () => {
  it('a destination on this machine is never proxied: the proxy gets no byte of a token or a client secret', async () => {
    const proxy = await recordingProxy();
    const sim = await startSimulator({
      port: 0,
      durationMs: 300,
      clientId: 'me',
      clientSecret: CLIENT_SECRET,
    });
    const proxies = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url };
    try {
      const local = sim.baseUrl.replace('127.0.0.1', 'localhost');
      const token = await run(['get', '--base-url', local, 'local-1'], {
        env: { ...proxies, EGAIN_ACCESS_TOKEN: sim.issueToken() },
      });
      expect(token.code).toBe(0);
      const client = await run(['get', '--base-url', local, 'local-2'], {
        env: {
          ...proxies,
          EGAIN_CLIENT_ID: 'me',
          EGAIN_CLIENT_SECRET: CLIENT_SECRET,
          EGAIN_TOKEN_URL: sim.tokenUrl.replace('127.0.0.1', 'localhost'),
        },
      });
      expect(client.code).toBe(0);
      const demo = await run(['demo', '--duration', '1s', '--interval', '200ms', '--quiet'], {
        env: proxies,
      });
      expect(demo.code).toBe(0);
      expect(proxy.lines).toEqual([]);
      expect(proxy.received()).not.toContain(CLIENT_SECRET);
      expect(proxy.received()).not.toMatch(/authorization/i);
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  it('HTTP_PROXY carries the requests; NO_PROXY bypasses it', async () => {
    const proxy = await recordingProxy();
    const open = await startSimulator({ port: 0, durationMs: 300 });
    // a name only the proxy resolves: a host that is not this machine
    const baseUrl = open.baseUrl.replace('127.0.0.1', PROXIED_HOST);
    try {
      // (another machine asks for a credential; plain http to it, only when asked for)
      const via = await run(['get', '--base-url', baseUrl, 'proxied-1', '--insecure-http'], {
        env: { HTTP_PROXY: proxy.url, EGAIN_ACCESS_TOKEN: TOKEN },
      });
      expect(via.code).toBe(0);
      // undici tunnels plain http through the proxy with CONNECT as well.
      expect(proxy.lines).toEqual([`CONNECT ${PROXIED_HOST}:${open.port}`]);
      const bypass = await run(['get', '--base-url', baseUrl, 'proxied-2', '--insecure-http'], {
        env: { HTTP_PROXY: proxy.url, NO_PROXY: PROXIED_HOST, EGAIN_ACCESS_TOKEN: TOKEN },
      });
      // not through the proxy, so the name does not resolve
      expect(bypass.code).toBe(4);
      expect(bypass.stdout).toContain(`cannot resolve ${PROXIED_HOST}`);
      expect(proxy.lines).toHaveLength(1);
    } finally {
      await proxy.close();
      await open.close();
    }
  });

  it('HTTPS_PROXY tunnels https with CONNECT, and NODE_EXTRA_CA_CERTS trusts a private CA', async () => {
    const tls = selfSignedCert();
    const proxy = await recordingProxy();
    const server = await scriptedServer(
      (req, res) => sendJson(res, 200, { ...DONE, seenAuth: req.headers.authorization ?? null }),
      tls,
    );
    try {
      const job = `${server.url}/content/export/tls-1/status`;
      const untrusted = await run(['get', job]);
      expect(untrusted.code).toBe(4);
      expect(untrusted.stdout).toContain('NODE_EXTRA_CA_CERTS');

      const direct = await run(['get', job, '--json'], {
        env: { NODE_EXTRA_CA_CERTS: tls.certFile, EGAIN_ACCESS_TOKEN: TOKEN },
      });
      expect(direct.code).toBe(0);
      // the token reached the server, which echoed it: the echo is redacted
      expect(JSON.parse(direct.stdout).raw).toEqual({ seenAuth: 'Bearer ***' });
      expect(direct.stdout).not.toContain(TOKEN);

      const tunnelled = await run(['get', job.replace('127.0.0.1', PROXIED_HOST)], {
        env: { NODE_EXTRA_CA_CERTS: tls.certFile, HTTPS_PROXY: proxy.url, EGAIN_ACCESS_TOKEN: TOKEN },
      });
      expect(tunnelled.code).toBe(0);
      expect(proxy.lines).toEqual([`CONNECT ${PROXIED_HOST}:${server.port}`]);
      // inside the tunnel, TLS: the proxy never sees the token
      expect(proxy.received()).not.toContain(TOKEN);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
