import type { ChalkInstance } from 'chalk';
import type { Phase } from '../api/schema.js';
import { percentOf } from '../api/schema.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import { truncateTo, visibleWidth } from './fit.js';
import { type Formatters, progressBar, progressText } from './format.js';
import type { JobState } from './job-state.js';
import { shortId } from './short-id.js';

export interface LineStyle {
  color: ChalkInstance;
  format: Formatters;
  unicode: boolean;
}

const BAR_WIDTH = 20;

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
 * The live line of one job: short ID, status, bar, processed/total (pct), ETA, elapsed, a pending
 * retry. Made to fit `width` columns: the bar goes first, then the ETA, then the counts; what
 * still does not fit is cut with "…".
 */
export function jobLine(
  state: JobState,
  now: number,
  style: LineStyle,
  width = Number.POSITIVE_INFINITY,
): string {
  const { color: c, format: f } = style;
  const parts: Array<{ text: string; drop?: number }> = [{ text: c.bold(shortId(state.job.id)) }];
  const s = state.status;
  if (!s && state.waitingUntil !== undefined) {
    parts.push(
      { text: c.yellow('not created yet') },
      { text: c.dim(`waiting until ${f.time(state.waitingUntil)}`) },
    );
  } else if (!s) {
    parts.push({ text: c.dim('waiting for the first answer') });
  } else {
    parts.push({ text: colorStatus(c, state.phase, sanitize(s.status, 40)) });
    const pct = percentOf(s);
    if (state.phase === 'running' || pct !== undefined)
      parts.push({ text: c.cyan(progressBar(pct, BAR_WIDTH, style.unicode)), drop: 1 });
    const progress = progressText(s, f);
    if (progress) parts.push({ text: progress, drop: 3 });
    const { eta } = state;
    if (eta && state.phase !== 'pending') {
      const left = eta.at - now;
      const when =
        left > 0
          ? `${f.time(eta.at)} (${eta.source === 'rate' ? '~' : ''}${formatDuration(left)})`
          : 'any moment';
      parts.push({ text: c.dim(`ETA ${when}`), drop: 2 });
    }
  }
  parts.push({ text: c.dim(formatDuration(now - state.startedAt)) });
  if (state.retry) {
    const wait = Math.max(0, state.retry.until - now);
    const retry = `retry ${state.retry.attempt} in ${formatDuration(wait)}: ${sanitize(state.retry.reason, 60)}`;
    parts.push({ text: c.yellow(retry) });
  }
  return fitParts(parts, width);
}

/** Joins the parts, dropping them by rank (1 first) while the line is too wide, then cuts it. */
function fitParts(parts: Array<{ text: string; drop?: number }>, width: number): string {
  let kept = parts;
  const line = () => kept.map((p) => p.text).join('  ');
  for (const rank of [1, 2, 3]) {
    if (visibleWidth(line()) <= width) break;
    kept = kept.filter((p) => p.drop !== rank);
  }
  return truncateTo(line(), width);
}
