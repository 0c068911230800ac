import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';

// Numbers and dates are written one plain way, never through Intl: the first Intl object of a
// process loads ICU's data (tens of milliseconds, megabytes). Every constructor throws here.
const fx = useSimulator();
const real = globalThis.Intl;
const made: string[] = [];

beforeEach(() => {
  made.length = 0;
  const trap = (name: string) =>
    function (this: unknown) {
      made.push(name);
      throw new Error(`Intl.${name} was made`);
    };
  globalThis.Intl = {
    ...real,
    NumberFormat: trap('NumberFormat'),
    DateTimeFormat: trap('DateTimeFormat'),
    PluralRules: trap('PluralRules'),
    RelativeTimeFormat: trap('RelativeTimeFormat'),
    ListFormat: trap('ListFormat'),
    Collator: trap('Collator'),
    Segmenter: trap('Segmenter'),
  } as unknown as typeof Intl;
});
afterEach(() => {
  globalThis.Intl = real;
});

const env = { LANG: 'de_DE.UTF-8', TZ: 'Asia/Tokyo' };

describe('no Intl on any path', () => {
  it('watch in a pipe, in a terminal, as json and as ndjson; get; parse; demo', async () => {
    const base = ['--base-url', fx.sim.baseUrl, '--interval', '200ms'];
    const runs = [
      await fx.run(['watch', ...base, fx.id('success')], { env }),
      await fx.run(['watch', ...base, fx.id('failure'), '--json'], { env }),
      await fx.run(['watch', ...base, fx.id('success'), '-o', 'ndjson'], { env }),
      await fx.run(['get', '--base-url', fx.sim.baseUrl, fx.id('stuck')], { env }),
      await fx.run(['parse', '-'], {
        env,
        stdin: '{"status":"Successful","startTime":"2025-09-15T10:00:00Z","results":{"successful":4485}}',
      }),
      await fx.run(['demo', '--duration', '2s'], { env }),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 1, 0, 0, 0, 0]);
    expect(made).toEqual([]);
    // German locale, Tokyo's zone: the plain format, the zone's offset
    expect(runs[4]?.stdout).toContain('4,485 successful');
    expect(runs[4]?.stdout).toMatch(/Started {4}2025-09-15 \d\d:00:00 (UTC|[+-]\d\d:\d\d)/);
  });
});
