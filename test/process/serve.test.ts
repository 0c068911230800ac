import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseExportStatus } from '../../src/api/schema.js';
import { BIN, cleanEnv, run, waitForOutput } from '../support/spawn.js';

describe('export-status serve', () => {
  it('prints its base URL first, serves the API, logs requests, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--duration', '1s'], {
      env: cleanEnv(),
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const firstLine = (await waitForOutput(child.stdout, (t) => t.includes('\n'))).split('\n')[0] ?? '';
    expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/knowledge\/portalmgr\/v4$/);

    const res = await fetch(`${firstLine}/content/export/success-serve/status`, {
      headers: { 'accept-language': 'en-US' },
    });
    expect(res.status).toBe(200);
    expect(parseExportStatus(await res.json(), { strict: true }).ok).toBe(true);
    const created = await fetch(`${firstLine}/content/export`, {
      method: 'POST',
      headers: { 'accept-language': 'en-US' },
      body: JSON.stringify({
        portalID: 'PROD-1000',
        language: { code: 'en-US' },
        resourceTypes: ['articles'],
        dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' },
      }),
    });
    expect(created.status).toBe(202);
    expect(created.headers.get('location')).toMatch(
      /^\/knowledge\/portalmgr\/v4\/content\/export\/[0-9A-F-]{36}$/,
    );

    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toMatch(/GET \/knowledge\/portalmgr\/v4\/content\/export\/success-serve\/status → 200/);
    expect(stderr).toMatch(/POST \/knowledge\/portalmgr\/v4\/content\/export → 202/);
    expect(stderr).toContain('stopped');
    expect(stderr).not.toMatch(/Error|\n\s+at /);
  });

  it('a port in use is a clear error, not a stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '-q'], { env: cleanEnv() });
    const url = (await waitForOutput(child.stdout, (t) => t.includes('\n'))).trim();
    const port = new URL(url).port;
    const r = await run(['serve', '--port', port]);
    child.kill('SIGINT');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the port is in use');
  });
});
