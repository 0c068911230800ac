import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli.js';
import { freshIds } from '../support/ids.js';
import { freePort, hold, PROXIED_HOST, scriptedServer, sendJson } from '../support/servers.js';
import { VirtualClock } from '../support/virtual-clock.js';

// Connection trouble, slow answers and busy servers: retried with back-off, never hammered.
const DONE = {
  status: 'Successful',
  progress: { processed: 10, total: 10, percentage: 100 },
  results: { successful: 10 },
};
const id = freshIds('r');
// A virtual clock of its own for each run, unless a test says otherwise.
const run = runCli;

describe('transient failures are retried', () => {
  it('in a CI log, a retry the next attempt makes good is no line; failures in a row are', async () => {
    // one 503 in every three answers; later, two in a row
    const answers = new Map<string, number>();
    const server = await scriptedServer((req, res) => {
      // counted for each job
      const n = (answers.get(req.url ?? '') ?? 0) + 1;
      answers.set(req.url ?? '', n);
      if (n >= 40) return sendJson(res, 200, DONE);
      if (n % 3 === 0 || n === 31) return sendJson(res, 503, { code: '503-100', developerMessage: 'busy' });
      sendJson(res, 200, {
        status: 'In Progress',
        progress: { processed: n, total: 40, percentage: n * 2.5 },
      });
    });
    try {
      const r = await run(['watch', '--base-url', server.url, '--interval', '100ms', 'J1']);
      expect(r.code).toBe(0);
      const retries = r.stderr.split('\n').filter((line) => line.includes(' retry '));
      // answers 30 and 31 failed in a row: both said, in order; none of the twelve lone ones
      expect(retries).toHaveLength(2);
      expect(retries[0]).toMatch(/J1 retry 1 in \d+m?s: HTTP 503/);
      expect(retries[1]).toMatch(/J1 retry 2 in \d+m?s: HTTP 503/);
      // -v says each one
      const verbose = await run(['watch', '-v', '--base-url', server.url, '--interval', '100ms', 'J2']);
      expect(verbose.stderr.match(/J2 retry 1 in/g)?.length).toBeGreaterThanOrEqual(10);
    } finally {
      await server.close();
    }
  });

  const watchArgs = (base: string, job: string) => ['watch', '--base-url', base, '--interval', '200ms', job];

  it('the server is not up yet at start, then comes up: the watch waits and succeeds', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/knowledge/portalmgr/v4`;
    let late: Simulator | undefined;
    const r = await runCli(watchArgs(base, id('success')), {
      clock: 'real',
      onStart: ({ stderr }) => {
        void stderr.until('connection error').then(async () => {
          late = await startSimulator({ port, durationMs: 600 });
        });
      },
    });
    await late?.close();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/retry 1 in \d+m?s: connection error: .*ECONNREFUSED/);
    expect(r.stdout).toContain('Successful');
  });

  it('the server restarts mid-watch: the watch survives', async () => {
    const first = await startSimulator({ port: 0, durationMs: 3000 });
    const port = first.port;
    let second: Simulator | undefined;
    const r = await runCli([...watchArgs(first.baseUrl, id('success')), '-v'], {
      clock: 'real',
      onStart: ({ stderr }) => {
        void stderr.until('In Progress').then(async () => {
          await first.close();
          await new Promise((resolve) => setTimeout(resolve, 700));
          second = await startSimulator({ port, durationMs: 600 });
        });
      },
    });
    await second?.close();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('connection error');
    expect(r.stdout).toContain('Successful');
  });

  it('connection resets are retried', async () => {
    const server = await scriptedServer((req, res, n) => {
      if (n <= 2) req.socket.destroy();
      else sendJson(res, 200, DONE);
    });
    try {
      const r = await run(watchArgs(server.url, 'reset'));
      expect(r.code).toBe(0);
      expect(r.stderr.match(/connection error/g)).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('an answer that hangs past --request-timeout is retried, not waited on forever', async () => {
    const server = await scriptedServer((_req, res, n) => {
      if (n > 1) sendJson(res, 200, DONE);
      else hold(res); // the first request is never answered
    });
    try {
      const r = await run([...watchArgs(server.url, 'hang'), '--request-timeout', '500ms', '-v']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('no answer within 500 ms (--request-timeout)');
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a burst of 503s backs off exponentially, never overlapping requests', async () => {
    const clock = new VirtualClock();
    const server = await scriptedServer(
      (_req, res, n) => {
        if (n <= 3) sendJson(res, 503, { code: '503-1', developerMessage: 'busy' });
        else sendJson(res, 200, DONE);
      },
      undefined,
      clock.now,
    );
    try {
      const r = await runCli(watchArgs(server.url, 'burst'), { clock });
      expect(r.code).toBe(0);
      const q = server.requests;
      expect(q).toHaveLength(4);
      const gaps = q.slice(1).map((req, i) => req.start - (q[i]?.end ?? 0));
      // each delay is at least half its exponential step (1 s, 2 s, 4 s); none start before the last ended
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(500 * 2 ** i);
        expect(gap).toBeLessThanOrEqual(1000 * 2 ** i);
      });
      expect(r.stderr.match(/retry \d in/g)).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('429 with Retry-After is honoured to the second', async () => {
    const clock = new VirtualClock();
    const server = await scriptedServer(
      (_req, res, n) => {
        if (n === 1)
          sendJson(res, 429, { code: '429-1', developerMessage: 'slow down' }, { 'retry-after': '2' });
        else sendJson(res, 200, DONE);
      },
      undefined,
      clock.now,
    );
    try {
      const r = await runCli([...watchArgs(server.url, 'limited'), '-v'], { clock });
      expect(r.code).toBe(0);
      const [a, b] = server.requests;
      expect((b?.start ?? 0) - (a?.end ?? 0)).toBeGreaterThanOrEqual(2000);
      expect(r.stderr).toContain('retry 1 in 2s: HTTP 429: 429-1 slow down');
    } finally {
      await server.close();
    }
  });
});

describe('a proxy that reads CONNECT and hangs up', () => {
  async function hostileProxy() {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      env: { HTTPS_PROXY: `http://127.0.0.1:${port}`, EGAIN_ACCESS_TOKEN: 'token-for-the-proxy-test' },
      connections: () => connections,
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  it('does not make the CLI spin: connections are bounded and backed off, and --timeout fires', async () => {
    const proxy = await hostileProxy();
    try {
      const started = Date.now();
      const r = await runCli(
        ['watch', '--base-url', `https://${PROXIED_HOST}:9/v4`, 'J1', '--timeout', '2s'],
        {
          clock: 'real',
          env: proxy.env,
        },
      );
      expect(r.code).toBe(3);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(r.stderr).toContain(
        'connection error: the proxy closed the connection 4 times before answering',
      );
      expect(proxy.connections()).toBeLessThan(40);
    } finally {
      await proxy.close();
    }
  });

  it('SIGTERM still ends the watch within a second', async () => {
    const proxy = await hostileProxy();
    try {
      let interruptedAt = 0;
      const r = await runCli(['watch', '--base-url', `https://${PROXIED_HOST}:9/v4`, 'J1'], {
        clock: 'real',
        env: proxy.env,
        onStart: ({ interrupt }) => {
          setTimeout(() => {
            interruptedAt = Date.now();
            interrupt('SIGTERM');
          }, 300);
        },
      });
      expect(r.code).toBe(143);
      expect(Date.now() - interruptedAt).toBeLessThan(1_000);
    } finally {
      await proxy.close();
    }
  });
});
