import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['10', 10_000],
    ['0.25', 250],
    [' 5S ', 5000],
    ['1d', 86_400_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['', 'abc', '5x', '-5s', '5 s', 'ms', '1h30', 's5', '1e3', 'NaN', 'Infinity', '5s5'])(
    'rejects %j',
    (text) => {
      const r = parseDuration(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain('expected a duration like 250ms, 5s, 2m, 1h or 1h30m');
    },
  );

  it('rejects absurdly long durations', () => {
    expect(parseDuration('9999999h')).toEqual({
      ok: false,
      message: 'duration "9999999h" is longer than a year',
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [45_000, '45s'],
    [125_000, '2m 05s'],
    [5_100_000, '1h 25m'],
    [2 * 86_400_000 + 3 * 3_600_000, '2d 3h'],
    [-5, '0ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
