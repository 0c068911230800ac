import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';

// The paths around the watch loop: an exit code CI can trust on each.
describe('no false outcome at the edges', () => {
  it('one HTML page with 200 between valid answers (a proxy’s hiccup) is retried: the watch exits 0', async () => {
    let n = 0;
    const server = await scriptedServer((_req, res) => {
      n++;
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway</body></html>');
      } else {
        sendJson(res, 200, { status: n < 3 ? 'In Progress' : 'Successful' });
      }
    });
    try {
      const r = await runCli(['watch', '--base-url', `${server.url}/v4`, 'J1', '--interval', '1s']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('invalid response: expected JSON, got text/html');
      expect(r.stdout).toContain('Successful');
    } finally {
      await server.close();
    }
  });

  it('a request’s time limit covers all its redirect hops: five 1.8 s hops end --timeout 3s in under 5.5 s', async () => {
    const server = await scriptedServer((req, res) => {
      const hop = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? 0);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(307, { location: `/v4/content/export/J1/status?hop=${hop + 1}` });
        res.end();
      }, 1800);
    });
    try {
      const started = Date.now();
      const r = await runCli(
        ['watch', '--base-url', `${server.url}/v4`, 'J1', '--request-timeout', '2s', '--timeout', '3s'],
        { clock: 'real' },
      );
      expect(r.code).toBe(3);
      expect(Date.now() - started).toBeLessThan(5_500);
    } finally {
      await server.close();
    }
  });

  it('a job ID after -- is a job ID, even --help: it is watched, and no help is printed', async () => {
    const server = await scriptedServer((req, res) =>
      sendJson(res, 200, { status: 'Failed', error: req.url }),
    );
    try {
      const r = await runCli(['watch', '--base-url', `${server.url}/v4`, '--', '--help']);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('Usage:');
      expect(server.requests[0]?.url).toBe('/v4/content/export/--help/status');
    } finally {
      await server.close();
    }
  });
});
