import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExportStatus, wsErrorCommonSchema } from '../src/api/schema.js';
import { durationOf } from '../src/sim/scenarios.js';
import { type Simulator, startSimulator } from '../src/sim/server.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const REQUEST = {
  portalID: 'PROD-1000',
  language: { code: 'en-US' },
  resourceTypes: ['articles'],
  dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' },
};
const DURATION = 100_000;
let clock = T0;
let sim: Simulator;
let secured: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: DURATION, slowMs: 400, now: () => clock });
  secured = await startSimulator({ port: 0, durationMs: DURATION, token: 'tok-123', now: () => clock });
});
afterAll(async () => {
  await sim.close();
  await secured.close();
});

/** A GET of a job's status, with the Accept-Language the API requires (unless `init` says otherwise). */
const get = (id: string, base = sim.baseUrl, init: RequestInit = {}) =>
  fetch(`${base}/content/export/${encodeURIComponent(id)}/status`, {
    ...init,
    headers: { 'accept-language': 'en-US', ...(init.headers as Record<string, string> | undefined) },
  });

async function statusOf(id: string) {
  const res = await get(id);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  const parsed = parseExportStatus(await res.json());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

async function expectWsError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = wsErrorCommonSchema().parse(await res.json());
  expect(body.code).toBe(code);
  expect(body.developerMessage).toBeTruthy();
}

/** The API wants Accept-Language on every request, a POST too. */
const EN = { 'accept-language': 'en-US' };

