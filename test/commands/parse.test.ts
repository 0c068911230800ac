import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ESCAPE } from '../support/ansi.js';
import { runCli as run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'export-status-parse-'));
function fixture(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const done = {
  status: 'Completed',
  progress: { processed: 4500, total: 4500, percentage: 100 },
  start_time: '2025-09-15T10:00:00.000Z',
  completionTime: '2025-09-15T11:25:00.000Z',
  results: { successful: 4485, warnings: 10, errors: 5 },
};

describe('export-status parse', () => {
  it('with no file and a terminal on stdin, is a usage error instead of a wait', async () => {
    const r = await run(['parse'], { stdinIsTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no document given');
  });

  it('prints the summary of a file and exits 0', async () => {
    const r = await run(['parse', fixture('done.json', done)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✔ \S*done\.json {2}Successful/);
    expect(r.stdout).toContain('Successful in 1h 25m');
    expect(r.stdout).toContain('4,485 successful · 10 warnings · 5 errors');
    expect(r.stdout).toContain('2025-09-15 10:00:00 UTC');
    expect(r.stdout).not.toMatch(ESCAPE);
    expect(r.stderr).toBe('');
  });

  it('reads stdin when the file is "-" or absent', async () => {
    for (const args of [['parse', '-'], ['parse']]) {
      const r = await run(args, { stdin: JSON.stringify(done) });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('✔ stdin  Successful');
    }
  });

  it('--json prints the normalised document, what it did not know under raw', async () => {
    const r = await run(['parse', '--json', '-'], { stdin: JSON.stringify({ ...done, extra: true }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'Successful',
      progress: { processed: 4500, total: 4500, percentage: 100 },
      startTime: '2025-09-15T10:00:00.000Z',
      completionTime: '2025-09-15T11:25:00.000Z',
      results: { successful: 4485, warnings: 10, errors: 5 },
      raw: { extra: true },
    });
  });

  it('a Failed document exits 1 and shows the error', async () => {
    const failed = {
      status: 'Failed',
      error: 'Connection timeout after processing 1500 items.',
      progress: { processed: 1500, total: 4500 },
    };
    const r = await run(['parse', fixture('failed.json', failed)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✖ \S*failed\.json {2}Failed/);
    expect(r.stdout).toContain('Error      Connection timeout after processing 1500 items.');
    expect(r.stdout).toContain('Progress   1,500 of 4,500 (33%)');
  });

  it('an in-progress document exits 0', async () => {
    const r = await run(['parse', '-'], { stdin: '{"status":"in_progress","progress":{"percentage":40}}' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('In Progress');
  });

  it('an invalid document exits 5 and names every offending field', async () => {
    const r = await run([
      'parse',
      '--strict',
      fixture('bad.json', { progress: { total: 'abc' }, startTime: 'noon' }),
    ]);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('bad.json is not a valid ExportStatus document');
    expect(r.stderr).toContain('status: required, missing');
    expect(r.stderr).toContain('progress.total: expected an integer, got "abc"');
    expect(r.stderr).toContain('startTime: expected an ISO-8601 date-time with a time zone, got "noon"');
  });

  it('--strict is the published schema: a negative count passes, "Completed" does not', async () => {
    const negative = await run(['parse', '--strict', '-'], {
      stdin: '{"status":"In Progress","progress":{"processed":-1}}',
    });
    expect(negative.code).toBe(0);
    const completed = await run(['parse', '--strict', '-'], { stdin: '{"status":"Completed"}' });
    expect(completed.code).toBe(5);
    expect(completed.stderr).toContain(
      'status: expected Pending, In Progress, Successful, Failed, got "Completed"',
    );
  });

  it('lenient by default: a bad optional field is dropped, and said so without --verbose', async () => {
    const input = JSON.stringify({ status: 'Pending', progress: { total: 'abc' } });
    const r = await run(['parse', '-'], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: ignored progress.total: expected a non-negative integer, got "abc"\n');
  });

  it('not JSON, or over 1 MiB, exits 5', async () => {
    const html = await run(['parse', '-'], { stdin: '<html>login</html>' });
    expect(html.code).toBe(5);
    expect(html.stderr).toContain('(document): not JSON');
    const big = await run([
      'parse',
      fixture('big.json', { status: 'Pending', pad: 'x'.repeat(1024 * 1024) }),
    ]);
    expect(big.code).toBe(5);
    expect(big.stderr).toContain('larger than 1 MiB');
  });

  it('a missing file is a usage error', async () => {
    const r = await run(['parse', join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read');
    expect(r.stderr).toContain('no such file');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('parse --json and fields it does not know', () => {
  it('keeps them under raw, as watch --json does', async () => {
    const r = await run(['parse', '--json', '-'], {
      stdin: '{"status":"Pending","region":"eu","start_time":"2025-09-15T10:00Z"}',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'Pending',
      startTime: '2025-09-15T10:00:00.000Z',
      raw: { region: 'eu' },
    });
    const plain = await run(['parse', '--json', '-'], { stdin: '{"status":"Pending"}' });
    expect(JSON.parse(plain.stdout)).toEqual({ status: 'Pending' });
  });
});
