/**
 * The checks every front end's settings pass before any request: the watch's rules, the API
 * language, extra headers. A bad value is a UsageError (exit 2) naming the setting in the
 * caller's words; nothing has been sent by then.
 */
import { apiLanguage, LANGUAGES } from '../api/languages.js';
import { DEFAULTS, defaultMs, MIN_INTERVAL_MS } from '../core/defaults.js';
import { MAX_DURATION_MS } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { FAIL_ON, type FailOn, type Until, type WatchRules } from '../poll/rules.js';
import type { SettingName, Vocabulary } from './vocabulary.js';

/** The watch's settings as a front end has them: durations in ms, anything a caller may pass. */
export interface RuleSettings {
  interval?: unknown;
  minInterval?: unknown;
  maxInterval?: unknown;
  waitForCreate?: unknown;
  timeout?: unknown;
  /** An absolute time: ISO 8601 text, a Date (the library) or epoch ms. */
  deadline?: unknown;
  stallTimeout?: unknown;
  requestTimeout?: unknown;
  maxRetries?: unknown;
  failOn?: unknown;
  until?: unknown;
}

/** Defaults a front end may change (the demo polls faster); the rest come from core/defaults. */
export interface RuleDefaults {
  intervalMs?: number;
  requestTimeoutMs?: number;
  /** The wall clock now: a deadline before it is refused. */
  now?: number | undefined;
}

/** The most consecutive transient failures a watch may be told to tolerate. */
export const MAX_RETRIES_LIMIT = 1000;

/**
 * The rules of one job's poller from a front end's settings, every value checked. `once`: the
 * rules of `get` (no schedule; settings of the schedule are not looked at).
 */
export function checkRules(
  settings: RuleSettings,
  v: Vocabulary,
  once: boolean,
  defaults: RuleDefaults = {},
): WatchRules {
  const common = {
    maxRetries:
      wholeNumber(settings.maxRetries, 'maxRetries', v, 0, MAX_RETRIES_LIMIT) ?? DEFAULTS.maxRetries,
    requestTimeoutMs:
      duration(settings.requestTimeout, 'requestTimeout', v, MIN_INTERVAL_MS) ??
      defaults.requestTimeoutMs ??
      defaultMs(DEFAULTS.requestTimeout),
    failOn: choice(settings.failOn, 'failOn', v, FAIL_ON) ?? (DEFAULTS.failOn as FailOn),
  };
  if (once) return { once, ...common };

  const interval = settings.interval;
  const auto = interval === 'auto';
  const fixed = auto ? undefined : duration(interval, 'interval', v, MIN_INTERVAL_MS, "or 'auto'");
  const minMs = duration(settings.minInterval, 'minInterval', v, MIN_INTERVAL_MS);
  const maxMs = duration(settings.maxInterval, 'maxInterval', v, MIN_INTERVAL_MS);
  if (!auto && (minMs !== undefined || maxMs !== undefined)) {
    throw new UsageError(
      `${v.name.minInterval} and ${v.name.maxInterval} only apply with ${v.setting('interval', 'auto')}`,
    );
  }
  const adaptive = auto
    ? { minMs: minMs ?? defaultMs(DEFAULTS.minInterval), maxMs: maxMs ?? defaultMs(DEFAULTS.maxInterval) }
    : undefined;
  if (adaptive && adaptive.minMs > adaptive.maxMs) {
    throw new UsageError(
      `${v.name.minInterval} (${v.duration(adaptive.minMs)}) must not be longer than ${v.name.maxInterval} (${v.duration(adaptive.maxMs)})`,
    );
  }
  return {
    once,
    ...common,
    intervalMs: adaptive ? adaptive.minMs : (fixed ?? defaults.intervalMs ?? defaultMs(DEFAULTS.interval)),
    adaptive,
    waitForCreateMs: duration(settings.waitForCreate, 'waitForCreate', v, 1),
    timeoutMs: duration(settings.timeout, 'timeout', v, 1),
    deadlineAt: checkDeadline(settings.deadline, v, defaults.now),
    stallTimeoutMs: duration(settings.stallTimeout, 'stallTimeout', v, 1),
    until: checkUntil(settings.until, v),
  };
}