describe('simulator', () => {
  it('serves on loopback with the API prefix', () => {
    expect(sim.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/knowledge\/portalmgr\/v4$/);
  });

  it('a success job goes Pending → In Progress → Successful on the server clock, each body valid in --strict', async () => {
    clock = T0;
    const id = `success-${Math.random()}`;
    const seen: Array<{ status: string; [key: string]: unknown }> = [];
    for (const at of [0, 5, 10, 55, 100, 150]) {
      clock = T0 + (at / 100) * DURATION;
      const res = await get(id);
      const body = (await res.json()) as { status: string };
      expect(parseExportStatus(body, { strict: true }).ok).toBe(true);
      seen.push(body);
    }
    expect(seen.map((s) => s.status)).toEqual([
      'Pending',
      'Pending',
      'In Progress',
      'In Progress',
      'Successful',
      'Successful',
    ]);
    expect(seen[3]).toMatchObject({ progress: { processed: 2250, total: 4500, percentage: 50 } });
    expect(seen[3]?.estimatedCompletion).toBe(new Date(T0 + DURATION).toISOString());
    expect(seen[3]?.startTime).toBe(new Date(T0 + DURATION * 0.1).toISOString());
    expect(seen[4]).toMatchObject({
      completionTime: new Date(T0 + DURATION).toISOString(),
      results: { successful: 4485, warnings: 10, errors: 5 },
    });
  });

  it('a failure job fails part-way with an error and a failure time', async () => {
    clock = T0;
    const id = `failure-${Math.random()}`;
    expect((await statusOf(id)).status).toBe('Pending');
    clock = T0 + DURATION;
    expect(await statusOf(id)).toMatchObject({
      status: 'Failed',
      error: 'Connection timeout after processing 2700 items.',
      progress: { processed: 2700, total: 4500 },
      failureTime: new Date(T0 + DURATION * 0.1 + DURATION * 0.9 * 0.6).toISOString(),
    });
  });

  it('a stuck job never finishes', async () => {
    clock = T0;
    const id = `stuck-${Math.random()}`;
    await statusOf(id);
    clock = T0 + 50 * DURATION;
    expect(await statusOf(id)).toMatchObject({ status: 'In Progress', progress: { percentage: 42 } });
  });

  it('an unknown-status job reports a status the client does not know, then succeeds', async () => {
    clock = T0;
    const id = `unknown-status-${Math.random()}`;
    await statusOf(id);
    clock = T0 + DURATION * 0.6;
    expect((await statusOf(id)).status).toBe('Archiving');
    clock = T0 + DURATION;
    expect((await statusOf(id)).status).toBe('Successful');
  });

  it('a flaky job answers 503 with Retry-After, the documented 429 (X-RateLimit-Reset), and a 429 with a Retry-After date', async () => {
    clock = T0;
    const id = `flaky-${Math.random()}`;
    const answers = [];
    for (let i = 0; i < 9; i++) answers.push(await get(id));
    expect(answers.map((r) => r.status)).toEqual([200, 503, 429, 200, 200, 503, 429, 200, 200]);
    expect(answers[1]?.headers.get('retry-after')).toBe('1');
    // as the API documents its 429: the rate-limit headers, and no Retry-After
    const documented = answers[2];
    expect(documented?.headers.get('retry-after')).toBeNull();
    expect(documented?.headers.get('x-ratelimit-limit')).toBe('100');
    expect(documented?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Date.parse(documented?.headers.get('x-ratelimit-reset') ?? '') - T0).toBeGreaterThanOrEqual(1000);
    await expectWsError(documented as Response, 429, '429-001');
    const date = answers[6]?.headers.get('retry-after') ?? '';
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    await expectWsError(answers[1] as Response, 503, '503-100');
  });

  it('answers the documented errors: 403-197, 406-100 (and to a missing or unknown Accept-Language), 500-100', async () => {
    await expectWsError(await get('forbidden-1'), 403, '403-197');
    await expectWsError(await get('not-acceptable-1'), 406, '406-100');
    await expectWsError(await get('server-error-1'), 500, '500-100');
    await expectWsError(
      await get('success-lang', sim.baseUrl, { headers: { 'accept-language': 'xx-XX' } }),
      406,
      '406-100',
    );
    const none = await fetch(`${sim.baseUrl}/content/export/success-none/status`);
    await expectWsError(none, 406, '406-100');
  });

  it('a slow job holds back some answers', async () => {
    const id = `slow-${Math.random()}`;
    const times = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect((await get(id)).status).toBe(200);
      times.push(performance.now() - started);
    }
    expect(times[1]).toBeGreaterThanOrEqual(350);
    // the held-back answer is the slow one: the first came without the hold-back
    expect(times[0]).toBeLessThan(times[1] ?? 0);
  });

  it('a garbage job answers HTML and broken JSON', async () => {
    const id = `garbage-${Math.random()}`;
    const first = await get(id);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await first.text()).toMatch(/^<!DOCTYPE html>/);
    const second = await get(id);
    expect(second.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse('{"status": "In Progr')).toThrow();
    expect(await second.text()).toBe('{"status": "In Progr');
  });

  it('a not-found job answers 404 WSErrorCommon', async () => {
    const res = await get('not-found-1');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: '404-100',
      developerMessage: "The following IDs supplied in the URI path were not found: 'not-found-1'.",
    });
  });

  it('POST /content/export answers 202 with the documented Location: relative, without /status', async () => {
    clock = T0;
    const res = await fetch(`${sim.baseUrl}/content/export?scenario=failure`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en-US' },
      body: JSON.stringify(REQUEST),
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/knowledge\/portalmgr\/v4\/content\/export\/failure-[0-9A-F-]{36}$/);
    clock = T0 + DURATION;
    const statusUrl = `${new URL(sim.baseUrl).origin}${location}/status`;
    const answer = await fetch(statusUrl, { headers: { 'accept-language': 'en-US' } });
    expect(((await answer.json()) as { status: string }).status).toBe('Failed');
  });

  it('POST with a body that is not JSON, or an unknown scenario, is a 400', async () => {
    const bad = await fetch(`${sim.baseUrl}/content/export`, { method: 'POST', headers: EN, body: '{nope' });
    await expectWsError(bad, 400, '400-100');
    const unknown = await fetch(`${sim.baseUrl}/content/export?scenario=chaos`, {
      method: 'POST',
      headers: EN,
      body: JSON.stringify(REQUEST),
    });
    await expectWsError(unknown, 400, '400-101');
    const missing = await fetch(`${sim.baseUrl}/content/export`, {
      method: 'POST',
      headers: EN,
      body: '{"portalID": "PROD-1000"}',
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      code: '400-112',
      developerMessage:
        'Required query parameter(s) is missing. The following parameters are required: language, resourceTypes, dataDestination',
    });
    const invalid = await fetch(`${sim.baseUrl}/content/export`, {
      method: 'POST',
      headers: EN,
      body: JSON.stringify({ ...REQUEST, resourceTypes: ['everything'] }),
    });
    expect(await invalid.json()).toMatchObject({
      code: '400-196',
      developerMessage:
        'Invalid value of attribute resourceTypes[0]: expected one of articles, topics, portals, all, got "everything".',
    });
  });

  it('unknown routes are 404 and wrong methods 405, as WSErrorCommon', async () => {
    await expectWsError(await fetch(`${sim.baseUrl}/admin`), 404, '404-100');
    const wrong = await get('x', sim.baseUrl, { method: 'DELETE' });
    expect(wrong.headers.get('allow')).toBe('GET');
    await expectWsError(wrong, 405, '405-100');
    await expectWsError(await fetch(`${sim.baseUrl}/content/export`), 405, '405-100');
  });

  it('an encoded ../ in an ID stays one path segment', async () => {
    const res = await get('../../admin');
    expect(res.status).toBe(200);
    expect(sim.requests.at(-1)?.path).toMatch(/\/content\/export\/\.\.%2F\.\.%2Fadmin\/status$/);
  });

  it('--token: 401 without the bearer token (401-101 on GET, as documented; 401-104 on POST), 200 with it', async () => {
    await expectWsError(await get('s1', secured.baseUrl), 401, '401-101');
    await expectWsError(
      await get('s1', secured.baseUrl, { headers: { authorization: 'Bearer wrong' } }),
      401,
      '401-101',
    );
    const post = await fetch(`${secured.baseUrl}/content/export`, {
      method: 'POST',
      headers: EN,
      body: JSON.stringify(REQUEST),
    });
    await expectWsError(post, 401, '401-104');
    expect((await get('s1', secured.baseUrl, { headers: { authorization: 'Bearer tok-123' } })).status).toBe(
      200,
    );
  });

  it('records the requests it served', async () => {
    await get('rec-1');
    expect(sim.requests.at(-1)).toMatchObject({
      method: 'GET',
      status: 200,
      path: '/knowledge/portalmgr/v4/content/export/rec-1/status',
    });
  });
});

