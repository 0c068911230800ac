import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../src/poll/job.js';
import { annotations, stepSummary } from '../src/render/github.js';
import { doneNotification } from '../src/render/notify.js';
import { jobResult, SUCCEEDED } from './support/results.js';

const result = (over: Partial<JobResult>) =>
  jobResult({ job: { id: 'J1', url: '' }, polls: 3, elapsedMs: 1000, ...over });

describe('GitHub Actions', () => {
  it('a failed job gets an ::error:: annotation with the server’s error, escaped', () => {
    expect(
      annotations(result({ outcome: 'failed', exitCode: 1, error: 'Timeout: 50%\nafter 1,500 items' })),
    ).toEqual(['::error title=Export J1%3A failed::Timeout: 50%25 after 1,500 items']);
  });

  it('warnings and errors in a successful job get a ::warning::', () => {
    expect(annotations(result({}))).toEqual([
      '::warning title=Export J1::finished with 10 warnings and 5 errors',
    ]);
    const clean = result({ status: { ...SUCCEEDED, results: { successful: 10, warnings: 0, errors: 0 } } });
    expect(annotations(clean)).toEqual([]);
  });

  it('the step summary is a Markdown table', () => {
    expect(
      stepSummary([
        result({}),
        result({ job: { id: 'J|2', url: '' }, outcome: 'error', status: null, error: 'HTTP 404' }),
      ]),
    ).toBe(
      [
        '### Content exports',
        '',
        '| Job | Outcome | Duration | Items | Successful | Warnings | Errors |',
        '|---|---|---:|---:|---:|---:|---:|',
        '| J1 | succeeded | 1h 25m | 4500/4500 | 4485 | 10 | 5 |',
        '| J\\|2 | error: HTTP 404 | 1s |  |  |  |  |',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('GitHub Actions group titles', () => {
  it('say what the command does', async () => {
    const { groupStart } = await import('../src/render/github.js');
    expect(groupStart(1)).toBe('::group::Watching 1 export job');
    expect(groupStart(3, 'Fetching')).toBe('::group::Fetching 3 export jobs');
  });
});

describe('done notification', () => {
  it('rings the bell and sends OSC 9 after a long watch', () => {
    expect(doneNotification([result({})], 61_000, 60_000)).toBe(
      '\u0007\u001b]9;export-status: export J1: succeeded\u0007',
    );
  });
  it('stays silent for a short watch, or when turned off', () => {
    expect(doneNotification([result({})], 59_000, 60_000)).toBeNull();
    expect(doneNotification([result({})], 600_000, undefined)).toBeNull();
  });
  it('cannot be used to smuggle escape sequences', () => {
    const text =
      doneNotification([result({ job: { id: 'J\u0007\u001b]9;evil', url: '' } })], 61_000, 0) ?? '';
    const inner = text.slice(5, -1);
    expect(inner).not.toContain('\u0007');
    expect(inner).not.toContain('\u001b');
  });
});

describe('the step summary, as GitHub renders it', () => {
  it('server text cannot add a link, an image, HTML or a table cell', async () => {
    const hostile =
      'boom [click](https://evil.example/a) ![x](https://evil.example/x.png) <img src=x onerror=alert(1)> | succeeded | www.evil.example https://evil.example/b **bold** `code` me@evil.example';
    const summary = stepSummary([
      result({ outcome: 'failed', exitCode: 1, error: hostile }),
      result({ job: { id: '[J2](https://evil.example)', url: '' } }),
    ]);
    const html = await marked.parse(summary, { gfm: true });
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1] ?? '');
    expect(rows).toHaveLength(3);
    for (const row of rows.slice(1)) expect([...row.matchAll(/<td/g)]).toHaveLength(7);
    expect(html).not.toMatch(/<a |<img|<strong>|<code>/);
    // and the text is all there, as the server wrote it (but for the invisible breaks)
    expect(html.replace(/\u200b/g, '')).toContain('[click](https://evil.example/a)');
  });
});
