import { describe, expect, it } from 'vitest';
import { exportUrl, isLoopback, resolveJob } from '../src/api/urls.js';
import { parseHeader } from '../src/cli/header.js';
import type { Flags } from '../src/cli/program.js';
import { type Config, resolveConfig } from '../src/cli/resolve.js';
import { CLI_WORDS } from '../src/cli/words.js';
import { UsageError } from '../src/core/errors.js';
import type { ConfigSources } from '../src/deps.js';

/** A token in the environment: the API by default is remote, and asks for one. */
const WITH_TOKEN = { EGAIN_ACCESS_TOKEN: 'env-token' };

function sources(
  env: Record<string, string> = WITH_TOKEN,
  files: Record<string, [string, number]> = {},
): ConfigSources {
  return {
    env,
    readTextFile: async (path: string) => {
      const f = files[path];
      if (!f) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return f[0];
    },
    fileMode: async (path: string) => files[path]?.[1],
    // these files are their modes alone: no owner, no directories above them
    whoCanChange: async (path: string) => {
      const mode = files[path]?.[1];
      return mode !== undefined && (mode & 0o022) !== 0
        ? `others can write it (mode ${mode.toString(8)})`
        : undefined;
    },
  };
}

type Polling = Extract<Config, { command: 'watch' | 'get' }>;

async function resolve(
  args: string[],
  flags: Flags = {},
  from: ConfigSources = sources(),
  command: 'watch' | 'get' = 'watch',
): Promise<Polling> {
  const config = await resolveConfig({ command, args, flags }, from);
  if (config.command !== command) throw new Error(`resolved ${config.command}`);
  return config as Polling;
}

