import { describe, expect, it } from 'vitest';
import { DEFAULTS, MIN_INTERVAL_MS } from '../../src/core/defaults.js';
import { MAX_DURATION_MS } from '../../src/core/duration.js';
import {
  checkConcurrency,
  checkDeadline,
  checkHeader,
  checkLanguage,
  checkRules,
  checkUntil,
  MAX_RETRIES_LIMIT,
  type RuleSettings,
} from '../../src/rules/settings.js';
import { KEYS, refusal } from '../support/rules.js';

// The checks every front end's settings pass before any request, at both sides of each boundary.
// Settings are named by their keys here; the front ends' own words are tested with them.

const watchRules = (settings: RuleSettings) => checkRules(settings, KEYS, false);

describe('durations: each at least its minimum and at most a year, finite numbers only', () => {
  const minimums: [keyof RuleSettings, number][] = [
    ['interval', MIN_INTERVAL_MS],
    ['requestTimeout', MIN_INTERVAL_MS],
    ['waitForCreate', 1],
    ['timeout', 1],
    ['stallTimeout', 1],
  ];
  it.each(minimums)('%s: %d ms accepted, one less refused', (name, min) => {
    const rules = watchRules({ [name]: min });
    expect(Object.values(rules)).toContain(min);
    expect(refusal(() => watchRules({ [name]: min - 1 }))).toBe(
      `${name}: at least ${min}ms, got ${min - 1}ms`,
    );
  });

  it.each(minimums.map(([name]) => name))('%s: a year accepted, a millisecond more refused', (name) => {
    expect(Object.values(watchRules({ [name]: MAX_DURATION_MS }))).toContain(MAX_DURATION_MS);
    expect(refusal(() => watchRules({ [name]: MAX_DURATION_MS + 1 }))).toContain(`${name}: at most a year`);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, '5s', null, true])(
    'timeout %s is not a duration',
    (value) => {
      expect(refusal(() => watchRules({ timeout: value }))).toMatch(/^timeout: expected milliseconds, got /);
    },
  );

  it('a fractional duration is rounded to whole milliseconds', () => {
    expect(watchRules({ timeout: 1500.6 })).toMatchObject({ timeoutMs: 1501 });
  });

  it("interval takes 'auto' too, and says so when refused", () => {
    expect(refusal(() => watchRules({ interval: 'often' }))).toBe(
      'interval: expected milliseconds or \'auto\', got "often"',
    );
  });
});

describe('the adaptive interval', () => {
  it('min and max only with auto', () => {
    expect(refusal(() => watchRules({ minInterval: 1000 }))).toBe(
      'minInterval and maxInterval only apply with interval=auto',
    );
    expect(refusal(() => watchRules({ interval: 1000, maxInterval: 2000 }))).toContain('only apply with');
  });

  it('min equal to max is accepted; min a millisecond longer than max is refused', () => {
    expect(watchRules({ interval: 'auto', minInterval: 2000, maxInterval: 2000 })).toMatchObject({
      intervalMs: 2000,
      adaptive: { minMs: 2000, maxMs: 2000 },
    });
    expect(refusal(() => watchRules({ interval: 'auto', minInterval: 2001, maxInterval: 2000 }))).toBe(
      'minInterval (2001ms) must not be longer than maxInterval (2000ms)',
    );
    // far beyond max, and against the default max
    expect(refusal(() => watchRules({ interval: 'auto', minInterval: 3999, maxInterval: 2000 }))).toContain(
      'must not be longer',
    );
    expect(refusal(() => watchRules({ interval: 'auto', minInterval: 61_000 }))).toBe(
      'minInterval (61000ms) must not be longer than maxInterval (60000ms)',
    );
  });

  it('min and max have their own minimum, named in the message', () => {
    expect(refusal(() => watchRules({ interval: 'auto', minInterval: 99 }))).toBe(
      'minInterval: at least 100ms, got 99ms',
    );
    expect(refusal(() => watchRules({ interval: 'auto', maxInterval: 99 }))).toBe(
      'maxInterval: at least 100ms, got 99ms',
    );
  });

  it('defaults: 2 s to 60 s, the interval starting at the minimum', () => {
    expect(watchRules({ interval: 'auto' })).toMatchObject({
      intervalMs: 2000,
      adaptive: { minMs: 2000, maxMs: 60_000 },
    });
  });
});

