/**
 * The API's rate-limit signal (X-RateLimit-Reset: the date-time the window resets, or epoch
 * seconds) as a Retry-After HTTP-date: honoured by the same rules, never sooner, the same cap.
 */
export function rateLimitReset(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const at = /^\d{9,}$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  // An HTTP-date has whole seconds: rounded up, so the retry is never sooner than the reset.
  return Number.isNaN(at) ? undefined : new Date(Math.ceil(at / 1000) * 1000).toUTCString();
}
