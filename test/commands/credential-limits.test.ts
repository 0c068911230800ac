import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getExportStatus, watchExport } from '../../src/library/index.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { runCli } from '../support/cli.js';
import { freshIds } from '../support/ids.js';
import { hold, scriptedServer, sendJson, type TestServer } from '../support/servers.js';
import { VirtualClock } from '../support/virtual-clock.js';

// Getting a token is part of the watch: it keeps the watch's deadline and its interrupt, a token
// command ends with the run (its whole process group), and a token endpoint is never driven
// once per poll. Limits on the virtual clock, to the millisecond; signals on the real one.
const dir = mkdtempSync(join(tmpdir(), 'export-status-limits-'));
const id = freshIds('lim');
let sim: Simulator;
let hanging: TestServer;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 1000 });
  // A token endpoint that never answers.
  hanging = await scriptedServer((_req, res) => hold(res));
});
afterAll(async () => {
  await sim.close();
  await hanging.close();
});

const clientEnv = (tokenUrl: string) => ({
  EGAIN_CLIENT_ID: 'me',
  EGAIN_CLIENT_SECRET: 'aB3+x/Yz9=Q~w.secret',
  EGAIN_TOKEN_URL: tokenUrl,
});

/** SIGTERM delivered `ms` after the run starts; how long ago it was, once the run has ended. */
function sigtermAfter(ms: number) {
  let at = 0;
  return {
    onStart: ({ interrupt }: { interrupt(signal: 'SIGTERM'): void }) => {
      setTimeout(() => {
        at = Date.now();
        interrupt('SIGTERM');
      }, ms);
    },
    sinceMs: () => Date.now() - at,
  };
}

/** Whether any process whose command line holds `marker` is still running. */
function running(marker: string): boolean {
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.split('\n').some((line) => line.includes(marker) && !line.includes('ps -eo'));
}

describe('a token request keeps the watch’s limits', () => {
  it('a token endpoint that never answers: --timeout 3s ends the watch with exit 3 at its deadline and the 2 s grace, not 30 s later', async () => {
    const clock = new VirtualClock();
    const started = clock.monotonic();
    const r = await runCli(['watch', id('success'), '--base-url', sim.baseUrl, '--timeout', '3s'], {
      clock,
      env: clientEnv(`${hanging.url}/token`),
    });
    expect(r.code).toBe(3);
    // the first token request waits until the deadline, the last poll's for its 2 s grace
    expect(clock.monotonic() - started).toBe(5_000);
    expect(r.stdout).toContain('not finished within 3s');
  });

  it('SIGTERM during a token request ends the run with 143 within a second', async () => {
    const sigterm = sigtermAfter(300);
    const r = await runCli(['watch', id('success'), '--base-url', sim.baseUrl], {
      clock: 'real',
      env: clientEnv(`${hanging.url}/token`),
      onStart: sigterm.onStart,
    });
    expect(r.code).toBe(143);
    expect(sigterm.sinceMs()).toBeLessThan(1_000);
  });

  it('SIGTERM during a token command: 143 within a second, and nothing of the command’s group is left', async () => {
    const marker = `sleep 27.${process.pid}`;
    const sigterm = sigtermAfter(300);
    const r = await runCli(
      ['watch', id('success'), '--base-url', sim.baseUrl, '--token-command', `${marker}; echo tok-123456`],
      { clock: 'real', onStart: sigterm.onStart },
    );
    expect(r.code).toBe(143);
    expect(sigterm.sinceMs()).toBeLessThan(1_000);
    expect(running(marker)).toBe(false);
  });

  it('the library’s signal ends a watch waiting for a token within a second', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort('SIGINT'), 300);
    const result = await watchExport(id('success'), {
      baseUrl: sim.baseUrl,
      clientId: 'me',
      clientSecret: 'lib-secret-1',
      tokenUrl: `${hanging.url}/token`,
      signal: controller.signal,
    }).result;
    expect(result).toMatchObject({ outcome: 'interrupted', exitCode: 130, polls: 0 });
    expect(Date.now() - started).toBeLessThan(1_300);
  });
});

