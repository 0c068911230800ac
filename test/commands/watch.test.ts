import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/server.js';
import { ESCAPE } from '../support/ansi.js';
import { runCli } from '../support/cli.js';
import { useSimulator } from '../support/simulator.js';

const fx = useSimulator({ slowMs: 1500 });
const { run, id } = fx;

const watch = (...args: string[]) =>
  run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '200ms', ...args]);

describe('watch against the simulator', () => {
  it('success: exit 0, summary on stdout, timestamped plain lines on stderr with no escape codes', async () => {
    const job = id('success');
    const r = await watch(job);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^✔ ${job}  Successful in \\d`));
    expect(r.stdout).toContain('4,485 successful · 10 warnings · 5 errors');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ success-\S+ Pending$/);
    expect(r.stderr).toMatch(/Z success-\S+ In Progress [\d,]+\/4,500 \(\d+%\)/);
    expect(lines.at(-1)).toMatch(/Successful 4,500\/4,500 \(100%\)$/);
    expect(r.stderr).not.toMatch(ESCAPE);
    expect(r.stdout).not.toMatch(ESCAPE);
  });

  it('progress lines come at most every 10 points in a pipe', async () => {
    const r = await run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '100ms', id('success')]);
    const percents = [...r.stderr.matchAll(/In Progress \S+ \((\d+)%\)/g)].map((m) => Number(m[1]));
    expect(percents.length).toBeGreaterThan(2);
    const steps = percents.map((p) => Math.floor(p / 10));
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('failure: exit 1 with the server’s error', async () => {
    const r = await watch(id('failure'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Failed after');
    expect(r.stdout).toMatch(/Error {6}Connection timeout after processing \d+ items\./);
    expect(r.stdout).toMatch(/Progress {3}2,700 of 4,500 \(60%\)/);
  });

  it('flaky: survives 503 with Retry-After and the documented 429 and succeeds', async () => {
    const r = await watch(id('flaky'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/retry 1 in \d+(ms|s): HTTP 503: 503-100 Service temporarily unavailable\./);
    expect(r.stderr).toMatch(/retry \d in \d+(ms|s): HTTP 429: 429-001 Too many requests\./);
  });

  it('slow: a request that outlives --request-timeout is retried', async () => {
    const r = await watch(id('slow'), '--request-timeout', '400ms', '-v');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no answer within 400 ms (--request-timeout)');
  });

  it('unknown status: warns once and keeps watching to the end', async () => {
    const r = await watch(id('unknown-status'));
    expect(r.code).toBe(0);
    expect(r.stderr.match(/unknown status "Archiving"; still watching/g)).toHaveLength(1);
  });

  it('garbage: exit 5, invalid response', async () => {
    const r = await watch(id('garbage'));
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('Invalid response');
    expect(r.stdout).toContain('expected JSON, got text/html');
  });

  it('not found: exit 4 with the WSErrorCommon message', async () => {
    const r = await watch(id('not-found'));
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(
      /Error {6}HTTP 404: 404-100 The following IDs supplied in the URI path were not found: 'not-found-\S+'\./,
    );
  });

  it('stuck: --stall-timeout exits 6, stalled, told from a --timeout (3)', async () => {
    const r = await watch(id('stuck'), '--stall-timeout', '1s');
    expect(r.code).toBe(6);
    expect(r.stdout).toContain('Stalled');
    const json = await watch(id('stuck'), '--stall-timeout', '1s', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'stalled', exitCode: 6 });
    expect(r.stdout).toContain('(--stall-timeout)');
    expect(r.stdout).toContain('the export goes on on the server');
  });

  it('stuck: --timeout exits 3', async () => {
    const r = await watch(id('stuck'), '--timeout', '1s');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('not finished within 1s (--timeout); last status');
  });

  it('server down: retries then exits 4', async () => {
    const r = await run(['watch', '--base-url', 'http://127.0.0.1:9/v4', 'job-1', '--max-retries', '1']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('connection error');
    expect(r.stdout).toContain('--max-retries 1');
  });

  it('--fail-on errors turns a successful job with errors into exit 1', async () => {
    const r = await watch(id('success'), '--fail-on', 'errors');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('5 errors reported (--fail-on errors)');
  });

  it('several jobs: all watched at once, the highest exit code wins', async () => {
    const ok = id('success');
    const bad = id('failure');
    const r = await watch(ok, bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✔ ${ok}`);
    expect(r.stdout).toContain(`✖ ${bad}`);
    const r2 = await watch(id('success'), id('not-found'), id('failure'));
    expect(r2.code).toBe(4);
  });

  it('a full status URL works as a job', async () => {
    const job = id('success');
    const r = await run(['watch', `${fx.sim.baseUrl}/content/export/${job}/status`, '--interval', '200ms']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✔ ${job}`);
  });

  it('--quiet: no progress on stderr, the summary still on stdout', async () => {
    const r = await watch(id('success'), '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Successful');
  });
});

describe('machine-readable output', () => {
  it('--json: one document per job, as the spec shows', async () => {
    const job = id('success');
    const r = await watch(job, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] ?? '');
    expect(Object.keys(doc)).toEqual([
      'job',
      'url',
      'outcome',
      'exitCode',
      'status',
      'error',
      'polls',
      'elapsedMs',
    ]);
    expect(doc).toMatchObject({
      job,
      url: `${fx.sim.baseUrl}/content/export/${job}/status`,
      outcome: 'succeeded',
      exitCode: 0,
      error: null,
      status: { status: 'Successful', progress: { processed: 4500, total: 4500, percentage: 100 } },
    });
    expect(doc.status.completionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(doc.polls).toBeGreaterThan(2);
    expect(doc.elapsedMs).toBeGreaterThan(1000);
  });

  it('--json with several jobs: one line each, failed ones with their error', async () => {
    const r = await watch(id('success'), id('not-found'), '--json');
    expect(r.code).toBe(4);
    const docs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs.map((d) => d.outcome).sort()).toEqual(['error', 'succeeded']);
    const failed = docs.find((d) => d.outcome === 'error');
    expect(failed).toMatchObject({ exitCode: 4, status: null, error: expect.stringContaining('HTTP 404') });
  });

  it('--output ndjson: a poll event per answer, retries, then the result', async () => {
    const job = id('flaky');
    const r = await watch(job, '--output', 'ndjson');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('poll');
    expect(types).toContain('retry');
    expect(types.at(-1)).toBe('result');
    expect(types.filter((t) => t === 'result')).toHaveLength(1);
    const poll = events[0];
    expect(poll).toMatchObject({ type: 'poll', job, status: { status: 'Pending' } });
    expect(poll.at).toMatch(/Z$/);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ job, reason: expect.stringMatching(/^HTTP (503|429)/) });
    expect(retry.delayMs).toBeGreaterThanOrEqual(500);
    expect(events.at(-1)).toMatchObject({ type: 'result', job, outcome: 'succeeded', exitCode: 0 });
  });
});

describe('get', () => {
  it('one poll, no waiting: a running job exits 0', async () => {
    const job = id('stuck');
    const r = await run(['get', '--base-url', fx.sim.baseUrl, job]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ℹ ${job}  Pending`));
    expect(fx.sim.requests.filter((q) => q.path.includes(job))).toHaveLength(1);
  });

  it('the status alias, --json, and exit 4 for a missing job', async () => {
    const r = await run(['status', '--base-url', fx.sim.baseUrl, id('not-found'), '--json']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'error', exitCode: 4 });
  });
});

describe('durations in the JSON documents', () => {
  it('are whole milliseconds on the real clock too', async () => {
    const sim = await startSimulator({ port: 0, durationMs: 500 });
    try {
      const r = await runCli(
        ['watch', '--base-url', sim.baseUrl, 'success-1', '--json', '--interval', '100ms'],
        {
          clock: 'real',
        },
      );
      expect(r.code).toBe(0);
      expect(Number.isInteger(JSON.parse(r.stdout).elapsedMs)).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
