/** "1h30m" ↔ milliseconds. A bare number means seconds. */

const UNIT_MS = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
/** Nothing a watch could sensibly wait for is longer than this; larger values are typos. */
export const MAX_DURATION_MS = 366 * 86_400_000;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

export function parseDuration(input: string): DurationResult {
  const text = input.trim().toLowerCase();
  const fail = (): DurationResult => ({
    ok: false,
    message: `expected a duration like 250ms, 5s, 2m, 1h or 1h30m, got ${JSON.stringify(input)}`,
  });
  if (text === '') return fail();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    ms = 0;
    PART.lastIndex = 0;
    let matched = 0;
    while (PART.lastIndex < text.length) {
      const m = PART.exec(text);
      if (!m) return fail();
      ms += Number(m[1]) * (UNIT_MS.get(m[2] as string) ?? Number.NaN);
      matched++;
    }
    if (matched === 0) return fail();
  }
  if (!Number.isFinite(ms)) return fail();
  if (ms > MAX_DURATION_MS)
    return { ok: false, message: `duration ${JSON.stringify(input)} is longer than a year` };
  return { ok: true, ms: Math.round(ms) };
}

/** A compact human duration: 850ms, 45s, 2m 05s, 1h 25m, 2d 3h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.floor(ms / 1000);
  const s = totalSeconds % 60;
  const totalMinutes = Math.floor(totalSeconds / 60);
  const m = totalMinutes % 60;
  const totalHours = Math.floor(totalMinutes / 60);
  const h = totalHours % 24;
  const d = Math.floor(totalHours / 24);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h`;
  if (totalHours > 0) return `${totalHours}h ${pad(m)}m`;
  if (totalMinutes > 0) return `${totalMinutes}m ${pad(s)}s`;
  return `${s}s`;
}

/** A duration as it would be typed, in the form parseDuration reads back: 250ms, 2m, 1h30m, 1d2h. */
export function typedDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  const parts: string[] = [];
  let left = whole;
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join('');
}
