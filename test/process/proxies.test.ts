import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/server.js';
import { recordingProxy, scriptedServer, selfSignedCert, sendJson } from '../support/servers.js';
import { run } from '../support/spawn.js';

// Proxy variables and NODE_EXTRA_CA_CERTS are read when a process starts: the CLI is spawned.
const TOKEN = 'proxy-secret-2b7e';
const DONE = {
  status: 'Successful',
  progress: { processed: 10, total: 10, percentage: 100 },
  results: { successful: 10 },
};

describe('proxies and private CAs', () => {
  it('HTTP_PROXY carries the requests; NO_PROXY bypasses it', async () => {
    const proxy = await recordingProxy();
    const open = await startSimulator({ port: 0, durationMs: 300 });
    try {
      const via = await run(['get', '--base-url', open.baseUrl, 'proxied-1'], {
        env: { HTTP_PROXY: proxy.url },
      });
      expect(via.code).toBe(0);
      // undici tunnels plain http through the proxy with CONNECT as well.
      expect(proxy.lines).toEqual([`CONNECT 127.0.0.1:${open.port}`]);
      const bypass = await run(['get', '--base-url', open.baseUrl, 'proxied-2'], {
        env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      });
      expect(bypass.code).toBe(0);
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

      const tunnelled = await run(['get', job], {
        env: { NODE_EXTRA_CA_CERTS: tls.certFile, HTTPS_PROXY: proxy.url },
      });
      expect(tunnelled.code).toBe(0);
      expect(proxy.lines).toEqual([`CONNECT 127.0.0.1:${server.port}`]);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
