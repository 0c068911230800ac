import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';

// Profiles: several tenants in one configuration file, picked by --profile or EXPORT_STATUS_PROFILE.
const fx = useSimulator({ clientId: 'tenant-b', clientSecret: 'secret-of-b-77f1', tokenTtlMs: 60_000 });
const { run, id } = fx;

function configHome(config: (simBase: string, tokenUrl: string, secretFile: string) => unknown): string {
  const home = mkdtempSync(join(tmpdir(), 'export-status-profiles-'));
  mkdirSync(join(home, 'export-status'));
  const secretFile = join(home, 'b.secret');
  writeFileSync(secretFile, 'secret-of-b-77f1\n', { mode: 0o600 });
  writeFileSync(
    join(home, 'export-status', 'config.json'),
    JSON.stringify(config(fx.sim.baseUrl, fx.sim.tokenUrl, secretFile)),
    { mode: 0o600 },
  );
  return home;
}

const twoTenants = (base: string, tokenUrl: string, secretFile: string) => ({
  defaultProfile: 'a',
  profiles: {
    a: { baseUrl: 'https://a.example/v4', tokenCommand: 'echo token-a' },
    b: { baseUrl: base, tokenUrl, clientId: 'tenant-b', clientSecretFile: secretFile, scope: 'b.default' },
  },
});

describe('profiles', () => {
  it('--profile picks a tenant: its base URL and client credentials watch its export', async () => {
    const home = configHome(twoTenants);
    const r = await run(['watch', id('success'), '--profile', 'b', '--interval', '500ms'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Successful');
    expect(r.stdout + r.stderr).not.toContain('secret-of-b-77f1');
  });

  it('an unknown profile is a usage error listing the profiles that exist', async () => {
    const home = configHome(twoTenants);
    const r = await run(['get', 'J1'], { env: { XDG_CONFIG_HOME: home, EXPORT_STATUS_PROFILE: 'c' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profile "c" (from EXPORT_STATUS_PROFILE) does not exist; the profiles in');
    expect(r.stderr).toContain('are: a, b');
  });

  it('config lists the profiles, the one in use and where each value comes from, without secrets', async () => {
    const home = configHome(twoTenants);
    const r = await run(['config', '--profile', 'b'], {
      env: { XDG_CONFIG_HOME: home, EXPORT_STATUS_LANGUAGE: 'de-DE' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Profiles: a, b');
    expect(r.stdout).toContain('In use: b (from --profile)');
    expect(r.stdout).toMatch(/base URL +http:\/\/127\.0\.0\.1:\d+\/knowledge\/portalmgr\/v4 +profile b/);
    expect(r.stdout).toMatch(/language +de-DE +environment \(EXPORT_STATUS_LANGUAGE\)/);
    expect(r.stdout).toMatch(/credential +OAuth client credentials +profile b/);
    expect(r.stdout).toMatch(/scope +b\.default +profile b/);
    expect(r.stdout).not.toContain('secret-of-b-77f1');
    const flagWins = await run(['profiles', '--token-command', 'x'], { env: { XDG_CONFIG_HOME: home } });
    expect(flagWins.stdout).toContain('In use: a (from defaultProfile)');
    expect(flagWins.stdout).toMatch(/credential +token command: x +flag \(--token-command\)/);
  });
});

describe('a profile’s values are checked when it is read', () => {
  it('a bad language is blamed on the profile and its field, not on a flag nobody gave', async () => {
    const home = configHome(() => ({ profiles: { p: { language: 'en' } } }));
    const r = await run(['get', 'J1', '--base-url', fx.sim.baseUrl, '--profile', 'p'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`profile "p", language: the export API takes en-US`);
    expect(r.stderr).not.toContain('--language');
    const config = await run(['config', '--profile', 'p'], { env: { XDG_CONFIG_HOME: home } });
    expect(config.code).toBe(2);
  });

  it('a token file under ~/ is read from the home directory; config says when there is no file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'export-status-profiles-home-'));
    mkdirSync(join(home, 'export-status'));
    writeFileSync(join(home, 'tok'), 'tok-from-home\n', { mode: 0o600 });
    writeFileSync(
      join(home, 'export-status', 'config.json'),
      JSON.stringify({ profiles: { h: { tokenFile: '~/tok' } } }),
      { mode: 0o600 },
    );
    const r = await run(['get', id('success'), '--base-url', fx.sim.baseUrl, '--profile', 'h'], {
      env: { XDG_CONFIG_HOME: home, HOME: home },
    });
    // read and sent (this simulator wants its own tokens, so it refuses it): not "cannot read ~/tok"
    expect(r.stderr).not.toContain('cannot read');
    expect(r.stdout).toContain('HTTP 401');
    const empty = mkdtempSync(join(tmpdir(), 'export-status-profiles-none-'));
    const none = await run(['config'], { env: { XDG_CONFIG_HOME: empty } });
    expect(none.stdout).toContain('(it does not exist: no profiles)');
  });
});

describe('config never shows a password in a URL', () => {
  it.each([
    ['the environment', ['config'], { EXPORT_STATUS_BASE_URL: 'https://user:PASSW0RD@api.test/v4' }],
    ['a flag', ['config', '--base-url', 'https://user:PASSW0RD@api.test/v4'], {}],
    ['a flag, as JSON', ['config', '--json', '--base-url', 'https://:PASSW0RD@api.test/v4'], {}],
    [
      'a token URL',
      ['config', '--token-url', 'https://me:PASSW0RD@login.test/t'],
      { EGAIN_CLIENT_ID: 'me', EGAIN_CLIENT_SECRET: 'x-secret-1234' },
    ],
  ])('from %s: hidden, and said to be refused', async (_, args, env) => {
    const r = await run(args, { env: { XDG_CONFIG_HOME: configHome(() => ({ profiles: {} })), ...env } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('PASSW0RD');
    expect(r.stdout).toContain('//***@');
    expect(r.stdout).toContain('(credentials in a URL are refused)');
  });
});

describe('config --json, and the configuration file’s schema', () => {
  it('gives the report as one JSON document, without a secret', async () => {
    const home = configHome(twoTenants);
    const r = await run(['config', '--json', '--profile', 'b'], { env: { XDG_CONFIG_HOME: home } });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      fileExists: true,
      profiles: ['a', 'b'],
      profile: { name: 'b', chosenBy: '--profile' },
    });
    expect(doc.settings.find((s: { setting: string }) => s.setting === 'base URL')).toMatchObject({
      from: 'profile b',
    });
    expect(r.stdout).not.toContain('secret-of-b-77f1');
  });

  it('schemas/config.schema.json is the configuration file’s schema as the CLI reads it', async () => {
    const { configJsonSchema } = await import('../../src/cli/profile.js');
    const { readFileSync } = await import('node:fs');
    const shipped = JSON.parse(
      readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'),
    );
    expect(shipped, 'schemas/config.schema.json is out of date: run npm run schemas').toEqual(
      configJsonSchema(),
    );
  });
});
