import type { Env } from '../io/color.js';

// The first Intl object of a process costs ~20 ms and ~10 MiB: ICU loads its data. For the
// commonest locales (and, for dates, the UTC zone) these write exactly what Intl writes, without
// it; tests hold each to Intl's own output. Anything else is left to Intl.

/**
 * The locale ICU makes the default on a POSIX system, told from the same variables in the same
 * order: the first of LC_ALL, LC_MESSAGES and LANG that is set (even empty); none, C and POSIX
 * are en-US. undefined for anything but a plain language[_REGION][.charset] (modifiers, scripts,
 * an empty value), which is left to ICU.
 */
export function systemLocale(env: Env): string | undefined {
  const value = env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG;
  if (value === undefined) return 'en-US';
  const bare = value.replace(/\.[\w-]+$/, '');
  if (bare === 'C' || bare === 'POSIX') return 'en-US';
  const m = /^([a-z]{2,3})(?:_([A-Z]{2}))?$/.exec(bare);
  if (!m) return undefined;
  return m[2] ? `${m[1]}-${m[2]}` : m[1];
}

/** The time zone ICU takes from the environment, when it is UTC by one of its plain names. */
export function isUtc(timeZone: string | undefined): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

/**
 * Locales whose whole numbers Intl writes in ASCII digits grouped by threes with commas, as
 * 1,234,567. Not en-IN (12,34,567), not most of Europe.
 */
export const COMMA_THOUSANDS: ReadonlySet<string> = new Set([
  'en',
  'en-US',
  'en-GB',
  'en-AU',
  'en-CA',
  'en-NZ',
  'en-IE',
  'ja-JP',
  'zh-CN',
  'ko-KR',
]);

/** A safe integer as 1,234,567; undefined for anything else (fractions, -0, huge numbers). */
export function commaThousands(n: number): string | undefined {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return undefined;
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** The two clocks these locales write: 07:05 PM (en-US, en) or 19:05 (en-GB). */
function clock(d: Date, twelve: boolean, seconds: boolean): string {
  const h = d.getUTCHours();
  const s = seconds ? `:${two(d.getUTCSeconds())}` : '';
  if (!twelve) return `${two(h)}:${two(d.getUTCMinutes())}${s}`;
  return `${two(h % 12 || 12)}:${two(d.getUTCMinutes())}${s} ${h < 12 ? 'AM' : 'PM'}`;
}

type DateStyle = { date(d: Date): string; time(d: Date): string };

/**
 * Dates in UTC as Intl writes them with { year: numeric, month: short, day: numeric, hour,
 * minute, second: 2-digit, timeZoneName: short }, and times with { hour, minute: 2-digit }.
 */
export const UTC_DATES: Readonly<Record<string, DateStyle>> = {
  'en-US': {
    date: (d) =>
      `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${clock(d, true, true)} UTC`,
    time: (d) => clock(d, true, false),
  },
  'en-GB': {
    date: (d) =>
      `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${clock(d, false, true)} UTC`,
    time: (d) => clock(d, false, false),
  },
};
