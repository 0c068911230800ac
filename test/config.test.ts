import { describe, expect, it } from 'vitest';
import {
  type ConfigSources,
  isLoopback,
  parseHeader,
  pollConfig,
  resolveJob,
  UsageError,
} from '../src/cli/config.js';
import type { PollOpts } from '../src/cli/program.js';

const opts: PollOpts = {
  output: 'text',
  color: true,
  interval: 5000,
  requestTimeout: 30_000,
  maxRetries: 10,
  failOn: 'never',
  header: [],
  concurrency: 4,
};

function sources(
  env: Record<string, string> = {},
  files: Record<string, [string, number]> = {},
): ConfigSources {
  return {
    env,
    readTextFile: async (path) => {
      const f = files[path];
      if (!f) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return f[0];
    },
    fileMode: async (path) => files[path]?.[1],
  };
}

describe('config', () => {
  it('uses the default base URL, language and no token', async () => {
    const c = await pollConfig(['J1'], opts, 'watch', sources());
    expect(c.jobs).toEqual([
      { id: 'J1', url: 'https://api.aidev.egain.cloud/knowledge/portalmgr/v4/content/export/J1/status' },
    ]);
    expect(c.language).toBe('en-US');
    expect(c.token).toBeUndefined();
  });

  it('flags win over the environment', async () => {
    const env = {
      EXPORT_STATUS_BASE_URL: 'https://env.example/v4',
      EXPORT_STATUS_LANGUAGE: 'de-DE',
      EGAIN_ACCESS_TOKEN: 'env-token',
    };
    const fromEnv = await pollConfig(['J1'], opts, 'watch', sources(env));
    expect(fromEnv.jobs[0]?.url).toBe('https://env.example/v4/content/export/J1/status');
    expect(fromEnv).toMatchObject({ language: 'de-DE', token: 'env-token' });
    const files = { '/t': ['file-token\n', 0o600] as [string, number] };
    const fromFlags = await pollConfig(
      ['J1'],
      { ...opts, baseUrl: 'https://flag.example/v4/', language: 'fr-CA', tokenFile: '/t' },
      'watch',
      sources(env, files),
    );
    expect(fromFlags.jobs[0]?.url).toBe('https://flag.example/v4/content/export/J1/status');
    expect(fromFlags).toMatchObject({ language: 'fr-CA', token: 'file-token', warnings: [] });
  });

  it('--insecure-http allows a token over plain http to another host', async () => {
    const env = { EGAIN_ACCESS_TOKEN: 't' };
    await expect(
      pollConfig(['J'], { ...opts, baseUrl: 'http://h.example' }, 'watch', sources(env)),
    ).rejects.toThrow(UsageError);
    const c = await pollConfig(
      ['J'],
      { ...opts, baseUrl: 'http://h.example', insecureHttp: true },
      'watch',
      sources(env),
    );
    expect(c.token).toBe('t');
    // no token, nothing to protect
    await expect(
      pollConfig(['J'], { ...opts, baseUrl: 'http://h.example' }, 'watch', sources()),
    ).resolves.toBeTruthy();
  });

  it('the same job twice is a usage error', async () => {
    await expect(pollConfig(['J', 'J'], opts, 'watch', sources())).rejects.toThrow('given more than once');
  });

  it('get ignores --timeout and polls once', async () => {
    const c = await pollConfig(['J'], { ...opts, timeout: 1000 }, 'get', sources());
    expect(c.settings).toMatchObject({ once: true, timeoutMs: undefined });
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
