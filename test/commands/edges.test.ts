import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { hold, scriptedServer, sendJson } from '../support/servers.js';
import { VirtualClock } from '../support/virtual-clock.js';

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
      // -v: a retry the next attempt makes good is said only there
      const r = await runCli(['watch', '-v', '--base-url', `${server.url}/v4`, 'J1', '--interval', '1s']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('invalid response: expected JSON, got text/html');
      expect(r.stdout).toContain('Successful');
    } finally {
      await server.close();
    }
  });

  it('a request’s time limit covers all its redirect hops: five 1.8 s hops end --timeout 3s at its deadline, not after 11 s', async () => {
    const clock = new VirtualClock();
    const server = await scriptedServer(
      (req, res) => {
        const hop = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? 0);
        hold(res);
        clock.sleep(1800).then(() => {
          if (res.destroyed) return;
          res.writeHead(307, { location: `/v4/content/export/J1/status?hop=${hop + 1}` });
          res.end();
        });
      },
      undefined,
      clock.now,
    );
    try {
      const started = clock.monotonic();
      const r = await runCli(
        ['watch', '--base-url', `${server.url}/v4`, 'J1', '--request-timeout', '2s', '--timeout', '3s'],
        { clock, random: () => 0 },
      );
      expect(r.code).toBe(3);
      // The first request is redirected at 1.8 s and its hop given up at 2 s, the request's limit
      // (before the fix, each hop had 2 s of its own: 11 s in all); the retry 0.5 s later, the
      // same: the watch ends at 4.5 s, past its 3 s deadline only by the last request's limit.
      expect(server.requests.map((x) => x.start - started)).toEqual([0, 1800, 2500, 4300]);
      expect(clock.monotonic() - started).toBe(4_500);
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

describe('the real service’s signals', () => {
  it('a 429 with X-RateLimit-Reset 2 s ahead (no Retry-After, as the API documents it) is not retried sooner', async () => {
    const clock = new VirtualClock();
    const server = await scriptedServer(
      (_req, res, n) => {
        if (n === 1) {
          const reset = new Date(clock.now() + 2000).toISOString();
          sendJson(
            res,
            429,
            { code: '429-001', developerMessage: 'Too many requests.' },
            {
              'x-ratelimit-limit': '100',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': reset,
            },
          );
        } else {
          sendJson(res, 200, { status: 'Successful' });
        }
      },
      undefined,
      clock.now,
    );
    try {
      const r = await runCli(['get', '--base-url', `${server.url}/v4`, 'J1'], { clock });
      expect(r.code).toBe(0);
      const [first, second] = server.requests;
      // the back-off alone would have retried after 0.5–1 s
      expect(second && first && second.start - first.start).toBe(2_000);
    } finally {
      await server.close();
    }
  });

  it('a 403 names the scope and the client’s permissions, not a token renewal', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 403, { code: '403-197', developerMessage: 'Not authorized to perform this action.' }),
    );
    try {
      const r = await runCli(['get', '--base-url', `${server.url}/v4`, 'J1'], {
        env: { EGAIN_ACCESS_TOKEN: 'tok-123456' },
      });
      expect(r.code).toBe(4);
      expect(r.stdout).toContain("check the scope and the client's permissions");
      expect(r.stdout).not.toContain('renew');
    } finally {
      await server.close();
    }
  });

  it('a 404 from a base URL with a query names the base URL, not "the job URL"', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 404, { code: '404-100', developerMessage: 'gone' }),
    );
    try {
      const r = await runCli(['get', '--base-url', `${server.url}/v4?tenant=a`, 'J1']);
      expect(r.code).toBe(4);
      expect(r.stdout).toContain('else check the job ID and --base-url');
    } finally {
      await server.close();
    }
  });
});

describe('one rule for DNS', () => {
  it('a token endpoint whose name never resolved is a mistake in the token URL: final at once, as for the API', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 200, { status: 'Successful' }));
    try {
      const clock = new VirtualClock();
      const started = clock.monotonic();
      const r = await runCli(['get', '--base-url', `${server.url}/v4`, 'J1'], {
        clock,
        env: {
          EGAIN_CLIENT_ID: 'me',
          EGAIN_CLIENT_SECRET: 'secret-1234',
          EGAIN_TOKEN_URL: 'https://login.invalid/token',
        },
      });
      expect(r.code).toBe(4);
      expect(r.stdout).toContain('cannot resolve login.invalid: check the token URL');
      // at once: no retry was waited for
      expect(clock.monotonic() - started).toBe(0);
    } finally {
      await server.close();
    }
  });
});
