import type { ChalkInstance } from 'chalk';
import type { Phase } from '../api/schema.js';
import { isTerminal, percentOf } from '../api/schema.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import { truncateTo, visibleWidth } from './fit.js';
import { type Formatters, progressBar, progressText } from './format.js';
import type { JobState } from './job-state.js';

export interface LineStyle {
  color: ChalkInstance;
  format: Formatters;
  unicode: boolean;
}

/** The bar takes a sixth of the terminal's width, within these bounds… */
const BAR_MIN = 10;
const BAR_MAX = 30;
/** …and shrinks to this before it is left out. */
const BAR_SHORT = 8;
/** The width a status is padded to ("In Progress"), so the columns after it line up. */
const STATUS_WIDTH = 11;
const DAY_MS = 86_400_000;

function barWidth(width: number): number {
  return Number.isFinite(width) ? Math.max(BAR_MIN, Math.min(BAR_MAX, Math.floor(width / 6))) : 20;
}

function colorStatus(c: ChalkInstance, phase: Phase | undefined, text: string): string {
  switch (phase) {
    case 'succeeded':
      return c.green(text);
    case 'failed':
    case 'cancelled':
      return c.red(text);
    case 'running':
      return c.cyan(text);
    case 'unknown':
      return c.magenta(text);
    default:
      return c.yellow(text);
  }
}

/**
 * The live line of one job: its label, status, bar, processed/total (pct), then what matters most
 * about it now (a retry in progress, or how long nothing has moved), its ETA and the time watched.
 * Made to fit `width` columns, giving up first the hints (the server's own estimate, how overdue),
 * then half the bar, the ETA, the counts (the percentage stays), the rest of the bar and the time
 * watched; what still does not fit is cut with "…". A retry or a stop is never left out.
 */
export function jobLine(
  state: JobState,
  now: number,
  style: LineStyle,
  width = Number.POSITIVE_INFINITY,
): string {
  const { color: c, format: f } = style;
  const parts: Part[] = [{ text: c.bold(state.label) }];
  const s = state.status;
  if (!s && state.waitingUntil !== undefined) {
    parts.push(
      { text: c.yellow('not created yet') },
      {
        text: c.dim(
          state.waitingUntil - now < 60_000
            ? `waiting up to ${formatDuration(Math.max(0, state.waitingUntil - now))}`
            : `waiting until ${f.time(state.waitingUntil)}`,
        ),
      },
    );
  } else if (!s) {
    parts.push({ text: c.dim('waiting for the first answer') });
  } else {
    const name = sanitize(s.status, 40);
    parts.push({ text: colorStatus(c, state.phase, name.padEnd(STATUS_WIDTH)) });
    const pct = percentOf(s);
    if (state.phase === 'running' || pct !== undefined) {
      const bar = (cells: number) => c.cyan(progressBar(pct, cells, style.unicode));
      parts.push({ text: bar(barWidth(width)), steps: { 2: bar(BAR_SHORT), 5: null } });
    }
    const progress = progressText(s, f);
    if (progress)
      parts.push({ text: progress, steps: pct === undefined ? { 4: null } : { 4: f.percent(pct) } });
  }
  // Pending is waiting for its turn: nothing is expected to move.
  const stoppedFor = s && !state.done && state.phase !== 'pending' ? state.pace.stoppedFor(now) : undefined;
  if (state.retry) parts.push({ text: c.yellow(retryNote(state.retry, now)) });
  if (stoppedFor !== undefined)
    parts.push({ text: c.yellow(`no progress for ${formatDuration(stoppedFor)}`) });
  if (s && !state.done && !isTerminal(state.phase ?? 'unknown') && state.phase !== 'pending') {
    parts.push(...etaParts(state, now, stoppedFor !== undefined, style));
  }
  parts.push({ text: c.dim(formatDuration(now - state.startedAt)), steps: { 6: null } });
  return fitParts(parts, width);
}

/** "HTTP 503, retry in 2s": the failure in a few words, and when the next try is. */
function retryNote(retry: NonNullable<JobState['retry']>, now: number): string {
  const cause = sanitize(retry.reason.split(':')[0] ?? '', 32);
  const times = retry.attempt > 1 ? ` ×${retry.attempt}` : '';
  return `${cause}${times}, retry in ${formatDuration(Math.max(0, retry.until - now))}`;
}

/**
 * The ETA of a job that moves: the estimate of its recent rate (or the server's, until a rate is
 * known), and the server's own as a hint when it differs. A passed estimate is never shown while
 * the job moves; a job that has stopped shows none, only by how much it is overdue.
 */
function etaParts(state: JobState, now: number, stopped: boolean, style: LineStyle): Part[] {
  const { color: c, format: f } = style;
  const { eta } = state;
  if (stopped) {
    // Late by the nearer of the estimates, when one has passed.
    const passed = [eta?.at, state.serverEstimate].filter(
      (at): at is number => at !== undefined && at <= now,
    );
    if (passed.length === 0) return [];
    const late = now - Math.max(...passed);
    return [{ text: c.yellow(`overdue by ${formatDuration(late)}`), steps: { 1: null } }];
  }
  if (!eta || eta.at <= now) return [];
  const parts: Part[] = [
    { text: c.dim(`ETA ${when(eta.at, now, eta.source === 'rate' ? '~' : '', f)}`), steps: { 3: null } },
  ];
  const server = state.serverEstimate;
  if (eta.source === 'rate' && server !== undefined && server > now && Math.abs(server - eta.at) >= 60_000) {
    parts.push({ text: c.dim(`server says ${when(server, now, '', f)}`), steps: { 1: null } });
  }
  return parts;
}

/** "10:32 (~2m 10s)"; days away, the date first. */
function when(at: number, now: number, approx: string, f: Formatters): string {
  const left = at - now;
  const clock = left > DAY_MS ? `${f.day(at)} ${f.time(at)}` : f.time(at);
  return `${clock} (${approx}${formatDuration(left)})`;
}

/**
 * A part of a live line: `steps`, what it becomes at each rank of shortening (null: left out).
 * Ranks are applied in order, 1 first, while the line is too wide.
 */
interface Part {
  text: string;
  steps?: Partial<Record<number, string | null>>;
}

const RANKS = [1, 2, 3, 4, 5, 6];

/** Joins the parts, shortening them rank by rank while the line is too wide, then cuts it. */
function fitParts(parts: readonly Part[], width: number): string {
  let kept = [...parts];
  const line = () => kept.map((p) => p.text).join('  ');
  for (const rank of RANKS) {
    if (visibleWidth(line()) <= width) break;
    kept = kept.flatMap((p) => {
      const step = p.steps?.[rank];
      if (step === undefined) return [p];
      return step === null ? [] : [{ ...p, text: step }];
    });
  }
  return truncateTo(line(), width);
}
