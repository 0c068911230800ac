import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ExportStatusError,
  getExportStatus,
  parseExportStatus,
  startExport,
  type WatchEvent,
  watchExport,
} from '../src/library/index.js';
import { type Simulator, startSimulator } from '../src/sim/server.js';
import { ACCESS_KEY, type S3Server, SECRET_KEY, startS3 } from './support/s3.js';
import { tokenScript } from './support/token-script.js';

// The library, as another Node program uses it: against the simulator on loopback, real time.
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    durationMs: 1000,
    clientId: 'lib',
    clientSecret: 'lib-secret',
    tokenTtlMs: 400,
  });
});
afterAll(() => sim.close());
const REQUEST = {
  portalID: 'PROD-1000',
  language: { code: 'en-US' },
  resourceTypes: ['articles'],
  dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' },
};
const credentials = () => ({ clientId: 'lib', clientSecret: 'lib-secret', tokenUrl: sim.tokenUrl });

describe('watchExport', () => {
  it('yields an event per poll and resolves .result to the --json document', async () => {
    const watch = watchExport('success-lib-1', { baseUrl: sim.baseUrl, interval: 100, ...credentials() });
    const types: WatchEvent['type'][] = [];
    for await (const event of watch) types.push(event.type);
    expect(types[0]).toBe('poll');
    expect(types.at(-1)).toBe('result');
    const result = await watch.result;
    expect(result).toMatchObject({ job: 'success-lib-1', outcome: 'succeeded', exitCode: 0, error: null });
    expect(result.status?.status).toBe('Successful');
  });

  it('settles .result when nobody iterates, and stops on its AbortSignal', async () => {
    const done = await watchExport('success-lib-2', { baseUrl: sim.baseUrl, interval: 100, ...credentials() })
      .result;
    expect(done.outcome).toBe('succeeded');
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGINT'), 300);
    const stopped = await watchExport('stuck-lib-3', {
      baseUrl: sim.baseUrl,
      interval: 100,
      signal: controller.signal,
      ...credentials(),
    }).result;
    expect(stopped).toMatchObject({ outcome: 'interrupted', exitCode: 130 });
  });

  it('never writes to stdout or stderr', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    try {
      await watchExport('flaky-lib-4', {
        baseUrl: sim.baseUrl,
        interval: 100,
        tokenCommand: tokenScript(mkdtempSync(join(tmpdir(), 'export-status-lib-')), sim.tokenUrl, {
          clientId: 'lib',
          secret: 'lib-secret',
          before: 'echo noise >&2',
        }),
      }).result;
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

/**
 * Each way the library takes a credential, as a user's program passes it, against a simulator that
 * demands one: a fixed token it knows, or a token it issued to the client credentials.
 */
let guarded: Simulator;
beforeAll(async () => {
  guarded = await startSimulator({
    port: 0,
    durationMs: 500,
    token: 'fixed-token-123456',
    clientId: 'kind',
    clientSecret: 'kind-secret',
  });
});
afterAll(() => guarded.close());
const kindCredentials = () => ({ clientId: 'kind', clientSecret: 'kind-secret', tokenUrl: guarded.tokenUrl });
const CREDENTIAL_KINDS: { kind: string; options: () => Record<string, unknown> }[] = [
  { kind: 'a fixed token', options: () => ({ token: 'fixed-token-123456' }) },
  { kind: 'a token function', options: () => ({ token: async () => guarded.issueToken() }) },
  {
    kind: 'a token command',
    options: () => ({
      tokenCommand: tokenScript(mkdtempSync(join(tmpdir(), 'export-status-lib-')), guarded.tokenUrl, {
        clientId: 'kind',
        secret: 'kind-secret',
      }),
    }),
  },
  { kind: 'client credentials', options: kindCredentials },
];

describe.each(CREDENTIAL_KINDS)('every call with $kind', ({ kind, options }) => {
  it('get, start and watch are answered, every API request authorized', async () => {
    const before = guarded.requests.length;
    const id = `stuck-${kind.replaceAll(' ', '-')}`;
    const status = await getExportStatus(id, { baseUrl: guarded.baseUrl, ...options() });
    expect(status.status).toBe('Pending');
    const started = await startExport(REQUEST, { baseUrl: guarded.baseUrl, ...options() });
    const result = await watchExport(started.statusUrl, {
      baseUrl: guarded.baseUrl,
      interval: 100,
      ...options(),
    }).result;
    expect(result).toMatchObject({ job: started.jobId, outcome: 'succeeded', exitCode: 0 });
    const api = guarded.requests.slice(before).filter((r) => !r.path.endsWith('/token'));
    expect(api.map((r) => r.method)).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(api.every((r) => r.authorized && r.status < 400)).toBe(true);
  });
});

it('client credentials: one token request, then a renewal when the token expires', async () => {
  const renewing = await startSimulator({
    port: 0,
    durationMs: 1500,
    clientId: 'lib',
    clientSecret: 'lib-secret',
    tokenTtlMs: 1000,
  });
  try {
    const result = await watchExport('success-renew-1', {
      baseUrl: renewing.baseUrl,
      interval: 100,
      clientId: 'lib',
      clientSecret: 'lib-secret',
      tokenUrl: renewing.tokenUrl,
    }).result;
    expect(result).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    const tokens = renewing.requests.filter((r) => r.path.endsWith('/token'));
    const api = renewing.requests.filter((r) => !r.path.endsWith('/token'));
    // a token lives 1 s (renewed ahead of its end), the job 1.5 s: two token requests, not one per poll
    expect(tokens.length).toBe(2);
    expect(api.length).toBeGreaterThan(5);
    expect(api.every((r) => r.authorized && r.status === 200)).toBe(true);
  } finally {
    await renewing.close();
  }
});

describe('getExportStatus, parseExportStatus, startExport', () => {
  it('get: the status, or an ExportStatusError with the exit code, HTTP status and API code', async () => {
    const status = await getExportStatus('stuck-lib-5', { baseUrl: sim.baseUrl, ...credentials() });
    expect(status.status).toBe('Pending');
    const missing = getExportStatus('not-found-lib-6', { baseUrl: sim.baseUrl, ...credentials() });
    await expect(missing).rejects.toBeInstanceOf(ExportStatusError);
    await expect(missing).rejects.toMatchObject({ exitCode: 4, httpStatus: 404, code: '404-100' });
  });

  it('parse: a normalised document, or exit code 5 naming each field', () => {
    expect(parseExportStatus('{"status":"completed","start_time":"2025-09-15T10:00Z"}')).toEqual({
      status: 'Successful',
      startTime: '2025-09-15T10:00:00.000Z',
    });
    expect(() => parseExportStatus({ progress: { total: 'abc' } })).toThrow(
      expect.objectContaining({ exitCode: 5, message: expect.stringContaining('progress.total') }),
    );
  });

  it('start: an invalid body throws exit code 2 before anything is sent; a valid one gives the job to watch', async () => {
    const before = sim.requests.length;
    await expect(
      startExport({ portalID: 'x' }, { baseUrl: sim.baseUrl, ...credentials() }),
    ).rejects.toMatchObject({
      exitCode: 2,
    });
    expect(sim.requests.length).toBe(before);
    const started = await startExport(REQUEST, { baseUrl: sim.baseUrl, ...credentials() });
    expect(started.statusUrl).toBe(`${sim.baseUrl}/content/export/${started.jobId}/status`);
    const result = await watchExport(started.statusUrl, {
      interval: 100,
      baseUrl: sim.baseUrl,
      ...credentials(),
    }).result;
    expect(result.outcome).toBe('succeeded');
  });

  it('start with a stateFile: a second call starts nothing and gives the first job', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'export-status-lib-state-')), 'export.state');
    const options = { baseUrl: sim.baseUrl, stateFile, ...credentials() };
    const posts = () => sim.requests.filter((q) => q.method === 'POST').length;
    const before = posts();
    const first = await startExport(REQUEST, options);
    const second = await startExport(REQUEST, options);
    expect(first.reused).toBe(false);
    expect(second).toEqual({ ...first, reused: true });
    expect(posts()).toBe(before + 1);
    writeFileSync(stateFile, 'not a record');
    await expect(startExport(REQUEST, options)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('stateFile '),
    });
  });
});

