import type { ChalkInstance } from 'chalk';
import type { Phase } from '../api/schema.js';
import { percentOf } from '../api/schema.js';
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

/** The bar takes a sixth of the terminal's width, within these bounds. */
const BAR_MIN = 10;
const BAR_MAX = 30;
/** The width a status is padded to ("In Progress"), so the columns after it line up. */
const STATUS_WIDTH = 11;
/** A running job whose status and progress have not moved for this long says so. */
export const STILL_FOR_MS = 5 * 60_000;
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
 * The live line of one job: its label, status, bar, processed/total (pct), ETA, elapsed, a pending
 * retry, how long nothing has moved. Made to fit `width` columns: a retry note goes first, then
 * the bar, then the ETA, then the counts (the percentage stays); what still does not fit is cut
 * with "…".
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
    if (state.phase === 'running' || pct !== undefined)
      parts.push({ text: c.cyan(progressBar(pct, barWidth(width), style.unicode)), drop: 2 });
    const progress = progressText(s, f);
    if (progress)
      parts.push({ text: progress, drop: 4, short: pct === undefined ? undefined : f.percent(pct) });
    const { eta } = state;
    if (eta && state.phase !== 'pending') {
      const left = eta.at - now;
      const approx = eta.source === 'rate' ? '~' : '';
      // Past its estimate the job is late, not about to finish; days away, the date matters.
      const when =
        left <= 0
          ? c.yellow(`overdue by ${formatDuration(-left)}`)
          : left > DAY_MS
            ? `${f.day(eta.at)} ${f.time(eta.at)} (${approx}${formatDuration(left)})`
            : `${f.time(eta.at)} (${approx}${formatDuration(left)})`;
      parts.push({ text: c.dim(`ETA ${when}`), drop: 3 });
    }
  }
  parts.push({ text: c.dim(formatDuration(now - state.startedAt)) });
  const still = now - state.lastChangeAt;
  if (s && !state.done && still >= STILL_FOR_MS) {
    parts.push({ text: c.yellow(`no progress for ${formatDuration(still)}`), drop: 1 });
  }
  if (state.retry) {
    const wait = Math.max(0, state.retry.until - now);
    const retry = `retry ${state.retry.attempt} in ${formatDuration(wait)}: ${sanitize(state.retry.reason, 60)}`;
    parts.push({ text: c.yellow(retry), drop: 1 });
  }
  return fitParts(parts, width);
}

/** A part of a live line: `drop`, its rank in being left out; `short`, what it shrinks to instead. */
interface Part {
  text: string;
  drop?: number;
  short?: string | undefined;
}

/** Joins the parts, dropping them by rank (1 first) while the line is too wide, then cuts it. */
function fitParts(parts: readonly Part[], width: number): string {
  let kept = [...parts];
  const line = () => kept.map((p) => p.text).join('  ');
  for (const rank of [1, 2, 3, 4]) {
    if (visibleWidth(line()) <= width) break;
    kept = kept.flatMap((p) => (p.drop !== rank ? [p] : p.short ? [{ text: p.short }] : []));
  }
  return truncateTo(line(), width);
}
