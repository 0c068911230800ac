import { describe, expect, it } from 'vitest';
import { getExportStatus } from '../../src/library/index.js';
import { runCli as run } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';
import { VirtualClock } from '../support/virtual-clock.js';

// Mistakes in settings are found in seconds and say what to check, instead of minutes of retries.
const TOKEN = { EGAIN_ACCESS_TOKEN: 'mistakes-token-1' };

describe('a host that never resolved', () => {
  it('is a mistake in the URL: exit 4 at once, naming where the URL came from, no retries', async () => {
    const flag = await run(
      ['watch', 'J1', '--base-url', 'https://api.aidev.egain.invalid/knowledge/portalmgr/v4'],
      {
        env: TOKEN,
      },
    );
    expect(flag.code).toBe(4);
    expect(flag.stdout).toContain('cannot resolve api.aidev.egain.invalid: check the host in --base-url');
    expect(flag.stderr).not.toContain('retry');
    const env = await run(['get', 'J1'], {
      env: { ...TOKEN, EXPORT_STATUS_BASE_URL: 'https://typo.egain.invalid/v4' },
    });
    expect(env.stdout).toContain('check the host in EXPORT_STATUS_BASE_URL');
    const job = await run(['get', 'https://typo.egain.invalid/v4/content/export/J1/status'], { env: TOKEN });
    expect(job.stdout).toContain('check the host in the job URL');
  });
});

describe('https:// to a server that speaks plain HTTP (a wrong scheme or port)', () => {
  it('is final at once: exit 4, one connection, naming HTTPS and where the URL came from', async () => {
    let connections = 0;
    const server = await scriptedServer((_req, res) => sendJson(res, 200, { status: 'Pending' }));
    const port = new URL(server.url).port;
    try {
      const clock = new VirtualClock();
      const started = clock.monotonic();
      const counting = await connectionsTo(server.url, () => connections++);
      const r = await run(['get', 'J1', '--base-url', `https://127.0.0.1:${counting.port}/v4`], {
        env: TOKEN,
        clock,
      });
      await counting.close();
      expect(r.code).toBe(4);
      expect(r.stdout).toContain(
        `the server answered in plain HTTP to an HTTPS request (check the scheme (http:// or https://) and the port in --base-url)`,
      );
      expect(r.stdout + r.stderr).not.toMatch(/ssl3_get_record|openssl/i);
      expect(r.stderr).not.toContain('retry');
      expect(clock.monotonic() - started).toBe(0);
      expect(connections).toBe(1);
      const env = await run(['get', 'J1'], {
        env: { ...TOKEN, EXPORT_STATUS_BASE_URL: `https://127.0.0.1:${port}/v4` },
      });
      expect(env.stdout).toContain('the port in EXPORT_STATUS_BASE_URL');
    } finally {
      await server.close();
    }
  });

  it('for the token URL too, naming its setting; a token URL answering 404 names the status and the setting', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 404, { message: 'no such page' }));
    const port = new URL(server.url).port;
    const client = { EGAIN_CLIENT_ID: 'me', EGAIN_CLIENT_SECRET: 'mistakes-secret-1' };
    try {
      const tls = await run(['get', 'J1', '--base-url', server.url], {
        env: { ...client, EGAIN_TOKEN_URL: `https://127.0.0.1:${port}/token` },
      });
      expect(tls.code).toBe(4);
      expect(tls.stdout).toContain(
        'no token: the token endpoint: the server answered in plain HTTP to an HTTPS request (check the scheme and the port of the token URL in EGAIN_TOKEN_URL)',
      );
      const missing = await run(
        ['get', 'J1', '--base-url', server.url, '--token-url', `${server.url}/tokn`],
        {
          env: client,
        },
      );
      expect(missing.code).toBe(4);
      expect(missing.stdout).toContain(
        'no token: the token endpoint answered HTTP 404: check the token URL in --token-url',
      );
      const library = await getExportStatus('J1', {
        baseUrl: server.url,
        clientId: 'me',
        clientSecret: 'mistakes-secret-1',
        tokenUrl: `${server.url}/tokn`,
        maxRetries: 0,
      }).catch((err: Error) => err);
      expect(library).toMatchObject({
        exitCode: 4,
        message: expect.stringContaining('answered HTTP 404: check the token URL in the tokenUrl option'),
      });
      // the API itself was never asked
      expect(server.requests.filter((r) => !r.url.startsWith('/tok'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/** A TCP relay to `target` that counts the connections made through it. */
async function connectionsTo(target: string, onConnection: () => void) {
  const net = await import('node:net');
  const { port, hostname } = new URL(target);
  const relay = net.createServer((socket) => {
    onConnection();
    const upstream = net.connect(Number(port), hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as import('node:net').AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        relay.close(() => resolve());
      }),
  };
}

describe('answers that point at the settings', () => {
  it('a 404 mentions --wait-for-create and the base URL', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 404, { code: '404-101', developerMessage: 'Export job not found.' }),
    );
    try {
      const r = await run(['watch', '--base-url', server.url, 'J1']);
      expect(r.code).toBe(4);
      expect(r.stdout).toContain(
        'HTTP 404: 404-101 Export job not found. (a job started moments ago may not exist yet: wait with --wait-for-create 2m; else check the job ID and --base-url)',
      );
      // after a wait that was too short, something longer than it is suggested
      const waited = await run([
        'watch',
        '--base-url',
        server.url,
        'J1',
        '--wait-for-create',
        '5s',
        '--interval',
        '1s',
      ]);
      expect(waited.code).toBe(4);
      expect(waited.stdout).toContain('wait longer than 5s with --wait-for-create 2m');
      const long = await run([
        'watch',
        '--base-url',
        server.url,
        'J1',
        '--wait-for-create',
        '5m',
        '--interval',
        '1m',
      ]);
      expect(long.stdout).toContain('wait longer than 5m with --wait-for-create 20m');
    } finally {
      await server.close();
    }
  });

  it('an HTML page where JSON was expected says what it may be and what to check', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><title>Sign in</title></html>');
    });
    try {
      const r = await run(['get', 'J1'], { env: { EXPORT_STATUS_BASE_URL: server.url } });
      expect(r.code).toBe(5);
      expect(r.stdout).toContain(
        "(a sign-in page, a proxy's error page or the wrong address? check EXPORT_STATUS_BASE_URL)",
      );
    } finally {
      await server.close();
    }
  });
});

