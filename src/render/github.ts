import { formatDuration } from '../core/duration.js';
import { sanitize } from '../core/sanitize.js';
import { plural } from '../core/words.js';
import type { JobResult } from '../poll/job.js';
import { jobDurationMs } from './format.js';

/** GitHub Actions workflow commands and the step summary, pure. */

/** Escapes data for a workflow command: %, CR and LF (and, in properties, : and ,). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error::` for a job that did not succeed, `::warning::` for one that succeeded with warnings or errors. */
export function annotations(result: JobResult): string[] {
  const id = sanitize(result.job.id, 100);
  const r = result.status?.results;
  if (result.outcome !== 'succeeded' && result.outcome !== 'running') {
    const title = escapeProperty(`Export ${id}: ${result.outcome}`);
    // A job left unwatched by fail-fast did not fail: the job that did carries the error.
    const level = result.outcome === 'abandoned' ? 'warning' : 'error';
    return [`::${level} title=${title}::${escapeData(sanitize(result.error ?? result.outcome, 1000))}`];
  }
  const counts = [
    r?.warnings ? plural(r.warnings, 'warning') : '',
    r?.errors ? plural(r.errors, 'error') : '',
  ].filter(Boolean);
  if (counts.length === 0) return [];
  return [
    `::warning title=${escapeProperty(`Export ${id}`)}::${escapeData(`finished with ${counts.join(' and ')}`)}`,
  ];
}

export const GROUP_END = '::endgroup::';

export function groupStart(jobCount: number, verb = 'Watching'): string {
  return `::group::${verb} ${plural(jobCount, 'export job')}`;
}

/**
 * Server text as the text of a Markdown table cell, shown as written and nothing else: HTML
 * escaped, Markdown's punctuation escaped (no link, image, emphasis, code, or `|` ending the
 * cell), and a zero-width space keeping bare URLs from being linked.
 */
export function markdownCell(text: string): string {
  return sanitize(text, 200)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]!|~]/g, (c) => `\\${c}`)
    .replace(/\b(https?|ftp|mailto|file)(?=:)/gi, '$1\u200b')
    .replace(/\bwww(?=\.)/gi, 'www\u200b')
    .replace(/@/g, '@\u200b');
}

/** The Markdown table appended to $GITHUB_STEP_SUMMARY. */
export function stepSummary(results: readonly JobResult[]): string {
  const cell = markdownCell;
  const lines = [
    '### Content exports',
    '',
    '| Job | Outcome | Duration | Items | Successful | Warnings | Errors |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const p = r.status?.progress;
    const items =
      p?.processed === undefined
        ? ''
        : p.total === undefined
          ? `${p.processed}`
          : `${p.processed}/${p.total}`;
    const res = r.status?.results;
    const duration = jobDurationMs(r.status, r.elapsedMs);
    const outcome = r.error ? `${r.outcome}: ${r.error}` : r.outcome;
    lines.push(
      `| ${cell(r.job.id)} | ${cell(outcome)} | ${duration === undefined ? '' : formatDuration(duration)} | ${items} | ${res?.successful ?? ''} | ${res?.warnings ?? ''} | ${res?.errors ?? ''} |`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}
