import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptedServer, sendJson } from '../support/servers.js';
import { useSimulator } from '../support/simulator.js';

// The bearer token: where it comes from, where it may go, and that it is never shown.
const TOKEN = 'hardening-secret-7f3a9c';
const DONE = {
  status: 'Successful',
  progress: { processed: 10, total: 10, percentage: 100 },
  results: { successful: 10 },
};
const dir = mkdtempSync(join(tmpdir(), 'export-status-tokens-'));
const fx = useSimulator({ durationMs: 800, token: TOKEN });
const { run, id } = fx;
let n = 0;

function tokenFile(content: string, mode: number): string {
  const path = join(dir, `token-${++n}`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe('the token, from the environment', () => {
  it('without a token the server answers 401 and the CLI hints at EGAIN_ACCESS_TOKEN (exit 4)', async () => {
    const r = await run(['watch', '--base-url', fx.sim.baseUrl, 'success-1']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('HTTP 401');
    expect(r.stdout).toContain('EGAIN_ACCESS_TOKEN');
  });

  it('with EGAIN_ACCESS_TOKEN it succeeds, and --verbose never shows the token', async () => {
    const r = await run(
      ['watch', '--base-url', fx.sim.baseUrl, 'success-2', '--interval', '100ms', '--verbose'],
      {
        env: { EGAIN_ACCESS_TOKEN: TOKEN },
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('authorization: Bearer ***');
    expect(r.stderr).toMatch(/← HTTP 200 in \d+ ms/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(
      fx.sim.requests.filter((q) => q.path.endsWith('/success-2/status')).every((q) => q.authorized),
    ).toBe(true);
  });

  it('refuses to send a token over plain http to a host that is not loopback (exit 2, nothing sent)', async () => {
    const r = await run(['get', '--base-url', 'http://export.example.com/v4', 'job-1'], {
      env: { EGAIN_ACCESS_TOKEN: 'x' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to send the token over plain http:// to export.example.com');
  });
});

describe('the token file, and where the token may go', () => {
  it('--token-file works, and warns when others can read the file', async () => {
    const open = await run([
      'get',
      '--base-url',
      fx.sim.baseUrl,
      id('success'),
      '--token-file',
      tokenFile(`${TOKEN}\n`, 0o644),
    ]);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain('can be read by other users; chmod 600 it');
    const closed = await run([
      'get',
      '--base-url',
      fx.sim.baseUrl,
      id('success'),
      '--token-file',
      tokenFile(`${TOKEN}\n`, 0o600),
    ]);
    expect(closed.code).toBe(0);
    expect(closed.stderr).toBe('');
  });

  it('a token with a newline or control character is a usage error, and is not echoed', async () => {
    const file = await run([
      'get',
      '--base-url',
      fx.sim.baseUrl,
      'x',
      '--token-file',
      tokenFile(`${TOKEN}\nsecond-line\n`, 0o600),
    ]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('contains a newline, a space or a control character');
    const env = await run(['get', '--base-url', fx.sim.baseUrl, 'x'], {
      env: { EGAIN_ACCESS_TOKEN: `${TOKEN}\u0007` },
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('EGAIN_ACCESS_TOKEN contains');
    expect(file.stderr + env.stderr).not.toContain(TOKEN);
  });

  it('appears nowhere: not in --verbose logs, retries, errors, --json or ndjson', async () => {
    const env = { EGAIN_ACCESS_TOKEN: TOKEN };
    const runs = [
      await run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '100ms', '--verbose', id('flaky')], {
        env,
      }),
      await run(
        ['watch', '--base-url', fx.sim.baseUrl, '--interval', '100ms', '--verbose', '--json', id('failure')],
        {
          env,
        },
      ),
      await run(
        ['watch', '--base-url', fx.sim.baseUrl, '--interval', '100ms', '-o', 'ndjson', '-v', id('garbage')],
        {
          env,
        },
      ),
      await run(['get', '--base-url', fx.sim.baseUrl, '--verbose', 'x'], {
        env: { EGAIN_ACCESS_TOKEN: `${TOKEN}-wrong` },
      }),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 1, 5, 4]);
    for (const r of runs) {
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(r.stderr).toContain('Bearer ***');
    }
  });

  it('is not sent over plain http to a host that is not loopback (exit 2 before any connection)', async () => {
    const r = await run(['get', 'http://export.example.com/v4/content/export/x/status'], {
      env: { EGAIN_ACCESS_TOKEN: TOKEN },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to send the token over plain http://');
    expect(r.stderr).toContain('--insecure-http');
  });

  it('follows a same-origin redirect with the token, and drops it when a redirect leaves the origin', async () => {
    const other = await scriptedServer((_req, res) => sendJson(res, 200, DONE));
    const origin = await scriptedServer((req, res) => {
      if (req.url === '/moved/status') {
        res.writeHead(307, { location: `${other.url}/content/export/x/status` }).end();
      } else {
        res.writeHead(302, { location: '/moved/status' }).end();
      }
    });
    try {
      const r = await run(['get', `${origin.url}/content/export/x/status`], {
        env: { EGAIN_ACCESS_TOKEN: TOKEN },
      });
      expect(r.code).toBe(0);
      expect(origin.requests.map((q) => [q.url, q.headers.authorization])).toEqual([
        ['/content/export/x/status', `Bearer ${TOKEN}`],
        ['/moved/status', `Bearer ${TOKEN}`],
      ]);
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await origin.close();
      await other.close();
    }
  });
});

describe('secrets that must not travel or show', () => {
  it('start refuses to send the token over plain http to a host that is not loopback (exit 2, nothing sent)', async () => {
    const r = await run(['start', '--base-url', 'http://export.example.com/v4', '--body', '-'], {
      env: { EGAIN_ACCESS_TOKEN: TOKEN },
      stdin: '{}',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to send the token over plain http:// to export.example.com');
  });

  it('-H values are redacted in --verbose logs and dropped when a redirect leaves the origin', async () => {
    const other = await scriptedServer((req, res) =>
      sendJson(res, 200, { ...DONE, seen: req.headers['x-api-key'] ?? null }),
    );
    const origin = await scriptedServer((_req, res) => {
      res.writeHead(307, { location: `${other.url}/content/export/x/status` }).end();
    });
    try {
      const r = await run(
        ['get', `${origin.url}/content/export/x/status`, '-v', '--json', '-H', 'X-Api-Key: key-5e1b7a9c'],
        {
          env: { EGAIN_ACCESS_TOKEN: TOKEN },
        },
      );
      expect(r.code).toBe(0);
      expect(origin.requests[0]?.headers['x-api-key']).toBe('key-5e1b7a9c');
      expect(other.requests[0]?.headers['x-api-key']).toBeUndefined();
      expect(JSON.parse(r.stdout).raw).toEqual({ seen: null });
      expect(r.stderr).toContain('x-api-key: ***');
      expect(r.stdout + r.stderr).not.toContain('key-5e1b7a9c');
    } finally {
      await origin.close();
      await other.close();
    }
  });

  it('a server that echoes the token in its error does not get it printed, in text or --json', async () => {
    const server = await scriptedServer((req, res) =>
      sendJson(res, 401, {
        code: '401-104',
        developerMessage: `Token rejected: ${req.headers.authorization}`,
      }),
    );
    try {
      for (const output of [[], ['--json']]) {
        const r = await run(['get', '--base-url', server.url, 'J1', ...output], {
          env: { EGAIN_ACCESS_TOKEN: TOKEN },
        });
        expect(r.code).toBe(4);
        expect(r.stdout).toContain('Token rejected: Bearer ***');
        expect(r.stdout + r.stderr).not.toContain(TOKEN);
      }
    } finally {
      await server.close();
    }
  });
});
