import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';
import { useSimulator } from '../support/simulator.js';
import { tokenScript } from '../support/token-script.js';
import { VirtualClock } from '../support/virtual-clock.js';

// Credentials that outlast a long export: each renewable source keeps a watch of a 10 s export
// going through tokens that live 2 s; a fixed token cannot, and says how to do better.
const CLIENT_ID = 'export-cli';
const SECRET = 'client-secret-d41c8e';
const fx = useSimulator({ durationMs: 10_000, clientId: CLIENT_ID, clientSecret: SECRET, tokenTtlMs: 2000 });
const { run, id, clock } = fx;
const dir = mkdtempSync(join(tmpdir(), 'export-status-credentials-'));
/** Any token the simulator issues. */
const ISSUED = /sim-[0-9a-f-]{36}/;

const watchArgs = (...extra: string[]) => [
  'watch',
  '--base-url',
  fx.sim.baseUrl,
  '--interval',
  '200ms',
  ...extra,
];
const clientEnv = (over: Record<string, string> = {}) => ({
  EGAIN_CLIENT_ID: CLIENT_ID,
  EGAIN_CLIENT_SECRET: SECRET,
  EGAIN_TOKEN_URL: fx.sim.tokenUrl,
  EGAIN_SCOPE: 'knowledge.default',
  ...over,
});
const tokenRequests = () => fx.sim.requests.filter((q) => q.path === '/oauth2/v2.0/token').length;
const statusRequests = (job: string) =>
  fx.sim.requests.filter((q) => q.path.endsWith(`/${job}/status`)).length;

/** A token command that asks the simulator's token endpoint, counting its runs. */
function tokenCommandScript(): { command: string; runs: () => number } {
  const counter = join(dir, `runs-${Math.random().toString(36).slice(2)}`);
  writeFileSync(counter, '');
  const command = tokenScript(dir, fx.sim.tokenUrl, {
    clientId: CLIENT_ID,
    secret: SECRET,
    before: `printf x >> '${counter}'`,
  });
  return { command, runs: () => readFileSync(counter, 'utf8').length };
}

describe('renewal: a watch that outlives several token lifetimes', () => {
  it('client credentials: exit 0, a token fetched every lifetime or so, not once per poll', async () => {
    const before = tokenRequests();
    const job = id('success');
    const r = await run(watchArgs(job), { env: clientEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successful');
    const fetched = tokenRequests() - before;
    expect(fetched).toBeGreaterThanOrEqual(5);
    expect(fetched).toBeLessThanOrEqual(8);
    expect(statusRequests(job)).toBeGreaterThan(40);
  });

  it('--token-command: exit 0, run ahead of each expiry', async () => {
    const { command, runs } = tokenCommandScript();
    const r = await run(watchArgs(id('success'), '--token-command', command));
    expect(r.code).toBe(0);
    expect(runs()).toBeGreaterThanOrEqual(5);
    expect(runs()).toBeLessThanOrEqual(8);
  });

  it('--token-file refreshed by a sidecar: read again after a 401, and the request repeated', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, fx.sim.issueToken(), { mode: 0o600 });
    let done = false;
    // The sidecar writes a fresh token every second, as an agent or a cron job would.
    void (async () => {
      while (!done) {
        await clock.sleep(1000);
        writeFileSync(file, fx.sim.issueToken());
      }
    })();
    const job = id('success');
    const r = await run(watchArgs(job, '--token-file', file, '-v'));
    done = true;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/401: renewing the token \(--token-file /);
    expect(r.stdout + r.stderr).not.toMatch(ISSUED);
  });

  it('a fixed token: exit 4 once it expires, saying how to renew', async () => {
    const r = await run(watchArgs(id('success')), { env: { EGAIN_ACCESS_TOKEN: fx.sim.issueToken() } });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('HTTP 401: 401-101');
    expect(r.stdout).toContain(
      'the token from EGAIN_ACCESS_TOKEN was refused and cannot be renewed; for long watches use --token-command or client credentials',
    );
  });
});