describe('counts and choices', () => {
  it.each([
    [0, true],
    [MAX_RETRIES_LIMIT, true],
    [-1, false],
    [MAX_RETRIES_LIMIT + 1, false],
    [1.5, false],
    ['3', false],
  ])('maxRetries %s accepted: %s', (value, ok) => {
    if (ok) expect(watchRules({ maxRetries: value })).toMatchObject({ maxRetries: value });
    else
      expect(refusal(() => watchRules({ maxRetries: value }))).toBe(
        `maxRetries: expected a whole number from 0 to ${MAX_RETRIES_LIMIT}, got ${typeof value === 'string' ? `"${value}"` : value}`,
      );
  });

  it.each([
    [1, true],
    [64, true],
    [0, false],
    [65, false],
  ])('concurrency %d accepted: %s', (value, ok) => {
    if (ok) expect(checkConcurrency(value, KEYS)).toBe(value);
    else
      expect(refusal(() => checkConcurrency(value, KEYS))).toBe(
        `concurrency: expected a whole number from 1 to 64, got ${value}`,
      );
  });

  it('failOn: never, errors or warnings, case as written', () => {
    for (const failOn of ['never', 'errors', 'warnings'])
      expect(watchRules({ failOn })).toMatchObject({ failOn });
    expect(refusal(() => watchRules({ failOn: 'Errors' }))).toBe(
      'failOn: expected one of never, errors, warnings, got "Errors"',
    );
  });

  it('the defaults, and get (once) ignores the schedule', () => {
    expect(watchRules({})).toMatchObject({
      once: false,
      intervalMs: 5000,
      maxRetries: DEFAULTS.maxRetries,
      requestTimeoutMs: 30_000,
      failOn: 'never',
      adaptive: undefined,
      timeoutMs: undefined,
    });
    expect(checkConcurrency(undefined, KEYS)).toBe(DEFAULTS.concurrency);
    expect(checkRules({ interval: 5, timeout: 0 }, KEYS, true)).toEqual({
      once: true,
      maxRetries: DEFAULTS.maxRetries,
      requestTimeoutMs: 30_000,
      failOn: 'never',
    });
    expect(checkRules({}, KEYS, false, { intervalMs: 1000, requestTimeoutMs: 2000 })).toMatchObject({
      intervalMs: 1000,
      requestTimeoutMs: 2000,
    });
  });
});

describe('until', () => {
  it.each([
    ['done', { kind: 'done' }],
    [' Running ', { kind: 'running' }],
    ['100%', { kind: 'percent', percent: 100 }],
    ['0.5%', { kind: 'percent', percent: 0.5 }],
    ['50%', { kind: 'percent', percent: 50 }],
    ['12.25%', { kind: 'percent', percent: 12.25 }],
  ])('%j → %j', (value, until) => {
    expect(checkUntil(value, KEYS)).toEqual(until);
  });

  it.each(['0%', '100.1%', '101%', '50', '%', 'half', '-5%', '50%x', 'x50%', '1000%', 7, null])(
    '%j is refused',
    (value) => {
      expect(refusal(() => checkUntil(value, KEYS))).toMatch(
        /^until: expected done, running or a percentage/,
      );
    },
  );

  it('absent: undefined', () => {
    expect(checkUntil(undefined, KEYS)).toBeUndefined();
  });
});

