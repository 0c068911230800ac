import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';

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