describe('when the identity provider says no', () => {
  it('a refused client: exit 4 with the OAuth error, not retried', async () => {
    const before = tokenRequests();
    const r = await run(watchArgs(id('success')), {
      env: clientEnv({ EGAIN_CLIENT_SECRET: 'wrong-secret' }),
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      'no token: the token endpoint refused (HTTP 401, invalid_client: Client authentication failed.)',
    );
    expect(tokenRequests() - before).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('wrong-secret');
  });

  it('a refused scope: exit 4 with invalid_scope', async () => {
    const r = await run(watchArgs(id('success')), { env: clientEnv({ EGAIN_SCOPE: 'everything' }) });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('invalid_scope: The scope "everything" is not valid.');
  });

  it('a token endpoint that is down, then up: retried like the API, then the watch succeeds', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    let form = new URLSearchParams();
    const idp = await scriptedServer(
      (req, res) => {
        calls++;
        if (calls <= 2) return sendJson(res, 503, { error: 'temporarily_unavailable' });
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          form = new URLSearchParams(body);
          sendJson(res, 200, { access_token: 'idp-token-9f2', token_type: 'Bearer', expires_in: 3600 });
        });
      },
      undefined,
      clock.now,
    );
    const api = await scriptedServer((req, res) =>
      req.headers.authorization === 'Bearer idp-token-9f2'
        ? sendJson(res, 200, { status: 'Successful' })
        : sendJson(res, 401, { code: '401-104', developerMessage: 'no' }),
    );
    try {
      const r = await runCli(['watch', '--base-url', api.url, 'J1', '-v'], {
        clock,
        env: clientEnv({ EGAIN_TOKEN_URL: `${idp.url}/token` }),
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/retry 1 in \d+m?s: no token: the token endpoint answered HTTP 503/);
      expect(r.stderr).toMatch(/retry 2 in/);
      expect(calls).toBe(3);
      // client_secret_post: the client authenticates in the form, with the scope
      expect(Object.fromEntries(form)).toEqual({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: SECRET,
        scope: 'knowledge.default',
      });
      expect(r.stdout + r.stderr).not.toContain('idp-token-9f2');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    } finally {
      await idp.close();
      await api.close();
    }
  });

  it('a token command that fails: exit 4 showing what it said on stderr', async () => {
    const r = await run(
      watchArgs(id('success'), '--token-command', 'echo "vault: permission denied" >&2; exit 3'),
    );
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('no token: the token command failed (exit 3): vault: permission denied');
    // said once, in the reason (with every secret redacted), not twice
    expect(r.stderr).not.toContain('vault: permission denied\n');
  });
});

describe('no secret in any output', () => {
  it('neither the client secret nor any token, in text, --verbose, --json or ndjson', async () => {
    const outputs = [
      await run(watchArgs(id('success'), '-v'), { env: clientEnv() }),
      await run(watchArgs(id('failure'), '-v', '--json'), { env: clientEnv() }),
      await run(watchArgs(id('flaky'), '-v', '-o', 'ndjson'), { env: clientEnv() }),
      await run(['get', '--base-url', fx.sim.baseUrl, id('success'), '-v'], { env: clientEnv() }),
    ];
    expect(outputs.map((r) => r.code)).toEqual([0, 1, 0, 0]);
    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(r.stdout + r.stderr).not.toMatch(ISSUED);
      expect(r.stderr).toContain('authorization: Bearer ***');
    }
  });
});

describe('config --check: what a long watch would find out at its first poll, found out now', () => {
  const check = (env: Record<string, string>, ...extra: string[]) =>
    run(['config', '--check', '--base-url', fx.sim.baseUrl, ...extra], { env });

  it('a credential the API takes: exit 0, one token, one request for a job that cannot exist', async () => {
    const before = fx.sim.requests.length;
    const r = await check(clientEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ok: .* accepted the credential \(.*\): a job that cannot exist answered (404|a status)\n$/,
    );
    const made = fx.sim.requests.slice(before);
    expect(made.map((q) => q.path.split('/').at(-1))).toEqual(['token', 'status']);
    expect(made.at(-1)).toMatchObject({ authorized: true });
  });

  it('a secret file that is not there: exit 2 naming it, nothing sent', async () => {
    const before = fx.sim.requests.length;
    const missing = join(dir, 'nonexist.secret');
    const env = clientEnv();
    delete (env as Record<string, string | undefined>).EGAIN_CLIENT_SECRET;
    const r = await check(env, '--client-secret-file', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(fx.sim.requests.length).toBe(before);
  });

  it('a secret the token endpoint refuses: exit 4, the secret shown nowhere', async () => {
    const r = await check(clientEnv({ EGAIN_CLIENT_SECRET: 'wrong-secret-77f3a1' }));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: the check of .* failed: .*401/);
    expect(`${r.stdout}${r.stderr}`).not.toContain('wrong-secret-77f3a1');
  });

  it('the service’s 404 for a job it does not know is the proof too', async () => {
    const api = await scriptedServer((req, res) =>
      req.headers.authorization === 'Bearer good-token-5a1e2c'
        ? sendJson(res, 404, { code: '404-100', developerMessage: 'not found' })
        : sendJson(res, 401, { code: '401-101', developerMessage: 'no' }),
    );
    try {
      const ok = await runCli(['config', '--check', '--base-url', api.url], {
        env: { EGAIN_ACCESS_TOKEN: 'good-token-5a1e2c' },
      });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('a job that cannot exist answered 404 (404-100)');
    } finally {
      await api.close();
    }
  });

  it('a base URL without the API’s path: a 404 that is not the API’s own, exit 4 saying so', async () => {
    const root = new URL(fx.sim.baseUrl).origin;
    const r = await check(clientEnv(), '--base-url', root);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("not the API's own 404");
  });

  it('a token the API refuses: exit 4', async () => {
    const r = await check({ EGAIN_ACCESS_TOKEN: 'not-a-token-of-this-api-3c9' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('401');
  });
});
