/** Retry timing, pure: exponential from 1 s to 60 s with jitter, never before Retry-After. */

const BACKOFF_INITIAL_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
/** A Retry-After beyond this is treated as this: a server cannot park a watch for days. */
export const RETRY_AFTER_MAX_MS = 3_600_000;

/**
 * The delay before retry number `attempt` (1 for the first retry). Each delay is drawn between
 * half and all of its exponential step, so retries never bunch up and never come instantly.
 */
export function backoffDelay(attempt: number, random: () => number, retryAfterMs?: number): number {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Retry-After in seconds or as an HTTP-date, as milliseconds from `nowMs`; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at) || !/^[A-Za-z]{3},/.test(text)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms));
}
