import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, judgeHostKey, refusal } from '../../src/delivery/known-hosts.js';

// An SFTP server's host key, judged as ssh judges it.

const KEY = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIGUl1k3m5zG0dO2yXc9QqTq7V7cI1w3pV0Yg2rN8hY1a', 'base64');
const OTHER = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOZ0tmR1x9JkYt3hY2FgG7m5y6K2Qm1b8o3o2nKc5H3X', 'base64');
const FP = fingerprintOf(KEY);
const line = (hosts: string, key = KEY) => `${hosts} ssh-ed25519 ${key.toString('base64')}`;
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

describe('fingerprintOf', () => {
  it('of a known key (the end-to-end test compares it with ssh-keygen -l’s)', () => {
    expect(fingerprintOf(KEY)).toBe('SHA256:i/ZR9K/EGGJJr7p6e3UhFGZywuGZvvin8+z65sUMhO0');
  });

  it('is ssh-keygen -l’s: SHA256: and unpadded base64', () => {
    expect(FP).toBe(`SHA256:${createHash('sha256').update(KEY).digest('base64').replace(/=+$/, '')}`);
    expect(FP).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('judgeHostKey', () => {
  it.each([
    [
      'a plain host name',
      line('files.example.com'),
      'files.example.com',
      22,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'one of several names',
      line('a.example.com,files.example.com,10.0.0.1'),
      'files.example.com',
      22,
      { ok: true, how: 'known_hosts' },
    ],
    [
      '[host]:port for another port',
      line('[127.0.0.1]:2222'),
      '127.0.0.1',
      2222,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'a hashed name',
      line(hashed('files.example.com')),
      'files.example.com',
      22,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'a hashed [host]:port',
      line(hashed('[127.0.0.1]:2222')),
      '127.0.0.1',
      2222,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'the same host on port 22 is not the one on 2222',
      line('127.0.0.1'),
      '127.0.0.1',
      2222,
      { ok: false, why: 'unknown', fingerprint: FP },
    ],
    [
      'no line for the host',
      line('other.example.com'),
      'files.example.com',
      22,
      { ok: false, why: 'unknown', fingerprint: FP },
    ],
    [
      'no known_hosts at all',
      undefined,
      'files.example.com',
      22,
      { ok: false, why: 'unknown', fingerprint: FP },
    ],
    [
      'the host with another key',
      line('files.example.com', OTHER),
      'files.example.com',
      22,
      { ok: false, why: 'changed', fingerprint: FP },
    ],
    [
      'another key, then the right one',
      `${line('h', OTHER)}\n${line('h')}`,
      'h',
      22,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'comments and blank lines are skipped',
      `# ${line('h')}\n\n  ${line('h')}  `,
      'h',
      22,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'a revoked key is refused',
      `@revoked ${line('h')}\n${line('h')}`,
      'h',
      22,
      { ok: false, why: 'changed', fingerprint: FP },
    ],
    [
      'a revoked other key does not matter',
      `@revoked ${line('h', OTHER)}\n${line('h')}`,
      'h',
      22,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'a cert-authority line is not a key of the host',
      `@cert-authority ${line('h')}`,
      'h',
      22,
      { ok: false, why: 'unknown', fingerprint: FP },
    ],
    ['a broken hashed field', line('|1|onlysalt'), 'h', 22, { ok: false, why: 'unknown', fingerprint: FP }],
    ['a line without a key', 'h ssh-ed25519', 'h', 22, { ok: false, why: 'unknown', fingerprint: FP }],
  ])('%s', (_, knownHosts, host, port, verdict) => {
    expect(judgeHostKey(KEY, host, port, [], knownHosts)).toEqual(verdict);
  });

  it('pinned fingerprints decide, whatever known_hosts says', () => {
    expect(judgeHostKey(KEY, 'h', 22, [FP], undefined)).toEqual({ ok: true, how: 'pinned' });
    expect(judgeHostKey(KEY, 'h', 22, [fingerprintOf(OTHER), FP], undefined)).toEqual({
      ok: true,
      how: 'pinned',
    });
    expect(judgeHostKey(KEY, 'h', 22, [fingerprintOf(OTHER)], line('h'))).toEqual({
      ok: false,
      why: 'not-pinned',
      fingerprint: FP,
    });
  });
});

describe('refusal', () => {
  it.each([
    [
      'unknown',
      `the host key of h (${FP}) is not in known_hosts; if it is right, pin it with --sftp-host-key ${FP} or add it with ssh-keyscan`,
    ],
    [
      'changed',
      `the host key of [h]:2222 (${FP}) is not the one known_hosts has for it: it has CHANGED (someone may be in the middle), refused`,
    ],
    ['not-pinned', `the host key of h (${FP}) is not the one pinned with --sftp-host-key, refused`],
  ] as const)('%s', (why, text) => {
    expect(refusal({ ok: false, why, fingerprint: FP }, 'h', why === 'changed' ? 2222 : 22)).toBe(text);
  });
});

describe('judgeHostKey at its edges', () => {
  it.each([
    [
      'a hashed name for another host',
      line(hashed('other.example.com')),
      { ok: false, why: 'unknown', fingerprint: FP },
    ],
    [
      'fields apart by several spaces and a tab',
      `h  ssh-ed25519\t${KEY.toString('base64')}`,
      { ok: true, how: 'known_hosts' },
    ],
    [
      'a comment that names the host',
      `#h ssh-ed25519 ${OTHER.toString('base64')}\n${line('h')}`,
      { ok: true, how: 'known_hosts' },
    ],
  ])('%s', (_, knownHosts, verdict) => {
    expect(judgeHostKey(KEY, 'h', 22, [], knownHosts)).toEqual(verdict);
  });
});
