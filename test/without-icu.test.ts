import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DATE, makeFormatters, TIME } from '../src/render/format.js';
import { COMMA_THOUSANDS, isUtc, systemLocale, UTC_DATES } from '../src/render/without-icu.js';

// What is written without ICU must be what Intl writes: each hand-written format against Intl.
const NUMBERS = [
  0,
  7,
  42,
  999,
  1000,
  1500,
  4500,
  12_345,
  999_999,
  1_000_000,
  1_234_567,
  -1500,
  -1,
  2 ** 53 - 1,
];
const DATES = [
  '2026-01-01T00:00:00Z',
  '2026-11-28T00:05:09Z',
  '2026-11-28T11:59:59Z',
  '2026-11-28T12:00:00Z',
  '2026-11-28T12:30:00Z',
  '2026-11-28T23:59:59Z',
  '2024-02-29T07:08:09Z',
  '1999-12-31T23:00:00Z',
  ...Array.from(
    { length: 24 },
    (_, h) =>
      `2026-06-${String((h % 28) + 1).padStart(2, '0')}T${String(h).padStart(2, '0')}:0${h % 10}:1${h % 10}Z`,
  ),
];

/** Intl's own output, from a fresh Node with that environment (its default locale and zone). */
function intlIn(env: Record<string, string>, expression: string): string {
  return execFileSync(process.execPath, ['-p', expression], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  }).trim();
}

describe('numbers without ICU', () => {
  it.each([...COMMA_THOUSANDS])('%s: what Intl writes', (locale) => {
    const f = makeFormatters({ locale });
    const intl = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    for (const n of NUMBERS) expect(f.number(n)).toBe(intl.format(n));
  });

  it('leaves fractions, -0 and huge numbers to Intl', () => {
    const f = makeFormatters({ locale: 'en-US' });
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    for (const n of [12.5, 13.5, -0.4, -0, 1e21, 2 ** 60]) expect(f.number(n)).toBe(intl.format(n));
  });
});

describe('dates in UTC without ICU', () => {
  it.each(Object.keys(UTC_DATES))('%s: what Intl writes', (locale) => {
    const f = makeFormatters({ locale, timeZone: 'UTC' });
    const date = new Intl.DateTimeFormat(locale, { ...DATE, timeZone: 'UTC' });
    const time = new Intl.DateTimeFormat(locale, { ...TIME, timeZone: 'UTC' });
    for (const iso of DATES) {
      expect(f.date(iso)).toBe(date.format(new Date(iso)));
      expect(f.time(Date.parse(iso))).toBe(time.format(new Date(iso)));
    }
  });

  it('takes the zone from TZ as ICU does: the system default, written by hand, is what Intl writes', () => {
    const iso = '2026-11-28T19:05:09Z';
    for (const TZ of ['UTC', 'Etc/UTC']) {
      expect(isUtc(TZ)).toBe(true);
      const env = { TZ, LANG: 'en_US.UTF-8' };
      expect(makeFormatters({ env }).date(iso)).toBe(
        intlIn(env, `new Intl.DateTimeFormat(undefined, ${JSON.stringify(DATE)}).format(new Date('${iso}'))`),
      );
    }
    expect(isUtc('Europe/London')).toBe(false);
    expect(isUtc(undefined)).toBe(false);
  });
});

describe('systemLocale', () => {
  const cases: Array<Record<string, string>> = [
    {},
    { LANG: 'C' },
    { LANG: 'C.UTF-8' },
    { LANG: 'POSIX' },
    { LANG: 'en_US.UTF-8' },
    { LANG: 'en_GB.UTF-8' },
    { LANG: 'de_DE.UTF-8' },
    { LANG: 'ja_JP.UTF-8' },
    { LANG: 'en' },
    { LANG: '' },
    { LC_ALL: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' },
    { LC_MESSAGES: 'de_DE.UTF-8', LANG: 'en_US.UTF-8' },
    { LC_ALL: '', LANG: 'en_GB.UTF-8' },
    { LC_NUMERIC: 'de_DE.UTF-8', LANG: 'en_US.UTF-8' },
  ];
  it('names the locale ICU takes as the default, or leaves it to ICU', () => {
    for (const env of cases) {
      const icu = intlIn(env, 'Intl.NumberFormat().resolvedOptions().locale');
      // "und" (a variable set but empty) is ICU's own business: left to it.
      expect({ env, locale: systemLocale(env) }).toEqual({ env, locale: icu === 'und' ? undefined : icu });
    }
  });

  it('gives up on what it cannot read plainly', () => {
    expect(systemLocale({ LANG: 'en_US.UTF-8@euro' })).toBeUndefined();
    expect(systemLocale({ LANG: 'sr_RS@latin' })).toBeUndefined();
  });
});