describe('the simulator as an identity provider', () => {
  const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields) });
  const grant = {
    grant_type: 'client_credentials',
    client_id: 'c1',
    client_secret: 's1',
    scope: 'api.default',
  };

  it('issues tokens by client credentials that expire after --token-ttl, then answers 401-101', async () => {
    const idp = await startSimulator({
      port: 0,
      clientId: 'c1',
      clientSecret: 's1',
      tokenTtlMs: 2000,
      now: () => clock,
    });
    try {
      const res = await fetch(idp.tokenUrl, form(grant));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 2 });
      const auth = { headers: { authorization: `Bearer ${body.access_token}` } };
      expect((await get('s-idp', idp.baseUrl, auth)).status).toBe(200);
      clock += 2000;
      await expectWsError(await get('s-idp', idp.baseUrl, auth), 401, '401-101');
      await expectWsError(await get('s-idp', idp.baseUrl), 401, '401-101');
    } finally {
      await idp.close();
    }
  });

  it('refuses a wrong client, a wrong grant and a malformed scope with OAuth errors', async () => {
    const idp = await startSimulator({ port: 0, clientId: 'c1', clientSecret: 's1', now: () => clock });
    try {
      const error = async (fields: Record<string, string>) => {
        const res = await fetch(idp.tokenUrl, form(fields));
        return [res.status, ((await res.json()) as { error: string }).error];
      };
      expect(await error({ ...grant, client_secret: 'nope' })).toEqual([401, 'invalid_client']);
      expect(await error({ ...grant, grant_type: 'password' })).toEqual([400, 'unsupported_grant_type']);
      expect(await error({ ...grant, scope: 'all' })).toEqual([400, 'invalid_scope']);
    } finally {
      await idp.close();
    }
  });
});

