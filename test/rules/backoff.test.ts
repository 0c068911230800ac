import { describe, expect, it } from 'vitest';
import { rateLimitReset } from '../../src/api/rate-limit.js';
import { BACKOFF_MAX_MS, backoffDelay, parseRetryAfter, RETRY_AFTER_MAX_MS } from '../../src/poll/backoff.js';

describe('backoffDelay', () => {
  it('doubles from 1 s and caps at 60 s, each delay between half and all of its step', () => {
    const steps = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];
    steps.forEach((step, i) => {
      expect(backoffDelay(i + 1, () => 0)).toBe(step / 2);
      expect(backoffDelay(i + 1, () => 0.999999)).toBe(step);
      expect(backoffDelay(i + 1, () => 0.5)).toBe(step * 0.75);
    });
    expect(backoffDelay(50, () => 1)).toBe(BACKOFF_MAX_MS);
  });

  it('never comes sooner than Retry-After asks', () => {
    expect(backoffDelay(1, () => 0, 7000)).toBe(7000);
    expect(backoffDelay(7, () => 1, 7000)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('2026-01-01', now)).toBeUndefined();
  });
  it('caps absurd values', () => {
    expect(parseRetryAfter('999999999', now)).toBe(RETRY_AFTER_MAX_MS);
  });
});

describe('the boundaries of the schedule', () => {
  it('attempt 0 or less is the first step; a jittered delay is whole milliseconds', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(-3, () => 1)).toBe(1000);
    expect(backoffDelay(1, () => 0.3333)).toBe(667);
    expect(backoffDelay(2, () => 0.0001)).toBe(1000);
  });

  it('Retry-After at exactly the jittered delay, and a millisecond more', () => {
    expect(backoffDelay(1, () => 0, 500)).toBe(500);
    expect(backoffDelay(1, () => 0, 501)).toBe(501);
    expect(backoffDelay(1, () => 0, 0)).toBe(500);
  });

  it('Retry-After: the cap exactly, a date just ahead, a date with no weekday refused', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(String(RETRY_AFTER_MAX_MS / 1000), now)).toBe(RETRY_AFTER_MAX_MS);
    expect(parseRetryAfter(String(RETRY_AFTER_MAX_MS / 1000 + 1), now)).toBe(RETRY_AFTER_MAX_MS);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:01 GMT', now + 1)).toBe(999);
    expect(parseRetryAfter('01 Jan 2026 00:00:05 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('on Thu, 01 Jan 2026 00:00:05 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now - 1)).toBe(5001);
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('rateLimitReset: X-RateLimit-Reset as a Retry-After date, never sooner', () => {
  it.each([
    ['2026-01-01T00:00:05Z', 'Thu, 01 Jan 2026 00:00:05 GMT'],
    [' 2026-01-01T00:00:05.001Z ', 'Thu, 01 Jan 2026 00:00:06 GMT'],
    ['2026-01-01T00:00:04.999Z', 'Thu, 01 Jan 2026 00:00:05 GMT'],
    ['1767225605', 'Thu, 01 Jan 2026 00:00:05 GMT'],
    ['123456789', 'Thu, 29 Nov 1973 21:33:09 GMT'],
  ])('%j → %s', (value, date) => {
    expect(rateLimitReset(value)).toBe(date);
  });

  it.each([undefined, 'soon', '', '1767225605.5', '1767225605 5'])('%j → nothing', (value) => {
    expect(rateLimitReset(value)).toBeUndefined();
  });

  it('a date whose fraction has nine digits is a date, not epoch seconds', () => {
    expect(rateLimitReset('2026-01-01T00:00:05.123456789Z')).toBe('Thu, 01 Jan 2026 00:00:06 GMT');
    expect(rateLimitReset('Jan 1 2026 000000000')).toMatch(/ GMT$/);
  });

  it('a short number is not epoch seconds', () => {
    // 12345678 (8 digits) is read as a date, not as seconds since 1970
    expect(rateLimitReset('12345678')).not.toBe(new Date(12_345_678_000).toUTCString());
  });
});
