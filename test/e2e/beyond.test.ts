import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { scriptedServer, sendJson } from '../support/servers.js';
import { BIN, cleanEnv, run } from '../support/spawn.js';

const ESC = '\u001b';
const BEL = '\u0007';
const dir = mkdtempSync(join(tmpdir(), 'export-status-beyond-'));
const REQUEST = { portalID: 'P1', language: { code: 'en-US' }, resourceTypes: ['articles'] };
let sim: Simulator;
let n = 0;
const id = (scenario: string) => `${scenario}-b-${process.pid}-${++n}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 1500 });
});
afterAll(() => sim.close());

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('--interval auto', () => {
  it('watches a job to the end, backing off between the minimum and the maximum interval', async () => {
    const slowSim = await startSimulator({ port: 0, durationMs: 8000 });
    try {
      const job = id('success');
      const r = await run([
        'watch',
        '--base-url',
        slowSim.baseUrl,
        '--interval',
        'auto',
        '--min-interval',
        '200ms',
        '--max-interval',
        '2s',
        job,
      ]);
      expect(r.code).toBe(0);
      const times = slowSim.requests.filter((q) => q.path.endsWith(`/${job}/status`)).map((q) => q.at);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      // never sooner than the minimum, never later than the maximum (plus a request's time)…
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(190);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(2500);
      // …and backing off well beyond the minimum while the end is far
      expect(Math.max(...gaps)).toBeGreaterThanOrEqual(600);
      // (the saving on a long job is measured in test/beyond.test.ts and in the bench)
    } finally {
      await slowSim.close();
    }
  });

  it('--min-interval without --interval auto, or min above max, is a usage error', async () => {
    const a = await run(['watch', 'x', '--min-interval', '1s']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('only apply with --interval auto');
    const b = await run([
      'watch',
      'x',
      '--interval',
      'auto',
      '--min-interval',
      '10s',
      '--max-interval',
      '5s',
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('must not be longer than --max-interval');
  });
});

describe('--wait-for-create', () => {
  it('waits through 404s until the job exists, then watches it', async () => {
    const createdAt = Date.now() + 1200;
    const server = await scriptedServer((_req, res) => {
      if (Date.now() < createdAt)
        sendJson(res, 404, { code: '404-101', developerMessage: 'Export job not found.' });
      else sendJson(res, 200, { status: 'Successful', results: { successful: 1 } });
    });
    try {
      const r = await run([
        'watch',
        '--base-url',
        server.url,
        'new-job',
        '--interval',
        '300ms',
        '--wait-for-create',
        '10s',
        '--max-retries',
        '0',
      ]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /new-job not created yet \(HTTP 404: 404-101 Export job not found\.\); waiting until .*Z \(--wait-for-create\)/,
      );
      expect(r.stdout).toContain('Successful');
    } finally {
      await server.close();
    }
  });

  it('after the grace a 404 is final (exit 4)', async () => {
    const r = await run([
      'watch',
      '--base-url',
      sim.baseUrl,
      id('not-found'),
      '--interval',
      '200ms',
      '--wait-for-create',
      '1s',
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('HTTP 404');
  });
});

describe('export-status start', () => {
  it('starts an export and prints its ID alone on stdout', async () => {
    const r = await run(['start', '--base-url', sim.baseUrl, '--body', file('ok.json', REQUEST)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9A-F-]{36}\n$/);
    const posted = sim.requests.filter((q) => q.method === 'POST');
    expect(posted.at(-1)?.status).toBe(202);
    const watched = await run(['watch', '--base-url', sim.baseUrl, r.stdout.trim(), '--interval', '200ms']);
    expect(watched.code).toBe(0);
  });

  it('an invalid body exits 2 naming the fields, and nothing is sent', async () => {
    const before = sim.requests.length;
    const r = await run([
      'start',
      '--base-url',
      sim.baseUrl,
      '--body',
      file('bad.json', { portalID: 3, resourceTypes: [] }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a valid export request; nothing was sent');
    expect(r.stderr).toContain('portalID: expected a non-empty string, got 3');
    expect(r.stderr).toContain('language: expected an object like {"code": "en-US"}, got nothing');
    expect(r.stderr).toContain('resourceTypes: expected at least one resource type');
    expect(sim.requests.length).toBe(before);
    const notJson = await run(['start', '--base-url', sim.baseUrl, '--body', file('bad.txt', 'portalID=1')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('--body: not JSON');
    const missing = await run(['start', '--base-url', sim.baseUrl]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--body <file>' not specified");
  });

  it('--watch goes on as watch: the ID on stderr, the summary and exit code of the job', async () => {
    const r = await run(
      ['start', '--base-url', sim.baseUrl, '--body', '-', '--watch', '--interval', '200ms', '--json'],
      {
        input: JSON.stringify(REQUEST),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Started export [0-9A-F-]{36}\n/);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
  });

  it('a server that refuses the request exits 4 with its message', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 403, { code: '403-1', developerMessage: 'No export rights.' }),
    );
    try {
      const r = await run(['start', '--base-url', server.url, '--body', file('ok2.json', REQUEST)]);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('the export was not started: HTTP 403: 403-1 No export rights.');
    } finally {
      await server.close();
    }
  });
});

describe('GitHub Actions', () => {
  const gh = (summary: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });

  it('folds progress into a group, annotates failures and warnings, and writes the step summary', async () => {
    const summary = join(dir, `summary-${++n}.md`);
    writeFileSync(summary, '# earlier step\n');
    const ok = id('success');
    const bad = id('failure');
    const r = await run(['watch', '--base-url', sim.baseUrl, '--interval', '200ms', ok, bad], {
      env: gh(summary),
    });
    expect(r.code).toBe(1);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe('::group::Watching 2 export jobs');
    expect(out).toContain('::endgroup::');
    expect(out.indexOf('::endgroup::')).toBeLessThan(out.findIndex((l) => l.startsWith('✔')));
    expect(r.stdout).toContain(
      `::error title=Export ${bad}%3A failed::Connection timeout after processing 2700 items.`,
    );
    expect(r.stdout).toContain(`::warning title=Export ${ok}::finished with 10 warnings and 5 errors`);
    const table = readFileSync(summary, 'utf8');
    expect(table.startsWith('# earlier step\n### Content exports\n')).toBe(true);
    expect(table).toContain(`| ${ok} | succeeded |`);
    expect(table).toContain(`| ${bad} | failed: Connection timeout after processing 2700 items. |`);
  });

  it('leaves stdout to machines with --json: no annotations, no group, but the step summary', async () => {
    const summary = join(dir, `summary-${++n}.md`);
    const r = await run(
      ['watch', '--base-url', sim.baseUrl, '--interval', '200ms', '--json', id('failure')],
      { env: gh(summary) },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('::');
    expect(JSON.parse(r.stdout).outcome).toBe('failed');
    expect(readFileSync(summary, 'utf8')).toContain('| failed: Connection timeout');
  });

  it('does nothing of the kind outside GitHub Actions', async () => {
    const r = await run(['watch', '--base-url', sim.baseUrl, '--interval', '200ms', id('failure')]);
    expect(r.stdout).not.toContain('::');
  });
});

describe('done notification', () => {
  function inTerminal(args: string[]) {
    const command = `stty cols 100 rows 24; "${process.execPath}" "${BIN}" ${args.join(' ')}`;
    return new Promise<string>((resolve) => {
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.on('close', () => resolve(out));
    });
  }
  const OSC9 = '\u0007\u001b]9;export-status: export ';

  it('rings and notifies in a terminal once the watch ran longer than --notify-after', async () => {
    const out = await inTerminal([
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      '--notify-after',
      '500ms',
      id('success'),
    ]);
    expect(out).toContain(OSC9);
    expect(out).toMatch(new RegExp(`${ESC}\\]9;export-status: export success-b-\\S+: succeeded${BEL}`));
  });

  it('not with --no-notify, not for a short watch, never in a pipe', async () => {
    const off = await inTerminal([
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      '--notify-after',
      '500ms',
      '--no-notify',
      id('success'),
    ]);
    expect(off).not.toContain(']9;');
    const short = await inTerminal([
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      id('success'),
    ]);
    expect(short).not.toContain(']9;');
    const pipe = await run([
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      '--notify-after',
      '0s',
      id('success'),
    ]);
    expect(pipe.stderr + pipe.stdout).not.toContain(']9;');
    expect(pipe.stderr + pipe.stdout).not.toContain('\u0007');
  });
});
