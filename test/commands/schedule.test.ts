import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/server.js';
import { scriptedServer, sendJson } from '../support/servers.js';
import { useSimulator } from '../support/simulator.js';

// When to poll: --interval auto and --wait-for-create.
const fx = useSimulator();
const { run, id, clock } = fx;

describe('--interval auto', () => {
  it('watches a job to the end, backing off between the minimum and the maximum interval', async () => {
    const slowSim = await startSimulator({ port: 0, durationMs: 8000, now: clock.now });
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
      // never sooner than the minimum, never later than the maximum (requests take no virtual time)…
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(2000);
      // …and backing off well beyond the minimum while the end is far
      expect(Math.max(...gaps)).toBeGreaterThanOrEqual(600);
      // (the saving on a long job is measured in test/schedule.test.ts and in the bench)
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
    const createdAt = clock.now() + 1200;
    const server = await scriptedServer((_req, res) => {
      if (clock.now() < createdAt)
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
        /new-job not created yet \(HTTP 404: 404-101 Export job not found\.\); waiting up to 10s \(--wait-for-create\)/,
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
      fx.sim.baseUrl,
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

describe('--deadline', () => {
  it('a job that never ends: exit 3 at the deadline, said as the deadline', async () => {
    const startedAt = clock.now();
    const deadline = new Date(startedAt + 2000).toISOString();
    const r = await run([
      'watch',
      '--base-url',
      fx.sim.baseUrl,
      '--interval',
      '300ms',
      '--deadline',
      deadline,
      id('stuck'),
    ]);
    expect(r.code).toBe(3);
    // at the deadline, and the last poll's grace at most: well within 5 s
    expect(clock.now() - startedAt).toBeGreaterThanOrEqual(2000);
    expect(clock.now() - startedAt).toBeLessThanOrEqual(4000);
    expect(r.stdout).toContain(`not finished by ${deadline} (--deadline)`);
  });

  it('the nearer of --deadline and --timeout ends the watch, and is the one named', async () => {
    const deadline = new Date(clock.now() + 60_000).toISOString();
    const r = await run([
      'watch',
      '--base-url',
      fx.sim.baseUrl,
      '--interval',
      '300ms',
      '--deadline',
      deadline,
      '--timeout',
      '1s',
      id('stuck'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('not finished within 1s (--timeout)');
  });

  it('a deadline already passed is a usage error, before any request', async () => {
    const before = fx.sim.requests.length;
    const past = new Date(clock.now() - 1000).toISOString();
    const r = await run(['watch', '--base-url', fx.sim.baseUrl, '--deadline', past, id('stuck')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--deadline: ${past} has already passed`);
    expect(fx.sim.requests.length).toBe(before);
  });
});