describe('next steps that can be run as printed', () => {
  it('after a timeout or Ctrl-C: the get command with the base URL it used, never a secret', async () => {
    const { startSimulator } = await import('../../src/sim/server.js');
    const { VirtualClock } = await import('../support/virtual-clock.js');
    const clock = new VirtualClock();
    const sim = await startSimulator({ port: 0, durationMs: 60_000, now: clock.now });
    try {
      const timedOut = await run(['watch', '--base-url', sim.baseUrl, 'stuck-n1', '--timeout', '2s'], {
        clock,
        env: TOKEN,
      });
      expect(timedOut.code).toBe(3);
      expect(timedOut.stdout).toContain(
        `check it again with: export-status get stuck-n1 --base-url ${sim.baseUrl}`,
      );
      expect(timedOut.stdout).not.toContain(TOKEN.EGAIN_ACCESS_TOKEN);
      const interrupted = await run(['watch', `${sim.baseUrl}/content/export/stuck-n2/status`], {
        clock,
        onStart: ({ stderr, interrupt }) => {
          void stderr.until('Pending').then(() => interrupt('SIGINT'));
        },
      });
      expect(interrupted.code).toBe(130);
      expect(interrupted.stdout).toContain(
        `check it again with: export-status get ${sim.baseUrl}/content/export/stuck-n2/status`,
      );
    } finally {
      await sim.close();
    }
  });

  it('the demo does not point at a simulator that is gone', async () => {
    const r = await run(['demo', '--scenario', 'stuck', '--timeout', '3s']);
    expect(r.code).toBe(3);
    // its simulator stops with it: nothing goes on, and there is nothing to check again
    expect(r.stdout).toContain('the simulated export stopped with the demo');
    expect(r.stdout).not.toContain('goes on');
    expect(r.stdout).not.toContain('check it again');
  });

  it('help names an unknown command as unknown (exit 2), and the demo takes --interval auto', async () => {
    const help = await run(['help', 'nope']);
    expect(help.code).toBe(2);
    expect(help.stderr).toContain("error: unknown command 'nope'");
    expect(help.stdout).toBe('');
    const demo = await run(['demo', '--interval', 'auto', '--duration', '2s', '-q']);
    expect(demo.code).toBe(0);
  });

  it('--verbose lines carry their time', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 200, { status: 'Successful' }));
    try {
      const r = await run(['get', '--base-url', server.url, 'J1', '-v']);
      expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ J1 → GET /m);
    } finally {
      await server.close();
    }
  });
});
