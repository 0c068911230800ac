import { describe, expect, it } from 'vitest';
import { isLoopback, resolveJob } from '../src/api/urls.js';
import { parseHeader } from '../src/cli/header.js';
import type { Flags } from '../src/cli/program.js';
import { type Config, resolveConfig } from '../src/cli/resolve.js';
import { UsageError } from '../src/core/errors.js';
import type { ConfigSources } from '../src/deps.js';

function sources(
  env: Record<string, string> = {},
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
  it('uses the default base URL, language and no token, and the defaults in cli/defaults.ts', async () => {
    const c = await resolve(['J1']);
    expect(c.jobs).toEqual([
      { id: 'J1', url: 'https://api.aidev.egain.cloud/knowledge/portalmgr/v4/content/export/J1/status' },
    ]);
    expect(c.api.language).toBe('en-US');
    expect(c.api.token).toBeUndefined();
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
    expect(fromEnv.api).toMatchObject({ language: 'de-DE', token: 'env-token' });
    const files = { '/t': ['file-token\n', 0o600] as [string, number] };
    const fromFlags = await resolve(
      ['J1'],
      { baseUrl: 'https://flag.example/v4/', language: 'fr-CA', tokenFile: '/t' },
      sources(env, files),
    );
    expect(fromFlags.jobs[0]?.url).toBe('https://flag.example/v4/content/export/J1/status');
    expect(fromFlags.api).toMatchObject({ language: 'fr-CA', token: 'file-token' });
    expect(fromFlags.watch.warnings).toEqual([]);
  });

  it('--insecure-http allows a token over plain http to another host', async () => {
    const env = { EGAIN_ACCESS_TOKEN: 't' };
    await expect(resolve(['J'], { baseUrl: 'http://h.example' }, sources(env))).rejects.toThrow(UsageError);
    const c = await resolve(['J'], { baseUrl: 'http://h.example', insecureHttp: true }, sources(env));
    expect(c.api.token).toBe('t');
    // no token, nothing to protect
    await expect(resolve(['J'], { baseUrl: 'http://h.example' })).resolves.toBeTruthy();
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
    const serve = await resolveConfig({ command: 'serve', args: [], flags: { port: 0 } }, sources());
    expect(serve).toMatchObject({
      simulator: { host: '127.0.0.1', port: 0, durationMs: 20_000, slowMs: 35_000 },
    });
  });

  it('--json contradicts --output ndjson', async () => {
    await expect(
      resolveConfig({ command: 'parse', args: [], flags: { json: true, output: 'ndjson' } }, sources()),
    ).rejects.toThrow('--json contradicts --output ndjson');
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
    expect(parseHeader('X-Trace:  abc ')).toEqual(['X-Trace', 'abc']);
    expect(() => parseHeader('no colon')).toThrow('expected "Name: value"');
    expect(() => parseHeader('Bad Name: x')).toThrow('not a valid header name');
    expect(() => parseHeader('Host: evil')).toThrow('cannot be set');
    expect(() => parseHeader('X-A: a\r\nInjected: 1')).toThrow('control character');
  });
});
