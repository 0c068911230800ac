import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { ACCESS_KEY, type S3Server, SECRET_KEY, startS3 } from '../support/s3.js';
import { BIN, cleanEnv, collect } from '../support/spawn.js';

// The libraries that verify a delivery (aws4fetch, fast-xml-parser, and undici and oauth4webapi
// before them) are files of their own next to the bundle, loaded by the runs that use them only:
// the built CLI is run with a preload that records every file it required.
const dir = mkdtempSync(join(tmpdir(), 'export-status-lazy-'));
const preload = join(dir, 'record.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_TO, Object.keys(require.cache).join('\\n')));",
);
const S3_LIBRARIES = ['vendor/aws4fetch.cjs', 'vendor/fast-xml-parser.cjs'];
const DELIVERY_LIBRARIES = [...S3_LIBRARIES, 'vendor/ssh2.cjs'];

let sim: Simulator;
let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3(['exports']);
  sim = await startSimulator({ port: 0, durationMs: 800, deliverTo: s3.endpoint });
});
afterAll(async () => {
  await sim.close();
  await s3.close();
});

/** The files the built CLI required in a run of `args`. */
async function loaded(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const record = join(dir, `loaded-${Math.random().toString(36).slice(2)}`);
  const r = await collect(process.execPath, ['-r', preload, BIN, ...args], {
    env: cleanEnv({ ...env, RECORD_TO: record }),
  });
  expect(r.stderr).not.toContain('internal error');
  return readFileSync(record, 'utf8').split('\n');
}

describe('the delivery libraries load only when a delivery is verified', () => {
  it.each([
    ['parse', ['parse', '-'], {}],
    ['get', ['get', 'success-lazy-1'], {}],
    ['watch --help', ['watch', '--help'], {}],
    ['--version', ['--version'], {}],
    ['a watch that does not verify', ['watch', 'success-lazy-2', '--interval', '200ms'], {}],
  ])('%s: none of them', async (_, args, env) => {
    const base = args[0] === 'parse' || args.includes('--help') ? [] : ['--base-url', sim.baseUrl];
    const files = await loaded([...args, ...base], env);
    for (const library of DELIVERY_LIBRARIES) expect(files.some((f) => f.endsWith(library))).toBe(false);
  });

  it('a watch that verifies a delivery to S3: the S3 libraries, and not ssh2', async () => {
    const started = await collect(
      process.execPath,
      [BIN, 'start', '--base-url', sim.baseUrl, '--body', '-'],
      {
        input: JSON.stringify({
          portalID: 'PROD-1000',
          language: { code: 'en-US' },
          resourceTypes: ['articles'],
          dataDestination: {
            destinationType: 'AWS S3 bucket',
            path: 's3://exports/lazy',
            s3Details: { region: 'us-east-1', accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
          },
        }),
      },
    );
    const job = started.stdout.trim();
    const files = await loaded(
      [
        'watch',
        '--base-url',
        sim.baseUrl,
        '--interval',
        '200ms',
        '--verify-delivery',
        's3://exports/lazy',
        job,
      ],
      { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY },
    );
    for (const library of S3_LIBRARIES) expect(files.some((f) => f.endsWith(library))).toBe(true);
    expect(files.some((f) => f.endsWith('vendor/ssh2.cjs'))).toBe(false);
  });
});
