import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay, parseRetryAfter, RETRY_AFTER_MAX_MS } from '../src/poll/backoff.js';

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
