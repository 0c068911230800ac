import { type ExportStatus, percentOf } from '../api/schema.js';
import type { Env } from '../io/color.js';

/**
 * Numbers and dates in one plain format, the same for every locale (as gh and kubectl write
 * them): whole numbers grouped by threes with commas (1,234,567), times 24-hour in the local
 * zone, with the zone as UTC or a numeric offset (2026-11-28 12:16:13 +01:00). No Intl object is
 * made on any path: the first one of a process loads ICU's data.
 */
export interface FormatOptions {
  /** Dates in UTC, whatever the process's zone (tests; a TZ of UTC says the same). */
  utc?: boolean | undefined;
}

export interface Formatters {
  number(n: number): string;
  percent(p: number): string;
  date(iso: string): string;
  time(ms: number): string;
  /** The day of a time: 2026-12-09. */
  day(ms: number): string;
}

/** Whether an environment's TZ names UTC: then dates are written in UTC without asking the zone. */
export function utcIn(env: Env): boolean {
  return env.TZ === 'UTC' || env.TZ === 'Etc/UTC' || env.TZ === 'UTC0';
}

export function makeFormatters(options: FormatOptions = {}): Formatters {
  const utc = options.utc === true;
  return {
    number: groupDigits,
    percent: (p) => `${groupDigits(Math.floor(p))}%`,
    date: (iso) => {
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return iso;
      const f = fieldsOf(d, utc);
      return `${f.year}-${two(f.month)}-${two(f.day)} ${two(f.hours)}:${two(f.minutes)}:${two(f.seconds)} ${zone(f.offset)}`;
    },
    time: (ms) => {
      const f = fieldsOf(new Date(ms), utc);
      return `${two(f.hours)}:${two(f.minutes)}`;
    },
    day: (ms) => {
      const f = fieldsOf(new Date(ms), utc);
      return `${f.year}-${two(f.month)}-${two(f.day)}`;
    },
  };
}

/** A whole number grouped by threes with commas: 1,234,567 (rounded; -1,500; any size). */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const rounded = Math.round(n);
  // BigInt writes every digit of an integer-valued double, where String() switches to 1e+21.
  const digits = BigInt(Math.abs(rounded)).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return rounded < 0 ? `-${grouped}` : grouped;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  /** Minutes east of UTC. */
  offset: number;
}

function fieldsOf(d: Date, utc: boolean): Fields {
  if (utc) {
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hours: d.getUTCHours(),
      minutes: d.getUTCMinutes(),
      seconds: d.getUTCSeconds(),
      offset: 0,
    };
  }
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hours: d.getHours(),
    minutes: d.getMinutes(),
    seconds: d.getSeconds(),
    offset: -d.getTimezoneOffset(),
  };
}

function zone(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** "1,500/4,500 (33%)", "1,500 items", "33%" or "" — whatever the server told. */
export function progressText(status: ExportStatus, f: Formatters, separator = '/'): string {
  const p = status.progress;
  const pct = percentOf(status);
  const pctText = pct === undefined ? '' : f.percent(pct);
  if (p?.processed !== undefined && p.total !== undefined) {
    return `${f.number(p.processed)}${separator}${f.number(p.total)}${pctText ? ` (${pctText})` : ''}`;
  }
  if (p?.processed !== undefined) return `${f.number(p.processed)} items${pctText ? ` (${pctText})` : ''}`;
  return pctText;
}

const BAR_FULL = '█';
const BAR_EMPTY = '░';

export function progressBar(pct: number | undefined, width: number, unicode: boolean): string {
  const full = unicode ? BAR_FULL : '#';
  const empty = unicode ? BAR_EMPTY : '-';
  if (pct === undefined) return empty.repeat(width);
  const filled = Math.max(0, Math.min(width, Math.round((pct / 100) * width)));
  return full.repeat(filled) + empty.repeat(width - filled);
}

/** Time the job has taken: server times when it has both, else what the watch observed (if anything). */
export function jobDurationMs(status: ExportStatus | null, observedMs: number): number | undefined {
  const end = status?.completionTime ?? status?.failureTime;
  if (status?.startTime && end) return Math.max(0, Date.parse(end) - Date.parse(status.startTime));
  return observedMs > 0 ? observedMs : undefined;
}

/** "48.2 MB", "512 B": decimal units, as S3 consoles and `ls -h --si` show sizes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
