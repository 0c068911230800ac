import type { ChalkInstance } from 'chalk';
import type { Phase } from '../api/schema.js';
import { percentOf } from '../api/schema.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
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

/** The live line of one job: short ID, status, bar, processed/total (pct), ETA, elapsed. */
export function jobLine(state: JobState, now: number, style: LineStyle): string {
  const { color: c, format: f } = style;
  const parts = [c.bold(shortId(state.job.id))];
  const s = state.status;
  if (!s && state.waitingUntil !== undefined) {
    parts.push(c.yellow('not created yet'), c.dim(`waiting until ${f.time(state.waitingUntil)}`));
  } else if (!s) {
    parts.push(c.dim('waiting for the first answer'));
  } else {
    parts.push(colorStatus(c, state.phase, sanitize(s.status, 40)));
    const pct = percentOf(s);
    if (state.phase === 'running' || pct !== undefined)
      parts.push(c.cyan(progressBar(pct, BAR_WIDTH, style.unicode)));
    const progress = progressText(s, f);
    if (progress) parts.push(progress);
    const { eta } = state;
    if (eta && state.phase !== 'pending') {
      const left = eta.at - now;
      const when =
        left > 0
          ? `${f.time(eta.at)} (${eta.source === 'rate' ? '~' : ''}${formatDuration(left)})`
          : 'any moment';
      parts.push(c.dim(`ETA ${when}`));
    }
  }
  parts.push(c.dim(formatDuration(now - state.startedAt)));
  if (state.retry) {
    const wait = Math.max(0, state.retry.until - now);
    parts.push(
      c.yellow(
        `retry ${state.retry.attempt} in ${formatDuration(wait)}: ${sanitize(state.retry.reason, 60)}`,
      ),
    );
  }
  return parts.join('  ');
}
