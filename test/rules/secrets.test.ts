import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/api/urls.js';
import { refusePlainHttp, requireCredential } from '../../src/rules/secrets.js';
import { KEYS, refusal } from '../support/rules.js';

// The secret policy: a secret goes over plain http:// only to this machine, and a host that is
// not this machine is never asked anything without a credential.

/** Hosts as URL parsing writes them (`new URL(...).hostname`). */
const host = (url: string) => new URL(url).hostname;

describe('isLoopback: this machine, and nothing that only looks like it', () => {
  it.each([
    'http://localhost/',
    'http://LOCALHOST/',
    'http://api.localhost/',
    'http://127.0.0.1/',
    'http://127.255.255.254/',
    'http://127.1.2.3:8080/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:7fff:ffff]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
  ])('%s is this machine', (url) => {
    expect(isLoopback(host(url))).toBe(true);
  });

  it.each([
    'http://evillocalhost/',
    'http://localhost.evil.test/',
    'http://localhostx/',
    'http://128.0.0.1/',
    'http://126.0.0.1/',
    'http://10.0.0.1/',
    'http://0.0.0.0/',
    'http://[::2]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:8000:1]/',
    'http://[::ffff:7e00:1]/',
    'http://127.0.0.1.evil.test/',
    'http://api.remote.test/',
  ])('%s is not', (url) => {
    expect(isLoopback(host(url))).toBe(false);
  });

  it('takes a hostname with or without brackets, in any case', () => {
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('[::FFFF:7F00:1]')).toBe(true);
    expect(isLoopback('127.0.0.1x')).toBe(false);
    expect(isLoopback('x127.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:7f00:1:2')).toBe(false);
    expect(isLoopback('::ffff:127.0.0.1.5')).toBe(false);
    expect(isLoopback('1::ffff:127.0.0.1')).toBe(false);
    expect(isLoopback('local[host')).toBe(false);
    expect(isLoopback('local]host')).toBe(false);
    expect(isLoopback('::ffff:127.0.0.1\nevil.test')).toBe(false);
    expect(isLoopback('::ffff:a7f00:1')).toBe(false);
  });

  it('the dotted IPv4-mapped form, as a hostname not normalised by URL parsing', () => {
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:127.10.200.30')).toBe(true);
    expect(isLoopback('::ffff:127.1')).toBe(false);
    expect(isLoopback('::ffff:127.0.0.1000')).toBe(false);
    expect(isLoopback('::ffff:1127.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:127.a.b.c')).toBe(false);
  });
});

describe('refusePlainHttp', () => {
  const token = (url: string) => ({ url: new URL(url), secret: 'the token' as const });
  const secret = (url: string) => ({ url: new URL(url), secret: 'the client secret' as const });

  it.each([
    [[token('https://api.remote.test/v4')], undefined],
    [[token('http://127.0.0.1:8080/v4')], undefined],
    [[token('http://localhost/v4'), secret('https://login.test/token')], undefined],
    [
      [token('http://api.remote.test:8080/v4')],
      'refusing to send the token over plain http:// to api.remote.test:8080; use https://, or insecureHttp if you really mean it',
    ],
    [
      [token('https://api.remote.test/v4'), secret('http://login.remote.test/token')],
      'refusing to send the client secret over plain http:// to login.remote.test; use https://, or insecureHttp if you really mean it',
    ],
    [
      [token('http://one.test/'), secret('http://two.test/')],
      'refusing to send the token over plain http:// to one.test; use https://, or insecureHttp if you really mean it',
    ],
  ])('%j → %s', (destinations, says) => {
    if (says === undefined) expect(() => refusePlainHttp(destinations, false, KEYS)).not.toThrow();
    else expect(refusal(() => refusePlainHttp(destinations, false, KEYS))).toBe(says);
  });

  it('the opt-in lets a secret go anywhere over http', () => {
    expect(() => refusePlainHttp([token('http://api.remote.test/')], true, KEYS)).not.toThrow();
  });
});

describe('requireCredential', () => {
  const urls = (...list: string[]) => list.map((u) => new URL(u));
  it.each([
    [urls('http://127.0.0.1/v4'), false, undefined],
    [urls('http://localhost/v4', 'http://[::1]/v4'), false, undefined],
    [urls('https://api.remote.test/v4'), true, undefined],
    [urls('https://api.remote.test/v4'), false, 'no credential for api.remote.test: set a credential'],
    [
      urls('http://127.0.0.1/v4', 'https://b.test:8443/'),
      false,
      'no credential for b.test:8443: set a credential',
    ],
  ])('%j with a credential: %s → %s', (apiUrls, has, says) => {
    if (says === undefined) expect(() => requireCredential(apiUrls, has, KEYS)).not.toThrow();
    else expect(refusal(() => requireCredential(apiUrls, has, KEYS))).toBe(says);
  });
});