describe('the library keeps the promises of the CLI, in its own words', () => {
  it('the result event carries the very WatchResult that .result resolves to', async () => {
    const watch = watchExport('success-lib-7', { baseUrl: sim.baseUrl, interval: 100, ...credentials() });
    const events: WatchEvent[] = [];
    for await (const event of watch) events.push(event);
    const last = events.at(-1);
    const result = await watch.result;
    expect(last).toMatchObject({ type: 'result', job: { id: 'success-lib-7' } });
    expect(last?.type === 'result' && last.result).toBe(result);
    expect(result).toMatchObject({ outcome: 'succeeded', exitCode: 0, polls: expect.any(Number) });
  });

  it('a token function that throws ends the watch as a result: outcome error, exit code 4', async () => {
    const watch = watchExport('success-lib-8', {
      baseUrl: sim.baseUrl,
      interval: 100,
      token: async () => {
        throw new Error('the vault is sealed');
      },
    });
    const types: string[] = [];
    for await (const event of watch) types.push(event.type);
    expect(types).toEqual(['result']);
    await expect(watch.result).resolves.toMatchObject({
      outcome: 'error',
      exitCode: 4,
      error: expect.stringContaining('the token function failed: the vault is sealed'),
    });
  });

  it('names its options, never a flag, when it says why a watch ended', async () => {
    const result = await watchExport('success-lib-9', {
      baseUrl: 'http://127.0.0.1:9/v4',
      interval: 100,
      maxRetries: 0,
    }).result;
    expect(result).toMatchObject({ outcome: 'error', exitCode: 4 });
    expect(result.error).toContain('(gave up after 1 attempt; maxRetries: 0)');
    const missing = await watchExport('not-found-lib-10', { baseUrl: sim.baseUrl, ...credentials() }).result;
    expect(missing.error).toContain('waitForCreate: 120000; else check the job ID and the baseUrl option');
    const timedOut = await watchExport('stuck-lib-11', {
      baseUrl: sim.baseUrl,
      interval: 100,
      timeout: 300,
      ...credentials(),
    }).result;
    expect(timedOut.error).toMatch(/^not finished within 300ms \(timeout\); last status /);
    for (const text of [result.error, missing.error, timedOut.error]) expect(text).not.toMatch(/--[a-z]/);
  });

  it('deadline: a Date or ISO text; the watch ends at it; one passed is refused with exit code 2', async () => {
    const deadline = new Date(Date.now() + 400);
    const ended = await watchExport('stuck-lib-12', {
      baseUrl: sim.baseUrl,
      interval: 100,
      deadline,
      ...credentials(),
    }).result;
    expect(ended).toMatchObject({ outcome: 'timeout', exitCode: 3 });
    expect(ended.error).toContain(`not finished by ${deadline.toISOString()} (deadline)`);
    const passed = watchExport('stuck-lib-13', {
      baseUrl: sim.baseUrl,
      deadline: '2020-01-01T00:00:00Z',
    }).result;
    await expect(passed).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^deadline: 2020-01-01T00:00:00.000Z has already passed/),
    });
  });
});

