import type { ChalkInstance } from 'chalk';
import { type ExportStatus, isTerminal, phaseOf } from '../api/schema.js';
import type { JobRef } from '../api/urls.js';
import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import { plural } from '../core/words.js';
import type { JobResult } from '../poll/job.js';
import { wrap } from './fit.js';
import { type Formatters, formatBytes, jobDurationMs, progressText } from './format.js';
import type { Symbols } from './symbols.js';

export interface SummaryStyle {
  color: ChalkInstance;
  symbols: Symbols;
  format: Formatters;
  /**
   * The command that looks at a job again, ready to copy; undefined where there is none (the
   * demo's simulator is gone when its summary is printed).
   */
  checkAgain?: ((jobs: readonly JobRef[]) => string) | undefined;
  /** The export is the demo's: it stops with its simulator, it does not go on anywhere. */
  simulated?: boolean | undefined;
  /** --until: what the watch waited for, said of a job that reached it ("reached --until 50%"). */
  until?: string | undefined;
  /** The terminal's width: lines wrap at word boundaries under their label. None for a file or pipe. */
  width?: number | undefined;
}

const LABEL_WIDTH = 11;
/** Between the symbol and the ID: a space, where a wrapped line must not break. */
const NBSP = '\u00a0';

/** The final summary of one job, as text lines ending in a newline. Pure. */
export function renderSummary(result: JobResult, style: SummaryStyle): string {
  const { color: c, format: f } = style;
  const s = result.status;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${c.dim(label.padEnd(LABEL_WIDTH))}${value}`);

  lines.push(headline(result, style));
  const failedByThreshold = result.outcome === 'failed' && s !== null && phaseOf(s) === 'succeeded';
  if (result.error) row(failedByThreshold ? 'Fails on' : 'Error', sanitize(result.error));
  // A job that succeeded may still say something went wrong: shown, as JSON keeps it.
  if (s?.error && phaseOf(s) === 'succeeded') row('Message', sanitize(s.error));
  if (s) {
    if (result.outcome !== 'succeeded' && result.outcome !== 'failed' && result.outcome !== 'running') {
      row('Status', statusName(s));
    }
    const progress = progressText(s, f, ' of ');
    if (progress) row(result.outcome === 'succeeded' ? 'Processed' : 'Progress', progress);
    if (s.results) row('Results', resultsText(s, style));
    const { delivery } = result;
    if (delivery && delivery.totalFiles > 0) {
      const size = formatBytes(delivery.totalBytes);
      row(
        'Delivered',
        `${plural(delivery.totalFiles, 'file', f.number)}, ${size} to ${sanitize(delivery.destination, 300)}`,
      );
    }
    if (s.startTime) row('Started', f.date(s.startTime));
    if (s.completionTime) row('Completed', f.date(s.completionTime));
    if (s.failureTime) row('Failed', f.date(s.failureTime));
    if (!s.completionTime && !s.failureTime && s.estimatedCompletion && !isTerminal(phaseOf(s))) {
      row('Estimated', f.date(s.estimatedCompletion));
    }
  }
  if (result.outcome === 'interrupted' || result.outcome === 'timeout' || result.outcome === 'stalled') {
    const again = style.checkAgain?.([result.job]);
    row(
      'Note',
      style.simulated
        ? 'the simulated export stopped with the demo'
        : again
          ? `the export goes on on the server; check it again with: ${again}`
          : 'the export goes on on the server',
    );
  }
  const { width } = style;
  // In a terminal, each line fits: the header under itself, each value under its label.
  const fitted = width ? lines.map((line, i) => wrap(line, width, i === 0 ? 2 : LABEL_WIDTH + 2)) : lines;
  return `${fitted.join('\n').replaceAll(NBSP, ' ')}\n`;
}

/**
 * The first line of a job's summary: its symbol, ID and how it ended ("✖ J  Failed after 3s").
 * The live display prints it the moment a job of several ends.
 */
export function headline(
  result: JobResult,
  style: Pick<SummaryStyle, 'color' | 'symbols' | 'until'>,
): string {
  const { color: c, symbols: sym } = style;
  const s = result.status;
  const duration = jobDurationMs(s, result.elapsedMs);
  const took = (word: string) =>
    duration === undefined ? '' : ` ${c.dim(`${word} ${formatDuration(duration)}`)}`;
  const line = (symbol: string, paint: ChalkInstance, words: string, after = '') =>
    `${paint(symbol)}${NBSP}${c.bold(sanitize(result.job.id, 200))}  ${words}${after}`;
  switch (result.outcome) {
    case 'succeeded':
      return line(sym.success, c.green, c.green(statusName(s)), took('in'));
    case 'running':
      // --until: the watch ended on the condition, and says so.
      return line(sym.info, c.cyan, c.cyan(statusName(s)), style.until ? c.dim(`, ${style.until}`) : '');
    case 'failed':
      // A job that succeeded and crossed --fail-on: it succeeded; a threshold fails the run.
      return s !== null && phaseOf(s) === 'succeeded'
        ? line(sym.failure, c.red, c.green(statusName(s)), `${took('in')}, but the run fails`)
        : line(sym.failure, c.red, c.red(statusName(s)), took('after'));
    case 'timeout':
      return line(sym.failure, c.yellow, c.yellow('Timed out'), took('after'));
    case 'stalled':
      return line(sym.failure, c.red, c.red('Stalled'), took('after'));
    case 'error':
      return line(sym.failure, c.red, c.red('No status'));
    case 'invalid':
      return line(sym.failure, c.red, c.red('Invalid response'));
    case 'interrupted':
      return line(sym.warning, c.yellow, c.yellow('Stopped watching'));
    case 'undelivered':
      return line(sym.failure, c.red, c.green(statusName(s)), `${took('in')}, ${c.red('but not delivered')}`);
    case 'abandoned':
      return line(sym.warning, c.yellow, c.yellow('Not watched to the end'));
  }
}

/**
 * "⚠ 2 jobs not watched to the end (--fail-fast): b, c", then the one command that checks them.
 */
export function abandonedNote(results: readonly JobResult[], style: SummaryStyle): string {
  const { color: c, symbols: sym } = style;
  const ids = results.map((r) => c.bold(sanitize(r.job.id, 200))).join(', ');
  const lines = [
    `${c.yellow(sym.warning)} ${c.yellow(`${plural(results.length, 'job')} not watched to the end`)} (--fail-fast): ${ids}`,
  ];
  const again = style.checkAgain?.(results.map((r) => r.job));
  if (again) lines.push(`  ${c.dim('check them with:')} ${again}`);
  const { width } = style;
  return `${(width ? lines.map((line) => wrap(line, width, 2)) : lines).join('\n')}\n`;
}

function statusName(s: ExportStatus | null): string {
  return s ? sanitize(s.status, 60) : 'unknown';
}

/** "4,485 successful · 10 warnings · 5 errors", each part in its colour; absent counts are left out. */
function resultsText(s: ExportStatus, style: SummaryStyle): string {
  const { color: c, format: f, symbols: sym } = style;
  const r = s.results ?? {};
  const parts: string[] = [];
  if (r.successful !== undefined) parts.push(c.green(`${f.number(r.successful)} successful`));
  if (r.warnings !== undefined) {
    parts.push(c.yellow(plural(r.warnings, 'warning', f.number)));
  }
  if (r.errors !== undefined) parts.push(c.red(plural(r.errors, 'error', f.number)));
  return parts.join(` ${sym.bullet} `) || c.dim('none reported');
}
