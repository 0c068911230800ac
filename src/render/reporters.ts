import type { JobRef } from '../api/urls.js';
import { plural } from '../core/words.js';
import type { JobResult } from '../poll/job.js';
import type { PollEvent } from '../poll/poller.js';
import { annotations, GROUP_END, groupStart, stepSummary } from './github.js';
import { eventDocument, jsonLine, resultDocument } from './json.js';
import { renderSummary, type SummaryStyle } from './summary.js';

/**
 * What an output mode puts on stdout, one implementation per mode: `text` (a summary per job),
 * `json` (a document per job), `ndjson` (a line per event), and a GitHub Actions wrapper around
 * any of them. The progress display (stderr) is chosen separately.
 */
export interface Reporter {
  start(jobs: readonly JobRef[]): void;
  /** Every event but results. */
  event(event: PollEvent): void;
  /** A job has ended. */
  result(result: JobResult): void;
  /** Every job has ended, in the order they were given. */
  end(results: readonly JobResult[]): Promise<void>;
}

/** Where a reporter writes: stdout, without tearing a live display on stderr. */
export type WriteOut = (text: string) => void;

/**
 * Text: one job's summary as it ends; several jobs' summaries at the end, in the order the jobs
 * were given whatever order they ended in, then one tally line.
 */
export function textReporter(out: WriteOut, style: SummaryStyle): Reporter {
  let several = false;
  return {
    start: (jobs) => {
      several = jobs.length > 1;
    },
    event: () => {},
    result: (result) => {
      if (!several) out(renderSummary(result, style));
    },
    end: async (results) => {
      if (!several) return;
      for (const result of results) out(renderSummary(result, style));
      out(`${tally(results)}\n`);
    },
  };
}

const OUTCOME_ORDER = [
  'succeeded',
  'running',
  'failed',
  'stalled',
  'timeout',
  'error',
  'invalid',
  'interrupted',
] as const;

/** "3 jobs: 2 succeeded, 1 failed": how the jobs of a run ended, by outcome. */
export function tally(results: readonly JobResult[]): string {
  const counts = OUTCOME_ORDER.map(
    (outcome) => [outcome, results.filter((r) => r.outcome === outcome).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`);
  return `${plural(results.length, 'job')}: ${counts.join(', ')}`;
}

export function jsonReporter(out: WriteOut): Reporter {
  return {
    start: () => {},
    event: () => {},
    result: (result) => out(jsonLine(resultDocument(result))),
    end: async () => {},
  };
}

export function ndjsonReporter(out: WriteOut): Reporter {
  const line = (event: PollEvent) => {
    const doc = eventDocument(event);
    if (doc) out(jsonLine(doc));
  };
  return {
    start: () => {},
    event: line,
    result: (result) => out(jsonLine({ type: 'result', ...resultDocument(result) })),
    end: async () => {},
  };
}

export interface GitHubOptions {
  /** Text output: progress folded into a group, summaries and annotations after it. */
  fold: boolean;
  /** Once-only `get` says Fetching; `watch` says Watching. */
  verb: string;
  /** $GITHUB_STEP_SUMMARY, if set. */
  summaryFile: string | undefined;
  appendFile(path: string, text: string): Promise<void>;
  /** A warning for stderr. */
  warn(line: string): void;
  /** For the summaries printed after the group. */
  style: SummaryStyle;
}

/**
 * In GitHub Actions: text output folds the progress into a group and prints the summaries and
 * annotations after it; every mode appends the step summary. `inner` reports as it would elsewhere.
 */
export function githubReporter(inner: Reporter, out: WriteOut, options: GitHubOptions): Reporter {
  return {
    start(jobs) {
      if (options.fold) out(`${groupStart(jobs.length, options.verb)}\n`);
      inner.start(jobs);
    },
    event: (event) => inner.event(event),
    result(result) {
      if (!options.fold) inner.result(result);
    },
    async end(results) {
      if (options.fold) {
        // The summaries are this reporter's here, after the group: the text reporter, which
        // would print those of several jobs at its end, is not asked to.
        out(`${GROUP_END}\n`);
        for (const result of results) out(renderSummary(result, options.style));
        if (results.length > 1) out(`${tally(results)}\n`);
        for (const result of results) for (const line of annotations(result)) out(`${line}\n`);
      } else {
        await inner.end(results);
      }
      const file = options.summaryFile;
      if (!file) return;
      await options.appendFile(file, stepSummary(results)).catch((err: NodeJS.ErrnoException) => {
        options.warn(`warning: cannot write the step summary to ${file} (${err.code ?? err.message})`);
      });
    },
  };
}