describe('resolving the configuration', () => {
  it('uses the default base URL and language, and the defaults in core/defaults.ts', async () => {
    const c = await resolve(['J1']);
    expect(c.jobs).toEqual([
      { id: 'J1', url: 'https://api.aidev.egain.cloud/knowledge/portalmgr/v4/content/export/J1/status' },
    ]);
    expect(c.api.connection.language).toBe('en-US');
    expect(c.api.connection.credential).toEqual({
      kind: 'fixed',
      token: 'env-token',
      source: 'EGAIN_ACCESS_TOKEN',
    });
    expect(c.watch.rules).toMatchObject({
      once: false,
      intervalMs: 5000,
      requestTimeoutMs: 30_000,
      maxRetries: 10,
    });
    expect(c.watch).toMatchObject({ concurrency: 4, output: 'text', notifyAfterMs: 60_000 });
  });

  it('flags win over the environment', async () => {
    const env = {
      EXPORT_STATUS_BASE_URL: 'https://env.example/v4',
      EXPORT_STATUS_LANGUAGE: 'de-DE',
      EGAIN_ACCESS_TOKEN: 'env-token',
    };
    const fromEnv = await resolve(['J1'], {}, sources(env));
    expect(fromEnv.jobs[0]?.url).toBe('https://env.example/v4/content/export/J1/status');
    expect(fromEnv.api.connection).toMatchObject({
      language: 'de-DE',
      credential: { kind: 'fixed', token: 'env-token' },
    });
    const files = { '/t': ['file-token\n', 0o600] as [string, number] };
    const fromFlags = await resolve(
      ['J1'],
      { baseUrl: 'https://flag.example/v4/', language: 'fr-CA', tokenFile: '/t' },
      sources(env, files),
    );
    expect(fromFlags.jobs[0]?.url).toBe('https://flag.example/v4/content/export/J1/status');
    expect(fromFlags.api.connection).toMatchObject({
      language: 'fr-CA',
      credential: { kind: 'file', path: '/t', token: 'file-token' },
    });
    expect(fromFlags.watch.warnings).toEqual([]);
  });

  it('--insecure-http allows a token over plain http to another host', async () => {
    const env = { EGAIN_ACCESS_TOKEN: 't' };
    await expect(resolve(['J'], { baseUrl: 'http://h.example' }, sources(env))).rejects.toThrow(UsageError);
    const c = await resolve(['J'], { baseUrl: 'http://h.example', insecureHttp: true }, sources(env));
    expect(c.api.connection.credential).toEqual({ kind: 'fixed', token: 't', source: 'EGAIN_ACCESS_TOKEN' });
    // no credential at all for a remote API is a mistake found before any request
    await expect(resolve(['J'], { baseUrl: 'http://h.example' }, sources({}))).rejects.toThrow(
      'no credential for h.example: set EGAIN_ACCESS_TOKEN, --token-file, --token-command, or client credentials',
    );
    // an API on this machine (the simulator) may ask for none
    const local = await resolve(['J'], { baseUrl: 'http://127.0.0.1:9/v4' }, sources({}));
    expect(local.api.connection.credential).toEqual({ kind: 'none' });
  });

  it('the same job twice is a usage error', async () => {
    await expect(resolve(['J', 'J'])).rejects.toThrow('given more than once');
  });

  it('get polls once: it has no schedule and no notification', async () => {
    const c = await resolve(['J'], { timeout: 1000 }, sources(), 'get');
    expect(c.watch.rules).toEqual({ once: true, maxRetries: 10, requestTimeoutMs: 30_000, failOn: 'never' });
    expect(c.watch.notifyAfterMs).toBeUndefined();
  });

  it('--interval auto takes its bounds from the flags or the defaults, and checks them', async () => {
    const auto = await resolve(['J'], { interval: 'auto' });
    expect(auto.watch.rules).toMatchObject({ intervalMs: 2000, adaptive: { minMs: 2000, maxMs: 60_000 } });
    await expect(resolve(['J'], { interval: 5000, minInterval: 1000 })).rejects.toThrow(
      'only apply with --interval auto',
    );
    await expect(resolve(['J'], { interval: 'auto', minInterval: 9000, maxInterval: 3000 })).rejects.toThrow(
      'must not be longer than --max-interval',
    );
  });

  it('demo and serve take their own defaults; demo runs watch rules with a short request timeout', async () => {
    const demo = await resolveConfig({ command: 'demo', args: [], flags: {} }, sources());
    expect(demo).toMatchObject({
      command: 'demo',
      scenario: 'success',
      simulator: { host: '127.0.0.1', port: 0, durationMs: 15_000, slowMs: 3000 },
      watch: {
        rules: { once: false, intervalMs: 1000, requestTimeoutMs: 2000, maxRetries: 10 },
        concurrency: 4,
      },
    });
    const serve = await resolveConfig(
      { command: 'serve', args: [], flags: { port: 0, clientId: 'c', clientSecret: 's', tokenTtl: 2000 } },
      sources(),
    );
    expect(serve).toMatchObject({
      simulator: {
        host: '127.0.0.1',
        port: 0,
        durationMs: 20_000,
        slowMs: 35_000,
        clientId: 'c',
        clientSecret: 's',
        tokenTtlMs: 2000,
      },
    });
  });

  it('--json contradicts --output ndjson', async () => {
    await expect(
      resolveConfig({ command: 'parse', args: [], flags: { json: true, output: 'ndjson' } }, sources()),
    ).rejects.toThrow('--json contradicts --output ndjson');
  });

  it('takes one credential source: flags beat the environment, which beats the profile', async () => {
    const files = {
      '/t': ['file-token', 0o600] as [string, number],
      '/home/u/.config/export-status/config.json': [
        JSON.stringify({ profiles: { prod: { tokenCommand: 'get-token prod' } }, defaultProfile: 'prod' }),
        0o600,
      ] as [string, number],
    };
    const home = { HOME: '/home/u' };
    const fromProfile = await resolve(['J'], {}, sources(home, files));
    expect(fromProfile.api).toMatchObject({
      profile: 'prod',
      connection: { credential: { kind: 'command', command: 'get-token prod' } },
    });
    const fromEnv = await resolve(
      ['J'],
      {},
      sources({ ...home, EXPORT_STATUS_TOKEN_COMMAND: 'env-cmd' }, files),
    );
    expect(fromEnv.api.connection.credential).toEqual({
      kind: 'command',
      command: 'env-cmd',
      source: 'EXPORT_STATUS_TOKEN_COMMAND',
    });
    const fromFlag = await resolve(
      ['J'],
      { tokenFile: '/t' },
      sources({ ...home, EGAIN_ACCESS_TOKEN: 'x' }, files),
    );
    expect(fromFlag.api.connection.credential).toMatchObject({ kind: 'file', token: 'file-token' });
  });

  it('two credential sources given as flags, or in the environment, are a usage error naming both', async () => {
    const files = { '/t': ['t', 0o600] as [string, number] };
    await expect(resolve(['J'], { tokenFile: '/t', tokenCommand: 'x' }, sources({}, files))).rejects.toThrow(
      'two credential sources in the flags: --token-file and --token-command; give one',
    );
    await expect(
      resolve(['J'], {}, sources({ EGAIN_ACCESS_TOKEN: 't', EGAIN_CLIENT_ID: 'c' })),
    ).rejects.toThrow(
      'two credential sources in the environment: EGAIN_ACCESS_TOKEN and EGAIN_CLIENT_ID/EGAIN_CLIENT_SECRET',
    );
  });

  it('client credentials: every part named when missing, the secret never to plain http elsewhere', async () => {
    await expect(resolve(['J'], {}, sources({ EGAIN_CLIENT_ID: 'c' }))).rejects.toThrow(
      'client credentials (from the environment) lack the client secret (--client-secret-file or EGAIN_CLIENT_SECRET), the token URL (--token-url or EGAIN_TOKEN_URL)',
    );
    const env = {
      EGAIN_CLIENT_ID: 'c',
      EGAIN_CLIENT_SECRET: 's3cret',
      EGAIN_TOKEN_URL: 'http://login.example/t',
    };
    await expect(resolve(['J'], {}, sources(env))).rejects.toThrow(
      'refusing to send the client secret over plain http:// to login.example',
    );
    const ok = await resolve(
      ['J'],
      { scope: 'api.default' },
      sources({ ...env, EGAIN_TOKEN_URL: 'https://login.example/t' }),
    );
    expect(ok.api.connection.credential).toMatchObject({
      kind: 'client',
      clientId: 'c',
      clientSecret: 's3cret',
      scope: 'api.default',
      tokenUrl: new URL('https://login.example/t'),
      tokenUrlFrom: 'EGAIN_TOKEN_URL',
    });
  });

  it('profiles: an unknown one lists those that exist; a bad file is named with what is wrong where', async () => {
    const file = '/x/export-status/config.json';
    const at = (content: string) =>
      sources({ XDG_CONFIG_HOME: '/x', EGAIN_ACCESS_TOKEN: 't' }, { [file]: [content, 0o600] });
    const two = JSON.stringify({ profiles: { a: {}, b: { baseUrl: 'https://b.example/v4' } } });
    await expect(resolve(['J'], { profile: 'c' }, at(two))).rejects.toThrow(
      `profile "c" (from --profile) does not exist; the profiles in ${file} are: a, b`,
    );
    const b = await resolve(
      ['J'],
      {},
      sources(
        { XDG_CONFIG_HOME: '/x', EXPORT_STATUS_PROFILE: 'b', EGAIN_ACCESS_TOKEN: 't' },
        { [file]: [two, 0o600] },
      ),
    );
    expect(b.jobs[0]?.url).toBe('https://b.example/v4/content/export/J/status');
    await expect(resolve(['J'], {}, at('{"profiles":'))).rejects.toThrow(`${file} is not valid JSON`);
    await expect(resolve(['J'], {}, at('{"profiles":{"a":{"baseURL":"x","tokenFile":3}}}'))).rejects.toThrow(
      /profiles\.a\.tokenFile: expected a string, got 3\n\s+profiles\.a: unexpected field "baseURL"/,
    );
    // asked for by name with no file at all
    await expect(
      resolve(['J'], { profile: 'a' }, sources({ XDG_CONFIG_HOME: '/none', EGAIN_ACCESS_TOKEN: 't' })),
    ).rejects.toThrow('cannot read the configuration file /none/export-status/config.json (no such file)');
  });

  it('a configuration file others can read that names a secret file gets a warning', async () => {
    const file = '/x/export-status/config.json';
    const content = JSON.stringify({ defaultProfile: 'p', profiles: { p: { tokenFile: '/t' } } });
    const c = await resolve(
      ['J'],
      {},
      sources({ XDG_CONFIG_HOME: '/x' }, { [file]: [content, 0o644], '/t': ['tok', 0o600] }),
    );
    expect(c.watch.warnings).toEqual([
      `the configuration file ${file} names a secret file and can be read by other users; chmod 600 it`,
    ]);
  });

  it("--language takes the API's 15 codes, in any case, and lists them otherwise", async () => {
    expect((await resolve(['J'], { language: 'FR-ca' })).api.connection.language).toBe('fr-CA');
    await expect(resolve(['J'], { language: 'en-GB' })).rejects.toThrow(
      '--language: the export API takes en-US, es-ES, fr-FR, it-IT, de-DE, nl-NL, pt-BR, pt-PT, da-DK, ru-RU, fr-CA, zh-CN, ja-JP, ko-KR, sv-SE; got "en-GB"',
    );
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['[::1]', true],
    ['api.localhost', true],
    ['10.0.0.1', false],
    ['example.com', false],
    ['127.0.0.1.example.com', false],
    // IPv4-mapped IPv6 counts as the IPv4 address it maps, as URL parsing writes it and as typed
    [new URL('http://[::ffff:127.0.0.1]/').hostname, true],
    [new URL('http://[0:0:0:0:0:ffff:127.0.0.2]/').hostname, true],
    ['::ffff:127.0.0.1', true],
    [new URL('http://[::ffff:10.0.0.1]/').hostname, false],
    [new URL('http://[::ffff:8.8.8.8]/').hostname, false],
    ['[::ffff:ffff:1]', false],
  ])('isLoopback(%s) = %s', (host, want) => {
    expect(isLoopback(host)).toBe(want);
  });

  it('resolves IDs as one encoded segment and URLs as given', () => {
    const base = new URL('https://api.example/v4');
    expect(resolveJob('a/b c', base)).toEqual({
      id: 'a/b c',
      url: 'https://api.example/v4/content/export/a%2Fb%20c/status',
    });
    expect(resolveJob('https://x.example/content/export/ID%201/status', base)).toEqual({
      id: 'ID 1',
      url: 'https://x.example/content/export/ID%201/status',
    });
  });

  it('parses headers and refuses the dangerous ones', () => {
    expect(parseHeader('X-Trace:  abc ', CLI_WORDS)).toEqual(['X-Trace', 'abc']);
    expect(() => parseHeader('no colon', CLI_WORDS)).toThrow('expected "Name: value"');
    expect(() => parseHeader('Bad Name: x', CLI_WORDS)).toThrow('not a valid header name');
    expect(() => parseHeader('Host: evil', CLI_WORDS)).toThrow('cannot be set');
    expect(() => parseHeader('X-A: a\r\nInjected: 1', CLI_WORDS)).toThrow('control character');
  });
});