describe('a token command', () => {
  it('that leaves a process behind: its answer is what it printed when it exited, the leftover is ended', async () => {
    const marker = `sleep 41.${process.pid}`;
    const started = Date.now();
    const r = await runCli(
      [
        'watch',
        id('success'),
        '--base-url',
        sim.baseUrl,
        '--interval',
        '200ms',
        '--token-command',
        `echo tok-123456; ${marker} &`,
      ],
      { clock: 'real' },
    );
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(running(marker)).toBe(false);
  });

  it('that prints 50 MB is refused, saying why, and nothing is sent', async () => {
    const before = sim.requests.length;
    const r = await runCli([
      'get',
      id('success'),
      '--base-url',
      sim.baseUrl,
      '--token-command',
      'head -c 50000000 /dev/zero | tr "\\0" a',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('the token command printed more than 64 KiB, which is no token');
    expect(sim.requests.length).toBe(before);
  });

  it('whose stderr holds a token it gave is passed on with the token redacted', async () => {
    const r = await runCli([
      'get',
      id('success'),
      '--base-url',
      sim.baseUrl,
      '--token-command',
      'echo "issued tok-abcdef123" >&2; echo tok-abcdef123',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('issued ***');
    expect(r.stdout + r.stderr).not.toContain('tok-abcdef123');
  });

  it('with a NUL in a profile is a usage error that quotes nothing', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(home, 'export-status'));
    const config = join(home, 'export-status', 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { p: { tokenCommand: 'vault read -token=hvs.S3CRET\u0000x' } } }),
    );
    chmodSync(config, 0o600);
    const r = await runCli(['get', 'J1', '--base-url', sim.baseUrl, '--profile', 'p'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the profile's tokenCommand contains a NUL character");
    expect(r.stderr).not.toContain('S3CRET');
    expect(r.stderr).not.toMatch(/\bat \w/);
  });
});

describe('the token endpoint is not driven once per poll', () => {
  /** The clock of the endpoint's request times and of the CLI's runs. */
  const clock = new VirtualClock();
  let endpoint: TestServer;
  let answers: Array<(res: import('node:http').ServerResponse) => void> = [];
  beforeAll(async () => {
    endpoint = await scriptedServer(
      (req, res) => {
        req.resume();
        req.on('end', () => {
          const answer = answers.shift();
          if (answer) answer(res);
          else
            sendJson(res, 200, { access_token: `t-${Math.random()}`, token_type: 'Bearer', expires_in: 0 });
        });
      },
      undefined,
      clock.now,
    );
  });
  afterAll(() => endpoint.close());

  it('expires_in: 0 over a 5 s watch at 100 ms: one token, used until the API refuses it', async () => {
    answers = [];
    const before = endpoint.requests.length;
    const api = await startSimulator({ port: 0, durationMs: 5000, now: clock.now });
    try {
      const r = await runCli(['watch', id('success'), '--base-url', api.baseUrl, '--interval', '100ms'], {
        clock,
        env: clientEnv(`${endpoint.url}/token`),
      });
      expect(r.code).toBe(0);
      expect(api.requests.length).toBe(51);
      expect(endpoint.requests.length - before).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('a 503 with Retry-After: 2 from the token endpoint is not asked again sooner', async () => {
    answers = [(res) => sendJson(res, 503, { error: 'temporarily_unavailable' }, { 'retry-after': '2' })];
    const before = endpoint.requests.length;
    const r = await runCli(['get', id('success'), '--base-url', sim.baseUrl], {
      clock,
      env: clientEnv(`${endpoint.url}/token`),
    });
    expect(r.code).toBe(0);
    const [first, second] = endpoint.requests.slice(before);
    // the back-off would have asked again after 0.5–1 s
    expect(second && first && second.start - first.start).toBe(2_000);
  });

  it.each([
    ['a space', 'abc def'],
    ['a TAB', 'abc\tdef'],
    ['a BEL', 'abc\u0007def'],
  ])('an access token holding %s is refused, never sent: exit 4, the API asked nothing', async (_, token) => {
    answers = [(res) => sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 })];
    const before = sim.requests.length;
    const r = await runCli(['get', id('success'), '--base-url', sim.baseUrl], {
      clock,
      env: clientEnv(`${endpoint.url}/token`),
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      "no token: the token endpoint's access_token is empty or holds a space or a control character",
    );
    expect(sim.requests.length).toBe(before);
  });

  it('library watches with the same client credentials share one token', async () => {
    answers = [];
    const before = endpoint.requests.length;
    const options = {
      baseUrl: sim.baseUrl,
      clientId: 'shared',
      clientSecret: 'shared-secret',
      tokenUrl: `${endpoint.url}/token`,
    };
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => getExportStatus(id('stuck'), options)),
    );
    expect(statuses).toHaveLength(50);
    expect(endpoint.requests.length - before).toBe(1);
  });

  it('one library watch giving up does not take the shared token from another: B gets it', async () => {
    // the token comes 400 ms after it is asked for; watch A is stopped after 100 ms
    answers = [
      (res) =>
        setTimeout(
          () =>
            sendJson(res, 200, { access_token: 'tok-shared-slow-1', token_type: 'Bearer', expires_in: 3600 }),
          400,
        ),
    ];
    const before = endpoint.requests.length;
    const options = {
      baseUrl: sim.baseUrl,
      clientId: 'abort-a-keep-b',
      clientSecret: 'abort-secret-1',
      tokenUrl: `${endpoint.url}/token`,
      interval: 100,
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGINT'), 100);
    const [a, b] = await Promise.all([
      watchExport(id('success'), { ...options, signal: controller.signal }).result,
      watchExport(id('success'), { ...options, maxRetries: 0 }).result,
    ]);
    expect(a).toMatchObject({ outcome: 'interrupted', exitCode: 130 });
    expect(b).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(endpoint.requests.length - before).toBe(1);
  });

  it('more than ten library watches on one signal print no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const watches = Array.from({ length: 15 }, () =>
        watchExport(id('stuck'), { baseUrl: sim.baseUrl, interval: 100, signal: controller.signal }),
      );
      setTimeout(() => controller.abort('SIGINT'), 200);
      const results = await Promise.all(watches.map((w) => w.result));
      expect(results.every((r) => r.outcome === 'interrupted')).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('secrets in every form', () => {
  const SECRET = 'aB3+x/Yz9=Q~w.secret';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const forms = [
    SECRET,
    encodeURIComponent(SECRET),
    new URLSearchParams({ s: SECRET }).toString().slice(2),
    b64(SECRET).replace(/=+$/, ''),
    b64(`me:${SECRET}`).replace(/=+$/, ''),
    SECRET.toUpperCase(),
    SECRET.slice(0, 9),
    SECRET.slice(9),
  ];
  /** How the identity provider echoes the client secret in its refusal, by the token URL's path. */
  const ECHOES: Record<string, (body: string) => { error: string; error_description: string }> = {
    plain: (body) => ({
      error: `invalid_client ${SECRET}`,
      error_description: `bad ${body} ${encodeURIComponent(SECRET)}`,
    }),
    base64: () => ({ error: 'invalid_client', error_description: `secret ${b64(SECRET)} is wrong` }),
    basic: () => ({
      error: 'invalid_client',
      error_description: `Authorization: Basic ${b64(`me:${SECRET}`)}`,
    }),
    upper: () => ({ error: 'invalid_client', error_description: `unknown secret ${SECRET.toUpperCase()}` }),
    split: () => ({
      error: `invalid_client ${SECRET.slice(0, 9)}`,
      error_description: `${SECRET.slice(9)} is wrong`,
    }),
    invisible: () => ({
      error: 'invalid_client',
      error_description: `wrong: ${SECRET.slice(0, 9)}\u200b${SECRET.slice(9)}`,
    }),
  };
  let echo: TestServer;
  beforeAll(async () => {
    echo = await scriptedServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      const how = (req.url ?? '').split('/').at(-1) ?? 'plain';
      req.on('end', () => sendJson(res, 401, (ECHOES[how] ?? ECHOES.plain)?.(body)));
    });
  });
  afterAll(() => echo.close());

  it.each(
    Object.keys(ECHOES).flatMap((how) => [
      [how, 'text'],
      [how, 'json'],
    ]),
  )(
    'a token endpoint echoing the client secret (%s): in no form in %s output, -v, annotations or the step summary',
    async (how, mode) => {
      const summary = join(dir, `summary-${how}-${mode}.md`);
      writeFileSync(summary, '');
      const r = await runCli(
        ['watch', id('success'), '--base-url', sim.baseUrl, '-v', ...(mode === 'json' ? ['--json'] : [])],
        {
          env: {
            ...clientEnv(`${echo.url}/token/${how}`),
            GITHUB_ACTIONS: 'true',
            GITHUB_STEP_SUMMARY: summary,
          },
        },
      );
      expect(r.code).toBe(4);
      expect(r.stdout + r.stderr).toContain(
        'the token endpoint refused (HTTP 401; its answer held the client secret and is not shown)',
      );
      const everything = r.stdout + r.stderr + readFileSync(summary, 'utf8');
      for (const form of forms) expect(everything).not.toContain(form);
    },
  );

  it('a refusal without the secret is shown as the endpoint said it', async () => {
    const r = await runCli(['get', id('success'), '--base-url', sim.baseUrl], {
      env: { ...clientEnv(`${echo.url}/token/base64`), EGAIN_CLIENT_SECRET: 'another-secret-42' },
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      `the token endpoint refused (HTTP 401, invalid_client: secret ${b64(SECRET)} is wrong)`,
    );
  });

  it('an API that echoes the secrets of the export body: none is printed', async () => {
    const api = await scriptedServer((req, res) => {
      req.resume();
      req.on('end', () =>
        sendJson(res, 400, {
          code: '400-196',
          developerMessage: 'Invalid value of attribute dataDestination.',
          details: [
            { key: 'dataDestination.s3Details.secretKey', value: 'AKIA-SECRET-KEY-77' },
            { key: 'dataDestination.sftpDetails.password', value: 'hunter2-password' },
            { key: 'echo', value: 'AKIA-SECRET-KEY-77 and hunter2-password' },
          ],
        }),
      );
    });
    try {
      const body = join(dir, 'secret-body.json');
      writeFileSync(
        body,
        JSON.stringify({
          portalID: 'PROD-1000',
          language: { code: 'en-US' },
          resourceTypes: ['articles'],
          dataDestination: {
            destinationType: 'AWS S3 bucket',
            path: 's3://b/f',
            s3Details: { region: 'eu-west-1', accessKey: 'AKIA-ACCESS-1', secretKey: 'AKIA-SECRET-KEY-77' },
            sftpDetails: { username: 'u', password: 'hunter2-password', host: 'h' },
          },
        }),
      );
      const r = await runCli(['start', '--body', body, '--base-url', `${api.url}/v4`]);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('dataDestination.s3Details.secretKey=***');
      expect(r.stderr).not.toContain('AKIA-SECRET-KEY-77');
      expect(r.stderr).not.toContain('hunter2-password');
    } finally {
      await api.close();
    }
  });
});

describe('files the CLI reads', () => {
  function home(config: string | undefined, mode = 0o600): string {
    const h = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(h, 'export-status'));
    if (config !== undefined) {
      writeFileSync(join(h, 'export-status', 'config.json'), config);
      chmodSync(join(h, 'export-status', 'config.json'), mode);
    }
    return h;
  }

  it.each([0o666, 0o622, 0o620])(
    'a configuration file of mode %o naming a command: exit 2, the command never runs',
    async (mode) => {
      const marker = join(dir, `ran-${mode}`);
      const h = home(
        JSON.stringify({ profiles: { p: { tokenCommand: `touch ${marker}; echo tok-123456` } } }),
        mode,
      );
      const r = await runCli(['get', 'J1', '--base-url', sim.baseUrl, '--profile', 'p'], {
        env: { XDG_CONFIG_HOME: h },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`others can write it (mode ${mode.toString(8)}); keep it`);
      expect(r.stderr).toContain('chmod go-w');
      expect(existsSync(marker)).toBe(false);
    },
  );

  /** A configuration file that others could change, by the way it is reached. */
  const CHANGEABLE: Array<[string, (h: string, file: string) => void, string]> = [
    [
      'its directory is 777',
      (h) => chmodSync(join(h, 'export-status'), 0o777),
      'is writable by them (mode 777)',
    ],
    [
      'its directory is 775',
      (h) => chmodSync(join(h, 'export-status'), 0o775),
      'is writable by them (mode 775)',
    ],
    [
      'it belongs to another user',
      (_, file) => chownSync(file, 4321, 4321),
      'belongs to another user (uid 4321)',
    ],
    [
      'it is a symlink into a 777 directory',
      (h, file) => {
        const open = mkdtempSync(join(dir, 'open-'));
        chmodSync(open, 0o777);
        renameSync(file, join(open, 'config.json'));
        symlinkSync(join(open, 'config.json'), file);
        void h;
      },
      'is writable by them (mode 777)',
    ],
  ];

  it.each(CHANGEABLE)(
    'a configuration file naming a command when %s: exit 2, the command never runs',
    async (_, make, says) => {
      const marker = join(dir, `ran-${Math.random()}`);
      const h = home(
        JSON.stringify({ profiles: { p: { tokenCommand: `touch ${marker}; echo tok-123456` } } }),
      );
      make(h, join(h, 'export-status', 'config.json'));
      const r = await runCli(['get', 'J1', '--base-url', sim.baseUrl, '--profile', 'p'], {
        env: { XDG_CONFIG_HOME: h },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("names a command to run (profile p's tokenCommand)");
      expect(r.stderr).toContain(says);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it('a configuration file others can change that names where a secret goes: exit 2, nothing sent', async () => {
    const h = home(JSON.stringify({ profiles: { p: { baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl } } }));
    chmodSync(join(h, 'export-status'), 0o777);
    const before = sim.requests.length;
    const r = await runCli(['get', 'J1', '--profile', 'p'], {
      env: { XDG_CONFIG_HOME: h, EGAIN_CLIENT_ID: 'me', EGAIN_CLIENT_SECRET: 'secret-from-env-1' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("names where the client secret is sent (profile p's tokenUrl)");
    expect(sim.requests.length).toBe(before);
  });

  it('a 2 MiB configuration file: exit 2 in well under a second, naming the file', async () => {
    const h = home(JSON.stringify({ profiles: {}, pad: 'x'.repeat(2 * 1024 * 1024) }));
    const started = Date.now();
    const r = await runCli(['get', 'J1', '--base-url', sim.baseUrl], { env: { XDG_CONFIG_HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${h}/export-status/config.json (larger than 1 MiB`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a configuration file linked to /dev/zero, and a token file that is a FIFO nobody writes: exit 2 at once', async () => {
    const h = home(undefined);
    symlinkSync('/dev/zero', join(h, 'export-status', 'config.json'));
    const zero = await runCli(['get', 'J1', '--base-url', sim.baseUrl], { env: { XDG_CONFIG_HOME: h } });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('(not a regular file)');
    const fifo = join(dir, `fifo-${process.pid}`);
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const r = await runCli([
      'watch',
      'J1',
      '--base-url',
      sim.baseUrl,
      '--token-file',
      fifo,
      '--timeout',
      '1s',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--token-file: cannot read ${JSON.stringify(fifo)} (not a regular file)`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('config shows a token command’s program, never its arguments', async () => {
    const h = home(
      JSON.stringify({
        profiles: { p: { tokenCommand: 'curl -s -H "X-Vault-Token: hvs.SECRET123" https://vault/t' } },
      }),
    );
    const r = await runCli(['config', '--profile', 'p'], { env: { XDG_CONFIG_HOME: h } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('token command: curl (its arguments hidden)');
    expect(r.stdout).not.toContain('hvs.SECRET123');
  });
});
