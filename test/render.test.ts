import { describe, expect, it } from 'vitest';
import type { ExportStatus } from '../src/api/schema.js';
import { sanitize } from '../src/core/sanitize.js';
import { makeChalk, wantsColor } from '../src/io/color.js';
import { makeFormatters } from '../src/render/format.js';
import { jsonLine, resultDocument } from '../src/render/json.js';
import { renderSummary } from '../src/render/summary.js';
import { symbolsFor } from '../src/render/symbols.js';
import { jobResult, SUCCEEDED } from './support/results.js';

const format = makeFormatters({ utc: true });
const plain = { color: makeChalk(false), symbols: symbolsFor(true), format };
const colored = { color: makeChalk(true), symbols: symbolsFor(true), format };
const ESC = '\u001b';

const succeeded = SUCCEEDED;
const failed: ExportStatus = {
  status: 'Failed',
  progress: { processed: 1500, total: 4500, percentage: 33.3 },
  startTime: '2025-09-15T10:00:00.000Z',
  failureTime: '2025-09-15T10:45:00.000Z',
  error: 'Connection timeout after processing 1500 items.',
};

const result = jobResult;

describe('summary', () => {
  it('success: symbol, ID, duration, items, results, start and completion', () => {
    expect(renderSummary(result({}), plain)).toBe(
      [
        '✔ 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B  Successful in 1h 25m',
        '  Processed  4,500 of 4,500 (100%)',
        '  Results    4,485 successful · 10 warnings · 5 errors',
        '  Started    2025-09-15 10:00:00 UTC',
        '  Completed  2025-09-15 11:25:00 UTC',
        '',
      ].join('\n'),
    );
  });

  it('failure: symbol, ID, error, progress at failure, failure time', () => {
    const text = renderSummary(
      result({ outcome: 'failed', exitCode: 1, status: failed, error: failed.error ?? null }),
      plain,
    );
    expect(text).toBe(
      [
        '✖ 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B  Failed after 45m 00s',
        '  Error      Connection timeout after processing 1500 items.',
        '  Progress   1,500 of 4,500 (33%)',
        '  Started    2025-09-15 10:00:00 UTC',
        '  Failed     2025-09-15 10:45:00 UTC',
        '',
      ].join('\n'),
    );
  });

  it('colours results green, yellow and red when colour is on, and not at all when off', () => {
    const text = renderSummary(result({}), colored);
    expect(text).toContain(`${ESC}[32m4,485 successful${ESC}[39m`);
    expect(text).toContain(`${ESC}[33m10 warnings${ESC}[39m`);
    expect(text).toContain(`${ESC}[31m5 errors${ESC}[39m`);
    expect(renderSummary(result({}), plain)).not.toContain(ESC);
  });

  it('uses ASCII symbols where Unicode is unsupported', () => {
    const ascii = { ...plain, symbols: symbolsFor(false) };
    expect(renderSummary(result({}), ascii)).toMatch(/^OK 7A84B875/);
    expect(renderSummary(result({ outcome: 'failed', status: failed }), ascii)).toMatch(/^FAIL 7A84B875/);
  });

  it('timeout and interrupt say that the export goes on on the server', () => {
    const running: ExportStatus = { status: 'In Progress', progress: { processed: 10, total: 100 } };
    for (const outcome of ['timeout', 'interrupted'] as const) {
      const text = renderSummary(result({ outcome, status: running, error: 'x' }), plain);
      expect(text).toContain('Status     In Progress');
      expect(text).toContain('Progress   10 of 100 (10%)');
      expect(text).toContain('the export goes on on the server');
    }
  });

  it('no status at all still gives a clear line', () => {
    const text = renderSummary(
      result({ outcome: 'error', exitCode: 4, status: null, error: 'HTTP 404: 404-101 not found' }),
      plain,
    );
    expect(text).toBe(
      '✖ 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B  No status\n  Error      HTTP 404: 404-101 not found\n',
    );
  });

  it('strips escape sequences and control characters from server text', () => {
    const hostile: ExportStatus = {
      ...failed,
      status: 'Failed',
      error: `boom${ESC}[2J${ESC}]8;;http://evil${ESC}\\link\u0007\u009b31m\r\nend`,
    };
    const text = renderSummary(
      result({ outcome: 'failed', status: hostile, error: hostile.error ?? null }),
      plain,
    );
    expect(text).toContain('Error      boomlink end');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking none are left.
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('sanitize', () => {
  it('removes CSI and OSC sequences, C0/C1 controls and bidi overrides, and truncates', () => {
    expect(sanitize(`${ESC}[31mred${ESC}[0m`)).toBe('red');
    expect(sanitize(`a${ESC}]0;title\u0007b`)).toBe('ab');
    expect(sanitize('a\u202eb\u2066c')).toBe('a b c');
    expect(sanitize('line1\nline2\tend')).toBe('line1 line2 end');
    expect(sanitize('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('colour decision', () => {
  it.each([
    [true, {}, false, true],
    [false, {}, false, false],
    [true, { NO_COLOR: '1' }, false, false],
    [true, { NO_COLOR: '' }, false, true],
    [true, {}, true, false],
    [true, { TERM: 'dumb' }, false, false],
    [false, { FORCE_COLOR: '1' }, false, true],
    [true, { FORCE_COLOR: '0' }, false, false],
    [true, { FORCE_COLOR: '1', NO_COLOR: '1' }, false, false],
    [false, { FORCE_COLOR: '1' }, true, false],
  ])('tty=%s env=%j --no-color=%s → %s', (tty, env, flag, want) => {
    expect(wantsColor(tty, env, flag)).toBe(want);
  });
});

describe('json output', () => {
  it('has the documented shape', () => {
    const doc = JSON.parse(jsonLine(resultDocument(result({}))));
    expect(doc).toEqual({
      job: '7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B',
      url: 'https://x/content/export/7A84B875/status',
      outcome: 'succeeded',
      exitCode: 0,
      status: succeeded,
      error: null,
      polls: 12,
      elapsedMs: 61_234,
    });
  });

  it('keeps unknown server fields under raw', () => {
    const doc = resultDocument(
      result({ raw: { status: 'Successful', start_time: 'x', jobName: 'nightly' } }),
    );
    expect(doc.raw).toEqual({ jobName: 'nightly' });
  });

  it('is one line and escapes characters terminals act on', () => {
    const line = jsonLine({ error: `a\nb${ESC}[31m\u009b\u202e` });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(line).toBe('{"error":"a\\nb\\u001b[31m\\u009b\\u202e"}\n');
    expect(JSON.parse(line).error).toBe(`a\nb${ESC}[31m\u009b\u202e`);
  });
});

describe('job labels of the live display', () => {
  it('whole when short; else the shortest prefix of at least 8 that tells the watched jobs apart; always printable', async () => {
    const { labelsFor, printableId } = await import('../src/render/short-id.js');
    const one = labelsFor(['7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B']);
    expect(one.get('7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B')).toBe('7A84B875…');
    const twins = labelsFor(['7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B', '7A84B875-9999-4E5F-8A9B-0C1D2E3F4A5B']);
    expect([...twins.values()]).toEqual(['7A84B875-1…', '7A84B875-9…']);
    const regions = labelsFor(['failure-nightly-2026-12-01-eu', 'failure-nightly-2026-12-01-us']);
    expect([...regions.values()]).toEqual(['failure-nightly-2026-12-01-eu', 'failure-nightly-2026-12-01-us']);
    expect(labelsFor(['job-1']).get('job-1')).toBe('job-1');
    expect(printableId('job\u001b[2J-1')).toBe('job-1');
    // (Node 20 and 24 strip an escape followed by BEL differently; both leave nothing a terminal acts on)
    expect(printableId('job\u001b[2J\u0007-1')).toMatch(/^job ?-1$/);
  });
});

describe('a job failed by --fail-on', () => {
  it('says that the job succeeded, and which threshold fails the run', () => {
    const text = renderSummary(
      result({ outcome: 'failed', exitCode: 1, error: '5 errors reported (--fail-on errors)' }),
      plain,
    );
    expect(text.split('\n')[0]).toBe(
      '✖ 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B  Successful in 1h 25m, but the run fails',
    );
    expect(text).toContain('  Fails on   5 errors reported (--fail-on errors)');
  });
});