describe('deadline', () => {
  const NOW = Date.parse('2026-12-07T12:00:00Z');
  it.each([
    ['2026-12-07T18:00:00Z', '2026-12-07T18:00:00.000Z'],
    [' 2026-12-07T18:00:00.250Z ', '2026-12-07T18:00:00.250Z'],
    ['2026-12-07T18:00Z', '2026-12-07T18:00:00.000Z'],
    ['2026-12-07T19:00:00+01:00', '2026-12-07T18:00:00.000Z'],
    ['2026-12-07t18:00:00z', '2026-12-07T18:00:00.000Z'],
    ['2026-12-07T12:00:00.001Z', '2026-12-07T12:00:00.001Z'],
  ])('%j → %s', (value, iso) => {
    expect(checkDeadline(value, KEYS, NOW)).toBe(Date.parse(iso));
  });

  it('a Date, as the library takes it', () => {
    expect(checkDeadline(new Date(NOW + 1000), KEYS, NOW)).toBe(NOW + 1000);
  });

  it('without a zone: local time, as Date reads it', () => {
    expect(checkDeadline('2026-12-08T18:00:00', KEYS, NOW)).toBe(new Date(2026, 11, 8, 18).getTime());
  });

  it.each([
    '18:00',
    '2026-12-07',
    'tomorrow',
    '2026-12-07T25:00:00Z',
    'x2026-12-07T18:00:00Z',
    7,
    null,
    new Date(Number.NaN),
  ])('%j is refused', (value) => {
    expect(refusal(() => checkDeadline(value, KEYS, NOW))).toMatch(
      /^deadline: expected a date and time in ISO 8601, like 2026-12-07T18:00:00Z; got /,
    );
  });

  it.each(['2026-12-07T12:00:00Z', '2026-12-07T11:59:59Z'])(
    '%s, not after now, is refused as passed',
    (value) => {
      expect(refusal(() => checkDeadline(value, KEYS, NOW))).toBe(
        `deadline: ${new Date(value).toISOString()} has already passed (it is 2026-12-07T12:00:00.000Z)`,
      );
    },
  );

  it('absent: undefined; no clock: not judged against now', () => {
    expect(checkDeadline(undefined, KEYS, NOW)).toBeUndefined();
    expect(checkDeadline('2020-01-01T00:00:00Z', KEYS, undefined)).toBe(Date.parse('2020-01-01T00:00:00Z'));
  });

  it('is part of the watch’s rules', () => {
    const rules = checkRules({ deadline: '2026-12-07T18:00:00Z' }, KEYS, false, { now: NOW });
    expect(rules).toMatchObject({ deadlineAt: Date.parse('2026-12-07T18:00:00Z') });
  });
});

describe('language and headers', () => {
  it('the 15 codes of the API, any case, spelled as the API does', () => {
    expect(checkLanguage(undefined, KEYS)).toBe('en-US');
    expect(checkLanguage('PT-br', KEYS)).toBe('pt-BR');
    expect(refusal(() => checkLanguage('en-GB', KEYS))).toMatch(/^language: the export API takes en-US, /);
    expect(refusal(() => checkLanguage(42, KEYS))).toContain('got 42');
  });

  it.each([
    ['X-Trace', ' abc ', ['X-Trace', 'abc']],
    ['x-egain-activity-id', '12345', ['x-egain-activity-id', '12345']],
    ['X-Tab', 'a\tb', ['X-Tab', 'a\tb']],
  ])('%s: %j accepted', (name, value, header) => {
    expect(checkHeader(name, value, KEYS)).toEqual(header);
  });

  it.each([
    ['Bad Name', 'x', 'is not a valid header name'],
    ['', 'x', 'is not a valid header name'],
    ['Authorization', 'Bearer x', 'Authorization cannot be set this way; give the token as a credential'],
    ['Host', 'evil', 'Host cannot be set this way'],
    ['Content-Length', '1', 'cannot be set this way'],
    ['Transfer-Encoding', 'chunked', 'cannot be set this way'],
    ['Connection', 'close', 'cannot be set this way'],
    ['X-A', 'line\nInjected: yes', 'must be text without control characters'],
    ['X-A', 'bell\u0007', 'must be text without control characters'],
    ['X-A', 'del\u007f', 'must be text without control characters'],
    ['X-A', 5, 'must be text without control characters'],
    [5, 'x', 'is not a valid header name'],
  ])('%j: %j refused', (name, value, says) => {
    const message = refusal(() => checkHeader(name, value, KEYS));
    expect(message).toContain(says);
    expect(message.startsWith('header: ')).toBe(true);
    if (name === 'Host') expect(message).toBe('header: Host cannot be set this way');
  });
});

describe('values in messages', () => {
  it('a long string is cut at 60 characters; other types are named, not printed', () => {
    const long = 'x'.repeat(80);
    expect(refusal(() => watchRules({ failOn: long }))).toBe(
      `failOn: expected one of never, errors, warnings, got "${'x'.repeat(60)}…"`,
    );
    expect(refusal(() => watchRules({ failOn: 'x'.repeat(60) }))).toContain(`"${'x'.repeat(60)}"`);
    expect(refusal(() => watchRules({ failOn: null }))).toContain('got null');
    expect(refusal(() => watchRules({ failOn: { a: 1 } }))).toContain('got a object');
    expect(refusal(() => watchRules({ timeout: [] }))).toContain('got a object');
  });
});
