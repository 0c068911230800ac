import { type ExportStatus, percentOf } from '../api/schema.js';
import type { Env } from '../io/color.js';
import { COMMA_THOUSANDS, commaThousands, isUtc, systemLocale, UTC_DATES } from './without-icu.js';

/** Locale and time zone for numbers and dates; undefined means the system's. Tests pin both. */
export interface FormatOptions {
  locale?: string | undefined;
  timeZone?: string | undefined;
  /** The environment, which tells the system's locale and zone without asking ICU. */
  env?: Env | undefined;
}

export interface Formatters {
  number(n: number): string;
  percent(p: number): string;
  date(iso: string): string;
  time(ms: number): string;
}

/** How dates and times are written (the hand-written formats in without-icu.ts are held to these). */
export const DATE: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
};
export const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };

export function makeFormatters(options: FormatOptions = {}): Formatters {
  // Each Intl object is built on first use, and only when the hand-written formats in
  // without-icu.ts do not cover the locale: the first one costs ~20 ms and ~10 MiB.
  let numbers: Intl.NumberFormat | undefined;
  let dates: Intl.DateTimeFormat | undefined;
  let times: Intl.DateTimeFormat | undefined;
  const locale = options.locale ?? (options.env ? systemLocale(options.env) : undefined);
  const commas = locale !== undefined && COMMA_THOUSANDS.has(locale);
  const utc = isUtc(options.timeZone ?? options.env?.TZ);
  const byHand = utc && locale !== undefined ? UTC_DATES[locale] : undefined;
  const number = (n: number) => {
    const plain = commas ? commaThousands(n) : undefined;
    if (plain !== undefined) return plain;
    numbers ??= new Intl.NumberFormat(options.locale, { maximumFractionDigits: 0 });
    return numbers.format(n);
  };
  return {
    number,
    percent: (p) => `${number(Math.floor(p))}%`,
    date: (iso) => {
      if (byHand) return byHand.date(new Date(iso));
      dates ??= new Intl.DateTimeFormat(options.locale, { ...DATE, timeZone: options.timeZone });
      return dates.format(new Date(iso));
    },
    time: (ms) => {
      if (byHand) return byHand.time(new Date(ms));
      times ??= new Intl.DateTimeFormat(options.locale, { ...TIME, timeZone: options.timeZone });
      return times.format(new Date(ms));
    },
  };
}

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
