import { describe, expect, it } from 'vitest';
import { makeChalk } from '../src/io/color.js';
import { makeFormatters } from '../src/render/format.js';
import {
  githubReporter,
  jsonReporter,
  ndjsonReporter,
  tally,
  textReporter,
} from '../src/render/reporters.js';
import { symbolsFor } from '../src/render/symbols.js';
import { jobResult } from './support/results.js';

const style = {
  color: makeChalk(false),
  symbols: symbolsFor(true),
  format: makeFormatters({ utc: true }),
};
const job = jobResult().job;
const poll = {
  type: 'poll' as const,
  job,
  at: Date.UTC(2025, 8, 15, 10),
  status: { status: 'In Progress' },
  changed: true,
  eta: undefined,
};

function collect() {
  let text = '';
  return { out: (t: string) => (text += t), text: () => text };
}

describe('one reporter per output mode', () => {
  it('text: a summary per job as it ends, nothing for polls', async () => {
    const o = collect();
    const r = textReporter(o.out, style);
    r.start([job]);
    r.event(poll);
    expect(o.text()).toBe('');
    r.result(jobResult());
    await r.end([jobResult()]);
    expect(o.text()).toMatch(/^✔ 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B {2}Successful in 1h 25m\n/);
  });

  it('json: one document line per job, nothing for polls', async () => {
    const o = collect();
    const r = jsonReporter(o.out);
    r.event(poll);
    r.result(jobResult());
    await r.end([jobResult()]);
    const lines = o.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ job: job.id, outcome: 'succeeded', exitCode: 0 });
  });

  it('ndjson: a line per event, then the result document', async () => {
    const o = collect();
    const r = ndjsonReporter(o.out);
    r.event(poll);
    r.result(jobResult());
    const [first, last] = o
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first).toEqual({
      type: 'poll',
      job: job.id,
      at: '2025-09-15T10:00:00.000Z',
      status: { status: 'In Progress' },
      changed: true,
      eta: null,
    });
    expect(last).toMatchObject({ type: 'result', job: job.id, outcome: 'succeeded' });
  });

  it('GitHub, text: progress folded into a group, summaries and annotations after it, the step summary appended', async () => {
    const o = collect();
    const appended: string[] = [];
    const failed = jobResult({ outcome: 'failed', exitCode: 1, error: 'boom' });
    const r = githubReporter(textReporter(o.out, style), o.out, {
      fold: true,
      verb: 'Watching',
      summaryFile: '/summary.md',
      appendFile: async (_path, text) => {
        appended.push(text);
      },
      warn: () => {},
      style,
    });
    r.start([job]);
    r.result(failed);
    expect(o.text()).toBe('::group::Watching 1 export job\n');
    await r.end([failed]);
    const lines = o.text().split('\n');
    expect(lines[1]).toBe('::endgroup::');
    expect(lines[2]).toMatch(/^✖ 7A84B875/);
    expect(o.text()).toContain('::error title=Export 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B%3A failed::boom\n');
    expect(appended[0]).toContain('| Job | Outcome |');
  });

  it('GitHub, json: documents as elsewhere, no group or annotation, the step summary still appended', async () => {
    const o = collect();
    const appended: string[] = [];
    const r = githubReporter(jsonReporter(o.out), o.out, {
      fold: false,
      verb: 'Watching',
      summaryFile: '/summary.md',
      appendFile: async (_path, text) => {
        appended.push(text);
      },
      warn: () => {},
      style,
    });
    r.start([job]);
    r.result(jobResult());
    await r.end([jobResult()]);
    expect(o.text()).not.toContain('::');
    expect(JSON.parse(o.text())).toMatchObject({ outcome: 'succeeded' });
    expect(appended).toHaveLength(1);
  });
});

describe('the tally', () => {
  it.each([
    [['succeeded', 'timeout', 'timeout'], '3 jobs: 1 succeeded, 2 timed out'],
    [['failed', 'abandoned', 'abandoned'], '3 jobs: 1 failed, 2 not watched to the end'],
    [
      ['running', 'error', 'invalid'],
      '3 jobs: 1 still running, 1 without a status, 1 with an invalid answer',
    ],
    [['stalled', 'interrupted'], '2 jobs: 1 stalled, 1 interrupted'],
  ] as const)('%j reads "%s"', (outcomes, line) => {
    expect(tally(outcomes.map((outcome) => jobResult({ outcome })))).toBe(line);
  });
});