describe('watchExport with verifyDelivery', () => {
  let s3: S3Server;
  let delivering: Simulator;
  beforeAll(async () => {
    s3 = await startS3(['exports']);
    delivering = await startSimulator({ port: 0, durationMs: 1200, deliverTo: s3.endpoint });
  });
  afterAll(async () => {
    await delivering.close();
    await s3.close();
  });

  it('a job whose files arrived: succeeded with its delivery; AWS settings from env, never process.env', async () => {
    const started = await startExport(
      {
        ...REQUEST,
        dataDestination: {
          destinationType: 'AWS S3 bucket',
          path: 's3://exports/lib',
          s3Details: { region: 'us-east-1', accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
        },
      },
      { baseUrl: delivering.baseUrl },
    );
    const env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    };
    const result = await watchExport(started.jobId, {
      baseUrl: delivering.baseUrl,
      interval: 100,
      verifyDelivery: 's3://exports/lib',
      env,
    }).result;
    expect(result).toMatchObject({
      outcome: 'succeeded',
      delivery: { destination: 's3://exports/lib/', totalFiles: 3 },
    });
    // without the AWS settings: refused before anything is watched, exit 2
    await expect(
      watchExport(started.jobId, { baseUrl: delivering.baseUrl, verifyDelivery: 's3://exports/lib' }).result,
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('no AWS credentials') });
    await expect(
      watchExport(started.jobId, { baseUrl: delivering.baseUrl, verifyDelivery: 'ftp://x' }).result,
    ).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^verifyDelivery: an unknown kind/),
    });
  });
});
