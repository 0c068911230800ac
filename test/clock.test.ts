import { afterEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../src/core/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the real clock', () => {
  it('sleeps for longer than a timer can hold (25 days) instead of waking after 1 ms', async () => {
    vi.useFakeTimers();
    const DAY = 86_400_000;
    let woke = false;
    const sleeping = realClock.sleep(25 * DAY).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(24 * DAY);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(DAY);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('ends a long sleep at once when its signal aborts', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = realClock.sleep(30 * 86_400_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('calls back after longer than a timer can hold (25 days), once, and not when cancelled first', async () => {
    vi.useFakeTimers();
    const DAY = 86_400_000;
    let calls = 0;
    realClock.after(25 * DAY, () => calls++);
    const cancel = realClock.after(25 * DAY, () => calls++);
    // a Node timer holds 24.86 days at most
    await vi.advanceTimersByTimeAsync(24.9 * DAY);
    expect(calls).toBe(0);
    cancel();
    await vi.advanceTimersByTimeAsync(0.1 * DAY);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(30 * DAY);
    expect(calls).toBe(1);
  });
});