describe('a malformed request', () => {
  it('a path that does not decode is answered 400 with a WSErrorCommon body, and the next request 200', async () => {
    const bad = await fetch(`${sim.baseUrl}/content/export/%E0%A4%A/status`, {
      headers: { 'accept-language': 'en-US' },
    });
    await expectWsError(bad, 400, '400-100');
    expect((await get(`success-after-bad-${Math.random()}`)).status).toBe(200);
  });
});

describe('as strict as the service', () => {
  it.each([
    ['none', {}],
    ['xx-XX', { 'accept-language': 'xx-XX' }],
    ['en', { 'accept-language': 'en' }],
  ])('a POST with Accept-Language %s is refused with 406-100, and no job is made', async (_, headers) => {
    const res = await fetch(`${sim.baseUrl}/content/export`, {
      method: 'POST',
      headers,
      body: JSON.stringify(REQUEST),
    });
    await expectWsError(res, 406, '406-100');
  });

  it('answers only under the API’s path: a base URL without it gets a 404 that says so', async () => {
    const root = new URL(sim.baseUrl).origin;
    const res = await fetch(`${root}/content/export/J1/status`, { headers: EN });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("the API's paths start with /knowledge/portalmgr/v4");
  });

  it.each([
    ['success-d3h-nightly', 3 * 3_600_000],
    ['stuck-d90s', 90_000],
    ['failure-D1h30m-x', 5_400_000],
    ['success-nightly', undefined],
    ['success-d3', undefined],
    ['success-dx-3h', undefined],
    ['success-d50ms', undefined],
    ['3h', 3 * 3_600_000],
    [null, undefined],
  ])('a job’s own duration: %j → %j', (text, ms) => {
    expect(durationOf(text)).toBe(ms);
  });

  it('a job of three hours is Pending for 30 s, not 18 minutes, and moves after', async () => {
    clock = T0;
    const status = async () =>
      (await (await get('success-d3h-pending')).json()) as {
        status: string;
        progress?: { percentage: number };
      };
    expect((await status()).status).toBe('Pending');
    clock = T0 + 31_000;
    expect((await status()).status).toBe('In Progress');
    // an hour and a half in: about half-way, as a job of three hours is
    clock = T0 + 90 * 60_000;
    const half = (await status()).progress?.percentage ?? 0;
    expect(half).toBeGreaterThan(45);
    expect(half).toBeLessThan(55);
  });

  it('a POST may choose the duration: ?duration=3h; a bad one is a 400', async () => {
    const post = (query: string) =>
      fetch(`${sim.baseUrl}/content/export?${query}`, {
        method: 'POST',
        headers: EN,
        body: JSON.stringify(REQUEST),
      });
    await expectWsError(await post('duration=soon'), 400, '400-101');
    expect((await post('duration=2h')).status).toBe(202);
  });
});

describe('the export body’s language, as the API checks it', () => {
  it('takes a code of the body’s own list (en-GB, ja-JA, fil-PH) and refuses others with 400-196 naming the allowed values', async () => {
    for (const code of ['en-GB', 'ja-JA', 'fil-PH']) {
      const res = await fetch(`${sim.baseUrl}/content/export`, {
        method: 'POST',
        headers: EN,
        body: JSON.stringify({ ...REQUEST, language: { code } }),
      });
      expect(res.status).toBe(202);
    }
    const refused = await fetch(`${sim.baseUrl}/content/export`, {
      method: 'POST',
      headers: EN,
      body: JSON.stringify({ ...REQUEST, language: { code: 'ja-JP' } }),
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { code: string; developerMessage: string };
    expect(body.code).toBe('400-196');
    expect(body.developerMessage).toMatch(
      /^Invalid value of attribute language\.code, expected values are: \[en-US, fr-FR, en-GB, .*xx-XX\]$/,
    );
  });
});
