import { describe, expect, it } from 'vitest';
import { exportUrl, jobFromLocation, parseHttpUrl, resolveJob } from '../../src/api/urls.js';
import { refusal } from '../support/rules.js';

// Which URL a request goes to: the base URL, a job's status URL, the job a Location names.

const BASE = new URL('https://api.test/knowledge/portalmgr/v4');

describe('parseHttpUrl', () => {
  it.each(['https://api.test/v4', 'http://127.0.0.1:8080/', 'HTTPS://API.TEST'])('%s is taken', (text) => {
    expect(parseHttpUrl(text, 'base URL').href).toBe(new URL(text).href);
  });

  it.each([
    ['api.test/v4', 'base URL: not a URL: "api.test/v4"'],
    ['ftp://api.test/', 'base URL: expected an http:// or https:// URL, got "ftp://api.test/"'],
    ['file:///etc/passwd', 'base URL: expected an http:// or https:// URL, got "file:///etc/passwd"'],
    [
      'https://user:pw@api.test/',
      'base URL: credentials do not belong in the URL; give them as a credential source',
    ],
    [
      'https://user@api.test/',
      'base URL: credentials do not belong in the URL; give them as a credential source',
    ],
    [
      'https://:pw@api.test/',
      'base URL: credentials do not belong in the URL; give them as a credential source',
    ],
  ])('%s: %s', (text, says) => {
    expect(refusal(() => parseHttpUrl(text, 'base URL'))).toBe(says);
  });
});

describe('resolveJob', () => {
  it.each([
    ['7A84B875', 'https://api.test/knowledge/portalmgr/v4/content/export/7A84B875/status', '7A84B875'],
    [' J1 ', 'https://api.test/knowledge/portalmgr/v4/content/export/J1/status', 'J1'],
    ['a/b?c#d', 'https://api.test/knowledge/portalmgr/v4/content/export/a%2Fb%3Fc%23d/status', 'a/b?c#d'],
    ['...', 'https://api.test/knowledge/portalmgr/v4/content/export/.../status', '...'],
    ['9j://x', 'https://api.test/knowledge/portalmgr/v4/content/export/9j%3A%2F%2Fx/status', '9j://x'],
  ])('the ID %j → %s', (arg, url, id) => {
    expect(resolveJob(arg, BASE)).toEqual({ id, url });
  });

  it('keeps the base URL query, drops its fragment and doubled slashes', () => {
    expect(resolveJob('J1', new URL('https://api.test/v4//?tenant=a#top')).url).toBe(
      'https://api.test/v4/content/export/J1/status?tenant=a',
    );
    expect(exportUrl(new URL('https://api.test/v4/?t=1')).href).toBe(
      'https://api.test/v4/content/export?t=1',
    );
  });

  it.each([
    ['https://other.test/x/content/export/J9/status', 'J9'],
    ['https://other.test/x/content/export/J%209', 'J 9'],
    ['https://other.test/status', 'status'],
    ['http://other.test/x/%E0%A4%A/status', '%E0%A4%A'],
    ['HTTP://other.test/j/J7/status', 'J7'],
    ['https://other.test/J8/status', 'J8'],
  ])('a status URL %s is polled as given, its ID read from it: %s', (arg, id) => {
    expect(resolveJob(arg, BASE)).toEqual({ id, url: new URL(arg).href });
  });

  it('a URL without a path names itself', () => {
    expect(resolveJob('https://other.test', BASE)).toEqual({
      id: 'https://other.test/',
      url: 'https://other.test/',
    });
  });

  it.each([
    ['', 'a job ID is empty'],
    ['  ', 'a job ID is empty'],
    ['J\u00071', 'job ID "J\\u00071" contains control characters'],
    ['J\n1', 'job ID "J\\n1" contains control characters'],
    ['J\u007f', 'job ID "J\u007f" contains control characters'],
    ['.', '"." is not a job ID'],
    ['..', '".." is not a job ID'],
    ['ftp://x.test/j', 'job URL "ftp://x.test/j": expected an http:// or https:// URL, got "ftp://x.test/j"'],
  ])('%j is refused: %s', (arg, says) => {
    expect(refusal(() => resolveJob(arg, BASE))).toBe(says);
  });
});

describe('jobFromLocation: the job a 202 names, always polled at the base URL', () => {
  const at = (id: string) => ({
    id,
    url: `https://api.test/knowledge/portalmgr/v4/content/export/${id}/status`,
  });
  it.each([
    ['/knowledge/portalmgr/v4/content/export/7A84B875-6F75', at('7A84B875-6F75')],
    ['/knowledge/portalmgr/v4/content/export/J1/status', at('J1')],
    ['/knowledge/portalmgr/v4/content/export/J1/', at('J1')],
    ['content/export/J1', at('J1')],
    ['https://elsewhere.test/v4/content/export/J1/status', at('J1')],
    ['/content/export/a.b_c~d', at('a.b_c~d')],
    ['/content/export/export/content/export/J2', at('J2')],
    [`/content/export/${'x'.repeat(200)}`, at('x'.repeat(200))],
  ])('%s → %j', (location, job) => {
    expect(jobFromLocation(location, BASE)).toEqual(job);
  });

  it.each([
    '/knowledge/portalmgr/v4/content/export',
    '/content/export/J1/status/extra',
    '/content/export/J1/other',
    '/content/exports/J1',
    '/contents/export/J1',
    '/export/J1',
    'export/J1',
    '/content/export/-rf',
    '/content/export/.',
    '/content/export/..',
    '/content/export/%2E%2E',
    '/content/export/J%0A1',
    '/content/export/::error::x',
    '/content/export/J%201',
    `/content/export/${'x'.repeat(201)}`,
    'http://[bad',
  ])('%s names no job', (location) => {
    expect(jobFromLocation(location, BASE)).toBeUndefined();
  });
});
