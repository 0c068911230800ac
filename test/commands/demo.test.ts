import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// demo starts its simulator on the run's clock: the whole export takes no real time.
describe('export-status demo', () => {
  it('runs a whole simulated export with no network and no credentials', async () => {
    const r = await runCli(['demo', '--duration', '1500ms', '--interval', '200ms']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Started a simulated export (scenario: success)');
    expect(r.stderr).toContain('To watch a real export');
    expect(r.stdout).toMatch(/^✔ [0-9A-F-]{36} {2}Successful in \d/);
  });

  it('passes --scenario through, with the matching exit code', async () => {
    const r = await runCli([
      'demo',
      '--scenario',
      'failure',
      '--duration',
      '1s',
      '--interval',
      '200ms',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('Connection timeout'),
    });
  });
});

describe('export-status demo --scenario token-expiry', () => {
  it('watches an export that outlives four access tokens, renewing each before it expires', async () => {
    const r = await runCli(['demo', '--scenario', 'token-expiry', '--duration', '8s', '--interval', '500ms']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Its access tokens expire every 2s: watch them being renewed.');
    const renewals =
      r.stderr.match(/renewed the access token \(client credentials\) before it expired/g) ?? [];
    expect(renewals.length).toBeGreaterThanOrEqual(3);
    expect(r.stderr).not.toContain('demo-secret');
    expect(r.stdout).toMatch(/^✔ [0-9A-F-]{36} {2}Successful/);
  });
});
