import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { freePort, recordingProxy, scriptedServer, selfSignedCert, sendJson } from '../support/servers.js';
import { BIN, cleanEnv, ESCAPE, run, waitForOutput } from '../support/spawn.js';

const TOKEN = 'hardening-secret-7f3a9c';
const DONE = {
  status: 'Successful',
  progress: { processed: 10, total: 10, percentage: 100 },
  results: { successful: 10 },
};
const dir = mkdtempSync(join(tmpdir(), 'export-status-hardening-'));
let sim: Simulator;
let n = 0;
const id = (scenario: string) => `${scenario}-h-${process.pid}-${++n}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 800, token: TOKEN });
});
afterAll(() => sim.close());

function tokenFile(content: string, mode: number): string {
  const path = join(dir, `token-${++n}`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe('the token', () => {
  it('--token-file works, and warns when others can read the file', async () => {
    const open = await run([
      'get',
      '--base-url',
      sim.baseUrl,
      id('success'),
      '--token-file',
      tokenFile(`${TOKEN}\n`, 0o644),
    ]);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain('can be read by other users; chmod 600 it');
    const closed = await run([
      'get',
      '--base-url',
      sim.baseUrl,
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
      sim.baseUrl,
      'x',
      '--token-file',
      tokenFile(`${TOKEN}\nsecond-line\n`, 0o600),
    ]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('contains a newline, a space or a control character');
    const env = await run(['get', '--base-url', sim.baseUrl, 'x'], {
      env: { EGAIN_ACCESS_TOKEN: `${TOKEN}\u0007` },
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('EGAIN_ACCESS_TOKEN contains');
    expect(file.stderr + env.stderr).not.toContain(TOKEN);
  });

  it('appears nowhere: not in --verbose logs, retries, errors, --json or ndjson', async () => {
    const env = { EGAIN_ACCESS_TOKEN: TOKEN };
    const runs = await Promise.all([
      run(['watch', '--base-url', sim.baseUrl, '--interval', '100ms', '--verbose', id('flaky')], { env }),
      run(['watch', '--base-url', sim.baseUrl, '--interval', '100ms', '--verbose', '--json', id('failure')], {
        env,
      }),
      run(['watch', '--base-url', sim.baseUrl, '--interval', '100ms', '-o', 'ndjson', '-v', id('garbage')], {
        env,
      }),
      run(['get', '--base-url', sim.baseUrl, '--verbose', 'x'], {
        env: { EGAIN_ACCESS_TOKEN: `${TOKEN}-wrong` },
      }),
    ]);
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

describe('hostile server text', () => {
  const evil = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u001b[0m\u009b31m\r\n\u202eltr';

  it('never reaches the terminal raw: statuses, errors and WSErrorCommon messages are stripped', async () => {
    const server = await scriptedServer((req, res) => {
      if (req.url?.includes('gone'))
        sendJson(res, 404, { code: '404-1', developerMessage: `missing ${evil}` });
      else if (req.url?.includes('odd'))
        sendJson(res, 200, { status: `Weird${evil}`, progress: { percentage: 10 } });
      else
        sendJson(res, 200, { status: 'Failed', error: `boom ${evil}`, progress: { processed: 1, total: 2 } });
    });
    try {
      const base = `${server.url}/v4`;
      const runs = await Promise.all([
        run(['watch', '--base-url', base, 'failed-1']),
        run(['watch', '--base-url', base, 'gone-1']),
        run(['get', '--base-url', base, 'odd-1']),
        run(['get', '--base-url', base, 'odd-2', '--json']),
        run(['get', '--base-url', base, 'odd-3', '-o', 'ndjson']),
      ]);
      expect(runs.map((r) => r.code)).toEqual([1, 4, 0, 0, 0]);
      for (const r of runs) {
        expect(r.stdout + r.stderr).not.toMatch(ESCAPE);
        for (const c of ['\u0007', '\u009b', '\u202e']) expect(r.stdout + r.stderr).not.toContain(c);
      }
      expect(runs[0]?.stdout).toContain('Error      boom red ltr');
      expect(runs[1]?.stdout).toContain('HTTP 404: 404-1 missing red ltr');
      // JSON keeps the data, escaped.
      expect(JSON.parse(runs[3]?.stdout ?? '').status.status).toBe(`Weird${evil}`);
    } finally {
      await server.close();
    }
  });
});

describe('hostile sizes', () => {
  it('a 100 MiB answer is refused while streaming: exit 5, and only a little of it is ever read', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"Pending","pad":"');
      const pump = () => {
        while (written < 100 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      res.on('close', () => {});
      pump();
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'big']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain('response body larger than 1 MiB');
      // The client hung up after ~1 MiB; socket buffers account for the rest.
      expect(written).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it('a declared Content-Length over 1 MiB is refused before reading', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
      res.write('{"status":');
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'declared']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain('larger than 1 MiB');
    } finally {
      await server.close();
    }
  });

  it('an HTML login page with 200 is an invalid response with a clear message', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><title>Sign in</title></html>');
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'login']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain(
        'invalid response: expected JSON, got text/html: "<html><title>Sign in</title></html>"',
      );
    } finally {
      await server.close();
    }
  });
});

describe('hostile IDs and URLs', () => {
  it('a job ID is one percent-encoded path segment: ../../admin never reaches another route', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 200, DONE));
    try {
      const r = await run(['get', '--base-url', `${server.url}/v4`, '../../admin?x=1#y']);
      expect(r.code).toBe(0);
      expect(server.requests[0]?.url).toBe('/v4/content/export/..%2F..%2Fadmin%3Fx%3D1%23y/status');
    } finally {
      await server.close();
    }
  });

  it.each([
    [['get', '..'], '".." is not a job ID'],
    [['get', 'ftp://host/x'], 'expected an http:// or https:// URL'],
    [['get', 'https://user:pw@host/x/status'], 'credentials do not belong in the URL'],
    [['get', 'x', '--base-url', 'file:///etc/passwd'], 'expected an http:// or https:// URL'],
    [['get', 'x', '--base-url', 'https://'], 'not a URL'],
  ])('%j exits 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('faults', () => {
  const watchArgs = (base: string, job: string) => ['watch', '--base-url', base, '--interval', '200ms', job];

  it('the server is not up yet at start, then comes up: the watch waits and succeeds', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/knowledge/portalmgr/v4`;
    let late: Simulator | undefined;
    const r = await run(watchArgs(base, id('success')), {
      env: { EGAIN_ACCESS_TOKEN: TOKEN },
      onSpawn: (child) => {
        void waitForOutput(child.stderr as NodeJS.ReadableStream, (t) => t.includes('connection error')).then(
          async () => {
            late = await startSimulator({ port, durationMs: 600 });
          },
        );
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
    const r = await run(watchArgs(first.baseUrl, id('success')), {
      onSpawn: (child) => {
        void waitForOutput(child.stderr as NodeJS.ReadableStream, (t) => t.includes('In Progress')).then(
          async () => {
            await first.close();
            await new Promise((resolve) => setTimeout(resolve, 700));
            second = await startSimulator({ port, durationMs: 600 });
          },
        );
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
      // the first request is never answered
    });
    try {
      const r = await run([...watchArgs(server.url, 'hang'), '--request-timeout', '500ms']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('no answer within 500 ms (--request-timeout)');
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a burst of 503s backs off exponentially, never overlapping requests', async () => {
    const server = await scriptedServer((_req, res, n) => {
      if (n <= 3) sendJson(res, 503, { code: '503-1', developerMessage: 'busy' });
      else sendJson(res, 200, DONE);
    });
    try {
      const r = await run(watchArgs(server.url, 'burst'));
      expect(r.code).toBe(0);
      const q = server.requests;
      expect(q).toHaveLength(4);
      const gaps = q.slice(1).map((req, i) => req.start - (q[i]?.end ?? 0));
      // each delay is at least half its exponential step (1 s, 2 s, 4 s); none start before the last ended
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(500 * 2 ** i - 50);
      });
      expect(r.stderr.match(/retry \d in/g)).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('429 with Retry-After is honoured to the second', async () => {
    const server = await scriptedServer((_req, res, n) => {
      if (n === 1)
        sendJson(res, 429, { code: '429-1', developerMessage: 'slow down' }, { 'retry-after': '2' });
      else sendJson(res, 200, DONE);
    });
    try {
      const r = await run(watchArgs(server.url, 'limited'));
      expect(r.code).toBe(0);
      const [a, b] = server.requests;
      expect((b?.start ?? 0) - (a?.end ?? 0)).toBeGreaterThanOrEqual(1950);
      expect(r.stderr).toContain('retry 1 in 2s: HTTP 429: 429-1 slow down');
    } finally {
      await server.close();
    }
  });
});

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
      expect(JSON.parse(direct.stdout).raw).toEqual({ seenAuth: `Bearer ${TOKEN}` });

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

describe('a process that must not hang', () => {
  it('parse with no file and a terminal on stdin is a usage error, not a wait', async () => {
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${BIN}" parse`, '/dev/null'], {
      env: cleanEnv(),
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(out).toContain('no document given');
  });
});