describe('base URLs with a query or a fragment', () => {
  it('keep their path and query for status and export URLs', async () => {
    const c = await resolve(['J1'], { baseUrl: 'https://h.example/v4?tenant=a#top' });
    expect(c.jobs[0]?.url).toBe('https://h.example/v4/content/export/J1/status?tenant=a');
    expect(exportUrl(new URL('https://h.example/v4/?tenant=a')).href).toBe(
      'https://h.example/v4/content/export?tenant=a',
    );
  });
});

describe('secret files saved by editors', () => {
  it('a token file with a byte-order mark and CRLF gives the token alone', async () => {
    const files = { '/t': ['\uFEFFtok-123\r\n', 0o600] as [string, number] };
    const c = await resolve(['J'], { tokenFile: '/t' }, sources({}, files));
    expect(c.api.connection.credential).toEqual({
      kind: 'file',
      path: '/t',
      token: 'tok-123',
      source: '--token-file /t',
    });
  });

  it('surrounding whitespace is dropped at start as on every read again: one rule for the token file', async () => {
    const files = { '/t': ['  tok-123 \t\n\n', 0o600] as [string, number] };
    const c = await resolve(['J'], { tokenFile: '/t' }, sources({}, files));
    expect(c.api.connection.credential).toMatchObject({ token: 'tok-123' });
  });
});
