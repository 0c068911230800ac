import { describe, expect, it } from 'vitest';
import { type ClientOptions, classifyFailure, fetchStatus, type StatusMemo } from '../src/api/client.js';
import { CredentialError, fixedToken, RenewingCredentials } from '../src/api/credentials.js';
import {
  BodyTooLargeError,
  type HttpRequest,
  type HttpResponse,
  type Transport,
} from '../src/api/transport.js';
import { VirtualClock } from './support/virtual-clock.js';

/** Stubs that each answer once, in order; an unexpected request fails the test. */
function stubs(...answers: Array<HttpResponse | Error>) {
  const requests: HttpRequest[] = [];
  const transport: Transport = async (req) => {
    requests.push(req);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${req.method} ${req.url.href}`);
    if (next instanceof Error) throw next;
    return next;
  };
  return { transport, requests, unused: () => answers.length };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function options(transport: Transport, extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    transport,
    credentials: fixedToken('s3cret-token', 'EGAIN_ACCESS_TOKEN'),
    language: 'fr-FR',
    userAgent: 'export-status/test node/20',
    headers: [['X-Trace', 'abc']],
    strict: false,
    clock: new VirtualClock(0),
    ...extra,
  };
}

const url = new URL('https://api.example/v4/content/export/J1/status');
const signal = new AbortController().signal;

describe('fetchStatus', () => {
  it("with a job's memo: the same body is the same outcome; a changed body or type is read afresh", async () => {
    const at42 = { status: 'In Progress', progress: { processed: 42, total: 100 } };
    const s = stubs(
      json(200, at42),
      json(200, at42),
      json(200, { ...at42, progress: { processed: 43, total: 100 } }),
      json(200, JSON.stringify({ ...at42, progress: { processed: 43, total: 100 } }), {
        'content-type': 'text/html',
      }),
      json(200, { status: 'Failed', error: 'boom' }),
    );
    const memo: StatusMemo = {};
    const poll = () => fetchStatus(url, options(s.transport), signal, 30_000, memo);
    const first = await poll();
    expect(await poll()).toBe(first);
    const third = await poll();
    expect(third).toMatchObject({ kind: 'status', status: { progress: { processed: 43 } } });
    expect(await poll()).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('text/html') });
    expect(await poll()).toMatchObject({ kind: 'status', status: { status: 'Failed', error: 'boom' } });
    expect(s.unused()).toBe(0);
  });

  it('sends the documented headers and returns the parsed status', async () => {
    const s = stubs(json(200, { status: 'In Progress', progress: { processed: 5 } }));
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome).toMatchObject({
      kind: 'status',
      status: { status: 'In Progress', progress: { processed: 5 } },
    });
    expect(s.requests[0]?.headers).toEqual({
      accept: 'application/json',
      'accept-language': 'fr-FR',
      'user-agent': 'export-status/test node/20',
      'x-trace': 'abc',
      authorization: 'Bearer s3cret-token',
    });
    expect(s.requests[0]?.maxBodyBytes).toBe(1024 * 1024);
  });

  it('sends no Authorization header without a token', async () => {
    const s = stubs(json(200, { status: 'Pending' }));
    await fetchStatus(url, options(s.transport, { credentials: undefined }), signal, 30_000);
    expect(s.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('keeps the token on a same-origin redirect and drops it when the redirect leaves the origin', async () => {
    const s = stubs(
      { status: 302, headers: { location: '/v4/content/export/J1/status2' }, body: '' },
      { status: 307, headers: { location: 'https://elsewhere.example/status' }, body: '' },
      json(200, { status: 'Pending' }),
    );
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome.kind).toBe('status');
    expect(s.requests.map((r) => [r.url.href, r.headers.authorization])).toEqual([
      [url.href, 'Bearer s3cret-token'],
      ['https://api.example/v4/content/export/J1/status2', 'Bearer s3cret-token'],
      ['https://elsewhere.example/status', undefined],
    ]);
  });

  it('stops after 5 redirects', async () => {
    const loop = { status: 302, headers: { location: '/again' }, body: '' };
    const s = stubs(loop, loop, loop, loop, loop, loop);
    expect(await fetchStatus(url, options(s.transport), signal, 30_000)).toEqual({
      kind: 'final',
      reason: 'more than 5 redirects',
    });
  });

  it.each([408, 429, 500, 502, 503, 504])('HTTP %d is transient and carries Retry-After', async (code) => {
    const s = stubs(json(code, { code: `${code}-1`, developerMessage: 'busy' }, { 'retry-after': '3' }));
    expect(await fetchStatus(url, options(s.transport), signal, 30_000)).toEqual({
      kind: 'transient',
      reason: `HTTP ${code}: ${code}-1 busy`,
      retryAfter: '3',
    });
  });

  it.each([400, 404, 405, 410, 501])('HTTP %d is final, with the WSErrorCommon message', async (code) => {
    const s = stubs(
      json(code, {
        code: `${code}-101`,
        developerMessage: 'Export job J1 was not found.',
        details: [{ key: 'jobID', value: 'J1' }],
      }),
    );
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome).toMatchObject({
      kind: 'final',
      httpStatus: code,
      reason: `HTTP ${code}: ${code}-101 Export job J1 was not found. (jobID=J1)`,
    });
    // a 404 says what it usually means: a job not created yet, or a wrong ID or base URL
    if (code === 404) expect(outcome).toMatchObject({ hint: { kind: 'not-found', from: 'the URL' } });
  });

  it.each([
    [401, { kind: 'not-renewable', source: 'EGAIN_ACCESS_TOKEN' }],
    // a 403 is a missing scope or permission, not an expired token
    [403, { kind: 'forbidden', source: 'EGAIN_ACCESS_TOKEN' }],
  ])('HTTP %d with a fixed token: final, with what it means for the token', async (code, hint) => {
    const s = stubs(json(code, { code: `${code}-100`, developerMessage: 'Unauthorized' }));
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome).toMatchObject({ kind: 'final', reason: `HTTP ${code}: ${code}-100 Unauthorized`, hint });
    // a fixed token is not asked again: one request only
    expect(s.requests).toHaveLength(1);
  });

  it('HTTP 401 with no credential names the ways to give one', async () => {
    const s = stubs(json(401, { code: '401-104', developerMessage: 'Invalid or missing authorization.' }));
    const outcome = await fetchStatus(url, options(s.transport, { credentials: undefined }), signal, 30_000);
    expect(outcome).toMatchObject({ kind: 'final', hint: { kind: 'no-credential' } });
  });

  it('HTTP 401 with a renewable source: renews once, repeats the request at once, and succeeds', async () => {
    const s = stubs(
      json(401, { code: '401-104', developerMessage: 'expired' }),
      json(200, { status: 'Pending' }),
    );
    const tokens = ['t1', 't2'];
    const clock = new VirtualClock(0);
    const credentials = new RenewingCredentials(
      '--token-command',
      async () => ({ token: tokens.shift() ?? 't?', renewAt: undefined }),
      clock,
    );
    const outcome = await clock.run(
      fetchStatus(url, options(s.transport, { credentials, clock }), signal, 30_000),
    );
    expect(outcome).toMatchObject({ kind: 'status', status: { status: 'Pending' } });
    expect(s.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    // tokens are fetched at most once a second: the renewal waited for that, and nothing else
    expect(clock.t).toBe(1000);
  });

  it('HTTP 401 again after renewing is final, and says so; renewal never loops', async () => {
    const refused = json(401, { code: '401-104', developerMessage: 'expired' });
    const s = stubs(refused, refused);
    let fetched = 0;
    const clock = new VirtualClock(0);
    const credentials = new RenewingCredentials(
      'client credentials',
      async () => ({ token: `t${++fetched}`, renewAt: undefined }),
      clock,
    );
    const outcome = await clock.run(
      fetchStatus(url, options(s.transport, { credentials, clock }), signal, 30_000),
    );
    expect(outcome).toMatchObject({
      kind: 'final',
      httpStatus: 401,
      hint: { kind: 'refused', source: 'client credentials', renewed: true },
    });
    expect(s.requests).toHaveLength(2);
    expect(fetched).toBe(2);
  });

  it('a token source that fails: transient failures are retried like the network, final ones end the job', async () => {
    const s = stubs(json(200, { status: 'Pending' }));
    const failing = (kind: 'transient' | 'final') =>
      new RenewingCredentials(
        'client credentials',
        async () => {
          throw new CredentialError(kind, 'the token endpoint answered HTTP 503');
        },
        new VirtualClock(0),
      );
    expect(
      await fetchStatus(url, options(s.transport, { credentials: failing('transient') }), signal, 30_000),
    ).toMatchObject({
      kind: 'transient',
      reason: 'no token: the token endpoint answered HTTP 503',
    });
    expect(
      await fetchStatus(url, options(s.transport, { credentials: failing('final') }), signal, 30_000),
    ).toMatchObject({ kind: 'final' });
    expect(s.requests).toHaveLength(0);
  });

  it('prefers the userMessage and strips escape sequences from server text', async () => {
    const s = stubs(
      json(404, {
        code: '404-1',
        developerMessage: 'dev',
        userMessage: '\u001b[31mGone\u001b]0;pwned\u0007\r\nreally',
      }),
    );
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome).toMatchObject({ kind: 'final', httpStatus: 404, reason: 'HTTP 404: 404-1 Gone really' });
  });

  it('an HTML page with 200 is an invalid response, quoted briefly', async () => {
    const s = stubs({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: `<html>${'x'.repeat(500)}</html>`,
    });
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome.kind).toBe('invalid');
    if (outcome.kind === 'invalid') {
      expect(outcome.reason).toMatch(/^expected JSON, got text\/html: "<html>x+…"$/);
      expect(outcome.reason.length).toBeLessThan(120);
    }
  });

  it('a 200 body that is not an ExportStatus is invalid, naming the field', async () => {
    const s = stubs(json(200, { progress: {} }));
    expect(await fetchStatus(url, options(s.transport), signal, 30_000)).toEqual({
      kind: 'invalid',
      reason: 'status: required, missing',
      strict: false,
    });
  });

  it('--strict passes through to the schema', async () => {
    const s = stubs(json(200, { status: 'Pending', extra: 1 }));
    const outcome = await fetchStatus(url, options(s.transport, { strict: true }), signal, 30_000);
    // judged by the strict schema: final even in the middle of a watch
    expect(outcome).toEqual({
      kind: 'invalid',
      reason: '(document): unexpected field "extra"',
      strict: true,
    });
  });

  it('logs requests with the token redacted', async () => {
    const lines: string[] = [];
    const s = stubs(json(200, { status: 'Pending' }));
    await fetchStatus(url, options(s.transport, { log: (l) => lines.push(l) }), signal, 30_000);
    expect(lines.join('\n')).toContain('authorization: Bearer ***');
    expect(lines.join('\n')).not.toContain('s3cret-token');
    expect(lines[1]).toMatch(/^← HTTP 200 in \d+ ms/);
  });
});

describe("a request's time limit", () => {
  /** A server that never answers the requests `hang` picks; the others it answers at once, or after `slowMs`. */
  function server(clock: VirtualClock, hang: (n: number) => boolean, slowMs = 0) {
    let n = 0;
    const transport: Transport = (req) =>
      new Promise((resolve, reject) => {
        n++;
        req.signal.addEventListener('abort', () => reject(req.signal.reason), { once: true });
        if (hang(n)) return;
        clock.sleep(slowMs).then(() => resolve(json(200, { status: 'Pending' })));
      });
    return transport;
  }

  it('ends that request only: the next one on the same signal goes out and is answered', async () => {
    const clock = new VirtualClock(0);
    const opts = options(
      server(clock, (n) => n === 1),
      { clock },
    );
    const job = new AbortController().signal;
    expect(await clock.run(fetchStatus(url, opts, job, 1000))).toMatchObject({
      kind: 'transient',
      timeoutMs: 1000,
    });
    expect(await clock.run(fetchStatus(url, opts, job, 1000))).toMatchObject({ kind: 'status' });
    expect(await clock.run(fetchStatus(url, opts, job, 1000))).toMatchObject({ kind: 'status' });
  });

  it('of one of two requests at once on one signal does not end the other', async () => {
    const clock = new VirtualClock(0);
    const opts = options(
      server(clock, (n) => n === 2, 2000),
      { clock },
    );
    const job = new AbortController().signal;
    // one answered first: a signal is kept for the next
    expect(await clock.run(fetchStatus(url, opts, job, 5000))).toMatchObject({ kind: 'status' });
    const both = Promise.all([fetchStatus(url, opts, job, 1000), fetchStatus(url, opts, job, 5000)]);
    const [short, long] = await clock.run(both);
    expect(short).toMatchObject({ kind: 'transient', timeoutMs: 1000 });
    expect(long).toMatchObject({ kind: 'status' });
  });

  it("the caller's signal ends the request under way, and every later one at once", async () => {
    const clock = new VirtualClock(0);
    const opts = options(
      server(clock, () => true),
      { clock },
    );
    const controller = new AbortController();
    const pending = fetchStatus(url, opts, controller.signal, 30_000);
    clock.after(500, () => controller.abort('SIGINT'));
    expect(await clock.run(pending)).toEqual({ kind: 'aborted' });
    expect(clock.now()).toBe(500);
    expect(await clock.run(fetchStatus(url, opts, controller.signal, 30_000))).toEqual({ kind: 'aborted' });
  });
});

describe('classifyFailure', () => {
  const quiet = new AbortController().signal;
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'])(
    '%s is transient',
    (code) => {
      expect(classifyFailure(err(code), quiet, 1000).kind).toBe('transient');
    },
  );

  it('a request timeout is transient and says so', () => {
    const e = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyFailure(e, quiet, 1500)).toEqual({
      kind: 'transient',
      reason: 'no answer within 1500 ms',
      timeoutMs: 1500,
    });
  });

  it('the user’s interrupt is not a failure', () => {
    const c = new AbortController();
    c.abort('SIGINT');
    expect(classifyFailure(new Error('aborted'), c.signal, 1000)).toEqual({ kind: 'aborted' });
  });

  it('a certificate problem is final, with the hint of a private CA', () => {
    const outcome = classifyFailure(
      err('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
      quiet,
      1000,
    );
    expect(outcome).toMatchObject({ kind: 'final', hint: { kind: 'certificate' } });
  });

  it('a body over 1 MiB is an invalid response', () => {
    expect(classifyFailure(new BodyTooLargeError(1024 * 1024), quiet, 1000)).toEqual({
      kind: 'invalid',
      reason: 'response body larger than 1 MiB',
    });
  });

  it('Node’s own verdicts on a request (ERR_*) are final, not retried', () => {
    expect(classifyFailure(err('ERR_INVALID_CHAR', 'Invalid character in header'), quiet, 1000).kind).toBe(
      'final',
    );
  });

  it('refuses a redirect from https down to plain http', async () => {
    const s = stubs({
      status: 302,
      headers: { location: 'http://api.example/v4/content/export/J1/status' },
      body: '',
    });
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome).toEqual({
      kind: 'final',
      reason: 'refused a redirect from https:// down to plain http:// (api.example)',
    });
    expect(s.requests).toHaveLength(1);
  });
});

describe('a credential across origins', () => {
  it('a 401 after a redirect to another origin says the credential was withheld, not that none was set', async () => {
    const s = stubs(
      { status: 302, headers: { location: 'https://elsewhere.example/status' }, body: '' },
      json(401, { code: '401-101', developerMessage: 'Invalid or expired authorization.' }),
    );
    const outcome = await fetchStatus(url, options(s.transport), signal, 30_000);
    expect(outcome).toMatchObject({
      kind: 'final',
      httpStatus: 401,
      hint: { kind: 'withheld', origin: 'https://elsewhere.example' },
    });
    expect(s.requests[1]?.headers.authorization).toBeUndefined();
  });

  it('a failed token fetch sent nothing: it is marked so, and the poller does not count it as a poll', async () => {
    const s = stubs();
    const failing = new RenewingCredentials(
      'the token command',
      async () => {
        throw new CredentialError('transient', 'vault sealed');
      },
      new VirtualClock(0),
    );
    const outcome = await fetchStatus(url, options(s.transport, { credentials: failing }), signal, 30_000);
    expect(outcome).toMatchObject({ kind: 'transient', reason: 'no token: vault sealed', notSent: true });
    expect(s.requests).toHaveLength(0);
  });
});