/** ISO 8601 date and time, with a zone (Z, +01:00) or without (local time). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * --deadline: an absolute time after which the watch gives up with exit 3, as --timeout does. A
 * re-run of a CI step keeps it, where --timeout would start again. One already past is refused.
 */
export function checkDeadline(value: unknown, v: Vocabulary, now: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' && ISO_DATE_TIME.test(value.trim())
        ? Date.parse(value.trim())
        : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `${v.name.deadline}: expected a date and time in ISO 8601, like 2026-12-07T18:00:00Z; got ${shown(value)}`,
    );
  }
  if (now !== undefined && at <= now) {
    throw new UsageError(
      `${v.name.deadline}: ${new Date(at).toISOString()} has already passed (it is ${new Date(now).toISOString()})`,
    );
  }
  return at;
}

/** `done`, `running` or `N%` (0 < N ≤ 100): what the watch waits for. */
export function checkUntil(value: unknown, v: Vocabulary): Until | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'done') return { kind: 'done' };
    if (text === 'running') return { kind: 'running' };
    const percent = Number(/^(\d{1,3}(?:\.\d+)?)%$/.exec(text)?.[1]);
    if (percent > 0 && percent <= 100) return { kind: 'percent', percent };
  }
  throw new UsageError(
    `${v.name.until}: expected done, running or a percentage like 50%, got ${shown(value)}`,
  );
}

/** The Accept-Language of every request: one of the API's 15 codes. */
export function checkLanguage(value: unknown, v: Vocabulary): string {
  if (value === undefined) return DEFAULTS.language;
  const language = typeof value === 'string' ? apiLanguage(value) : undefined;
  if (!language) {
    throw new UsageError(
      `${v.name.language}: the export API takes ${LANGUAGES.join(', ')}; got ${shown(value)}`,
    );
  }
  return language;
}

/** How many requests may be in flight at once across the jobs of a run. */
export function checkConcurrency(value: unknown, v: Vocabulary): number {
  return wholeNumber(value, 'concurrency', v, 1, 64) ?? DEFAULTS.concurrency;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the client sets itself, or that would let a header rewrite the request. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
]);

/** An extra request header: a token-character name the client does not set itself, a one-line value. */
export function checkHeader(name: unknown, value: unknown, v: Vocabulary): [string, string] {
  const what = v.name.header;
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
    throw new UsageError(`${what}: ${shown(name)} is not a valid header name`);
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    const hint = name.toLowerCase() === 'authorization' ? `; give the token as ${v.credentialSources}` : '';
    throw new UsageError(`${what}: ${name} cannot be set this way${hint}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (typeof value !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new UsageError(`${what}: the value of ${name} must be text without control characters`);
  }
  return [name, value.trim()];
}

function duration(
  value: unknown,
  name: SettingName,
  v: Vocabulary,
  minMs: number,
  alternative?: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!isFiniteNumber(value)) {
    const expected = alternative ? `${v.durationType} ${alternative}` : v.durationType;
    throw new UsageError(`${v.name[name]}: expected ${expected}, got ${shown(value)}`);
  }
  if (value < minMs)
    throw new UsageError(`${v.name[name]}: at least ${v.duration(minMs)}, got ${v.duration(value)}`);
  if (value > MAX_DURATION_MS)
    throw new UsageError(`${v.name[name]}: at most a year, got ${v.duration(value)}`);
  return Math.round(value);
}

function wholeNumber(
  value: unknown,
  name: SettingName,
  v: Vocabulary,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${v.name[name]}: expected a whole number from ${min} to ${max}, got ${shown(value)}`,
    );
  }
  return value;
}

function choice<T extends string>(
  value: unknown,
  name: SettingName,
  v: Vocabulary,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new UsageError(`${v.name[name]}: expected one of ${allowed.join(', ')}, got ${shown(value)}`);
  }
  return value as T;
}

const isFiniteNumber = (value: unknown): value is number => Number.isFinite(value);
const isInteger = (value: unknown): value is number => Number.isInteger(value);

/** A value in an error message: short, on one line, never more than a caller typed. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
