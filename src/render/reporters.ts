import type { JobRef } from '../api/urls.js';
import { plural } from '../core/words.js';
import type { JobResult } from '../poll/job.js';
import type { PollEvent } from '../poll/poller.js';
import { annotations, GROUP_END, groupStart, stepSummary } from './github.js';
import { eventDocument, jsonLine, resultDocument } from './json.js';
import { abandonedNote, renderSummary, type SummaryStyle } from './summary.js';

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
      if (several) out(severalSummaries(results, style));
    },
  };
}

/**
 * The summaries of several jobs, in the order they were given, and the tally. Under --fail-fast,
 * the jobs left unwatched share one line and one command to check them, and the job that failed
 * first comes last, next to the prompt: the cause is what the eye finds.
 */
export function severalSummaries(results: readonly JobResult[], style: SummaryStyle): string {
  const abandoned = results.filter((r) => r.outcome === 'abandoned');
  const cause = abandoned.length
    ? results.find((r) => r.outcome !== 'abandoned' && r.exitCode === abandoned[0]?.exitCode)
    : undefined;
  const rest = results.filter((r) => r.outcome !== 'abandoned' && r !== cause);
  return [
    ...rest.map((r) => renderSummary(r, style)),
    abandoned.length ? abandonedNote(abandoned, style) : '',
    `${tally(results)}\n`,
    cause ? renderSummary(cause, style) : '',
  ].join('');
}

const OUTCOME_ORDER = [
  'succeeded',
  'running',
  'failed',
  'stalled',
  'timeout',
  'error',
  'invalid',
  'undelivered',
  'interrupted',
  'abandoned',
] as const;

/** How an outcome reads after a count: "2 timed out", "1 still running". */
const TALLY_WORDS: Record<(typeof OUTCOME_ORDER)[number], string> = {
  succeeded: 'succeeded',
  running: 'still running',
  failed: 'failed',
  stalled: 'stalled',
  timeout: 'timed out',
  error: 'without a status',
  invalid: 'with an invalid answer',
  interrupted: 'interrupted',
  undelivered: 'not delivered',
  abandoned: 'not watched to the end',
};

/** "3 jobs: 2 succeeded, 1 timed out": how the jobs of a run ended, by outcome. */
export function tally(results: readonly JobResult[]): string {
  const counts = OUTCOME_ORDER.map(
    (outcome) => [outcome, results.filter((r) => r.outcome === outcome).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${TALLY_WORDS[outcome]}`);
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
        if (results.length > 1) out(severalSummaries(results, options.style));
        else for (const result of results) out(renderSummary(result, options.style));
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
