import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportStatusError, getExportStatus, startExport, watchExport } from '../src/library/index.js';
import { runCli } from './support/cli.js';
import { hold, scriptedServer, sendJson, type TestServer } from './support/servers.js';

// Every security and validation promise, held on both front ends at once: the CLI (through
// main, in this process) and the library. Each case is one mistake, given to each in its own
// words; both refuse it with exit code 2 before any request, and no request reaches any server.

/**
 * Where requests for hosts that are not this machine go: a forward proxy on loopback that
 * forwards nothing. Each request it sees is one that a refusal should have stopped.
 */
interface Sink {
  url: string;
  seen: string[];
  close(): Promise<void>;
}

async function proxySink(): Promise<Sink> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with' : 'without'} a token`);
    sendJson(res, 200, { status: 'Successful' });
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let sink: Sink;
let local: TestServer;
beforeAll(async () => {
  sink = await proxySink();
  local = await scriptedServer((_req, res) => sendJson(res, 200, { status: 'Successful' }));
});
afterAll(async () => {
  await sink.close();
  await local.close();
});

const REMOTE = 'http://api.remote.test/v4';
const job = (base: string) => `${base}/content/export/J1/status`;

interface Mistake {
  name: string;
  /** The CLI's argv and environment (the proxy variables are added). */
  cli: () => { args: string[]; env?: Record<string, string> };
  /** The same mistake through the library, its options' env holding the proxy variables. */
  library: (env: Record<string, string>) => Promise<unknown>;
  /** What both messages say, in their own words. */
  cliSays: string;
  librarySays: string;
}

const token = { EGAIN_ACCESS_TOKEN: 'tok-123456' };

const MISTAKES: Mistake[] = [
  {
    name: 'a token over plain http to a job URL on another host',
    cli: () => ({ args: ['watch', job(REMOTE)], env: token }),
    library: (env) => watchExport(job(REMOTE), { token: 'tok-123456', env }).result,
    cliSays:
      'refusing to send the token over plain http:// to api.remote.test; use https://, or --insecure-http',
    librarySays:
      'refusing to send the token over plain http:// to api.remote.test; use https://, or allowInsecureHttp',
  },
  {
    name: 'a token over plain http to a base URL on another host (get)',
    cli: () => ({ args: ['get', 'J1', '--base-url', REMOTE], env: token }),
    library: (env) => getExportStatus('J1', { baseUrl: REMOTE, token: 'tok-123456', env }),
    cliSays: 'refusing to send the token over plain http:// to api.remote.test',
    librarySays: 'refusing to send the token over plain http:// to api.remote.test',
  },
  {
    name: 'a token over plain http to the IPv4-mapped IPv6 form of a private address',
    cli: () => ({ args: ['get', 'J1', '--base-url', 'http://[::ffff:10.0.0.1]/v4'], env: token }),
    library: (env) =>
      getExportStatus('J1', { baseUrl: 'http://[::ffff:10.0.0.1]/v4', token: 'tok-123456', env }),
    cliSays: 'refusing to send the token over plain http:// to [::ffff:a00:1]',
    librarySays: 'refusing to send the token over plain http:// to [::ffff:a00:1]',
  },
  {
    name: 'a client secret over plain http to a token URL on another host',
    cli: () => ({
      args: ['get', 'J1', '--base-url', local.url],
      env: {
        EGAIN_CLIENT_ID: 'me',
        EGAIN_CLIENT_SECRET: 'secret-123456',
        EGAIN_TOKEN_URL: 'http://login.remote.test/token',
      },
    }),
    library: (env) =>
      getExportStatus('J1', {
        baseUrl: local.url,
        clientId: 'me',
        clientSecret: 'secret-123456',
        tokenUrl: 'http://login.remote.test/token',
        env,
      }),
    cliSays: 'refusing to send the client secret over plain http:// to login.remote.test',
    librarySays: 'refusing to send the client secret over plain http:// to login.remote.test',
  },
  {
    name: 'a client secret over plain http, even when the API is https',
    cli: () => ({
      args: ['watch', 'J1', '--base-url', 'https://api.remote.test/v4'],
      env: {
        EGAIN_CLIENT_ID: 'me',
        EGAIN_CLIENT_SECRET: 'secret-123456',
        EGAIN_TOKEN_URL: 'http://login.remote.test/t',
      },
    }),
    library: (env) =>
      watchExport('J1', {
        baseUrl: 'https://api.remote.test/v4',
        clientId: 'me',
        clientSecret: 'secret-123456',
        tokenUrl: 'http://login.remote.test/t',
        env,
      }).result,
    cliSays: 'refusing to send the client secret over plain http:// to login.remote.test',
    librarySays: 'refusing to send the client secret over plain http:// to login.remote.test',
  },
  {
    name: 'no credential for a host that is not this machine',
    cli: () => ({ args: ['get', 'J1', '--base-url', 'https://api.remote.test/v4'] }),
    library: (env) => getExportStatus('J1', { baseUrl: 'https://api.remote.test/v4', env }),
    cliSays: 'no credential for api.remote.test: set EGAIN_ACCESS_TOKEN',
    librarySays: 'no credential for api.remote.test: set the token, tokenCommand',
  },
  {
    name: 'a token holding a space',
    cli: () => ({ args: ['get', 'J1', '--base-url', local.url], env: { EGAIN_ACCESS_TOKEN: 'abc def' } }),
    library: (env) => getExportStatus('J1', { baseUrl: local.url, token: 'abc def', env }),
    cliSays: 'EGAIN_ACCESS_TOKEN contains a newline, a space or a control character',
    librarySays: 'the token option contains a newline, a space or a control character',
  },
  {
    name: 'a token holding a BEL character',
    cli: () => ({
      args: ['get', 'J1', '--base-url', local.url],
      env: { EGAIN_ACCESS_TOKEN: 'abc\u0007def' },
    }),
    library: (env) => watchExport('J1', { baseUrl: local.url, token: 'abc\u0007def', env }).result,
    cliSays: 'EGAIN_ACCESS_TOKEN contains a newline, a space or a control character',
    librarySays: 'the token option contains a newline, a space or a control character',
  },
  {
    name: 'a token with a TAB, from the environment or from a token function',
    cli: () => ({ args: ['get', 'J1', '--base-url', local.url], env: { EGAIN_ACCESS_TOKEN: 'fn\ttok' } }),
    library: (env) => getExportStatus('J1', { baseUrl: local.url, token: async () => 'fn tok en', env }),
    cliSays: 'EGAIN_ACCESS_TOKEN contains a newline, a space or a control character',
    librarySays: 'the token from the token function contains a newline, a space or a control character',
  },
  {
    name: 'an interval under 100 ms',
    cli: () => ({ args: ['watch', 'J1', '--base-url', local.url, '--interval', '5ms'] }),
    library: (env) => watchExport('J1', { baseUrl: local.url, interval: 5, env }).result,
    cliSays: '--interval: at least 100ms, got 5ms',
    librarySays: 'interval: at least 100 ms, got 5 ms',
  },
  {
    name: 'an interval of 0',
    cli: () => ({ args: ['watch', 'J1', '--base-url', local.url, '--interval', '0'] }),
    library: (env) => watchExport('J1', { baseUrl: local.url, interval: 0, env }).result,
    cliSays: '--interval: at least 100ms, got 0ms',
    librarySays: 'interval: at least 100 ms, got 0 ms',
  },
  {
    name: 'a shortest interval longer than the longest',
    cli: () => ({
      args: [
        'watch',
        'J1',
        '--base-url',
        local.url,
        '-i',
        'auto',
        '--min-interval',
        '60s',
        '--max-interval',
        '1s',
      ],
    }),
    library: (env) =>
      watchExport('J1', { baseUrl: local.url, interval: 'auto', minInterval: 60_000, maxInterval: 1000, env })
        .result,
    cliSays: '--min-interval (1m) must not be longer than --max-interval (1s)',
    librarySays: 'minInterval (60000 ms) must not be longer than maxInterval (1000 ms)',
  },
  {
    name: 'a request timeout of 0',
    cli: () => ({ args: ['watch', 'J1', '--base-url', local.url, '--request-timeout', '0'] }),
    library: (env) => watchExport('J1', { baseUrl: local.url, requestTimeout: 0, env }).result,
    cliSays: '--request-timeout: at least 100ms',
    librarySays: 'requestTimeout: at least 100 ms',
  },
  {
    name: 'a fail-on level that does not exist',
    cli: () => ({ args: ['watch', 'J1', '--base-url', local.url, '--fail-on', 'warning'] }),
    library: (env) => watchExport('J1', { baseUrl: local.url, failOn: 'warning' as 'warnings', env }).result,
    cliSays: "'warning' is invalid. Allowed choices are never, errors, warnings",
    librarySays: 'failOn: expected one of never, errors, warnings, got "warning"',
  },
  {
    name: 'a language the API does not take',
    cli: () => ({ args: ['get', 'J1', '--base-url', local.url, '--language', 'en'] }),
    library: (env) => getExportStatus('J1', { baseUrl: local.url, language: 'en', env }),
    cliSays: '--language: the export API takes en-US',
    librarySays: 'language: the export API takes en-US',
  },
  {
    name: 'an Authorization header given as an extra header',
    cli: () => ({ args: ['get', 'J1', '--base-url', local.url, '-H', 'Authorization: Bearer x'] }),
    library: (env) =>
      getExportStatus('J1', { baseUrl: local.url, headers: { Authorization: 'Bearer x' }, env }),
    cliSays: '--header: Authorization cannot be set this way',
    librarySays: 'headers: Authorization cannot be set this way',
  },
  {
    name: 'a header value that would start a second header',
    cli: () => ({ args: ['get', 'J1', '--base-url', local.url, '-H', 'X-A: a\r\nX-B: b'] }),
    library: (env) => getExportStatus('J1', { baseUrl: local.url, headers: { 'X-A': 'a\r\nX-B: b' }, env }),
    cliSays: '--header: the value of X-A must be text without control characters',
    librarySays: 'headers: the value of X-A must be text without control characters',
  },
];

/** Mistakes only a program can make: values of the wrong type, which no flag parser lets through. */
const PROGRAM_MISTAKES: Array<[string, (env: Record<string, string>) => Promise<unknown>, string]> = [
  [
    'a timeout given as text',
    (env) => watchExport('J1', { baseUrl: local.url, timeout: '1h' as unknown as number, env }).result,
    'timeout: expected a number of milliseconds, got "1h"',
  ],
  [
    'an interval of NaN',
    (env) => watchExport('J1', { baseUrl: local.url, interval: Number.NaN, env }).result,
    "interval: expected a number of milliseconds or 'auto', got NaN",
  ],
  [
    'a negative interval',
    (env) => watchExport('J1', { baseUrl: local.url, interval: -1, env }).result,
    'interval: at least 100 ms, got -1 ms',
  ],
  [
    'an infinite stall timeout',
    (env) => watchExport('J1', { baseUrl: local.url, stallTimeout: Number.POSITIVE_INFINITY, env }).result,
    'stallTimeout: expected a number of milliseconds, got Infinity',
  ],
  [
    'a fractional retry count',
    (env) => getExportStatus('J1', { baseUrl: local.url, maxRetries: 2.5, env }),
    'maxRetries: expected a whole number from 0 to 1000, got 2.5',
  ],
  [
    'a token that is neither text nor a function',
    (env) => getExportStatus('J1', { baseUrl: local.url, token: 42 as unknown as string, env }),
    'token: expected a string or a function returning one',
  ],
];

describe('every mistake is refused by the CLI and the library alike, before any request', () => {
  it.each(MISTAKES.map((m) => [m.name, m] as const))('%s', async (_name, mistake) => {
    const before = { sink: sink.seen.length, local: local.requests.length };
    const proxyEnv = { HTTP_PROXY: sink.url, HTTPS_PROXY: sink.url };
    const { args, env } = mistake.cli();
    const cli = await runCli(args, { env: { ...env, ...proxyEnv } });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(mistake.cliSays);
    expect(cli.stdout).toBe('');

    const refused = await mistake.library(proxyEnv).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ExportStatusError);
    expect(refused).toMatchObject({ exitCode: 2, message: expect.stringContaining(mistake.librarySays) });

    expect(sink.seen.slice(before.sink)).toEqual([]);
    expect(local.requests.length).toBe(before.local);
  });

  it.each(PROGRAM_MISTAKES)('the library refuses %s, naming the option', async (_name, call, says) => {
    const before = local.requests.length;
    await expect(call({})).rejects.toMatchObject({ exitCode: 2, message: says });
    expect(local.requests.length).toBe(before);
  });
});

describe('starting an export: one outcome, one exit code, on every front end', () => {
  let server: TestServer;
  let dir: string;
  const BODY = {
    portalID: 'PROD-1000',
    language: { code: 'en-US' },
    resourceTypes: ['articles'],
    dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' },
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'export-status-start-'));
    writeFileSync(join(dir, 'body.json'), JSON.stringify(BODY));
    // The base URL's first segment picks how the POST is answered.
    server = await scriptedServer((req, res) => {
      const how = (req.url ?? '').split('/')[1];
      req.resume();
      req.on('end', () => {
        if (how === 'accept') {
          res.writeHead(202, { location: '/accept/v4/content/export/JOB-7' });
          res.end();
        } else if (how === 'refuse') {
          sendJson(res, 400, {
            code: '400-196',
            developerMessage: 'Invalid value of attribute portalID.',
            details: [{ key: 'portalID', value: 'PROD-1000' }],
          });
        } else if (how === 'nolocation') {
          res.writeHead(202);
          res.end();
        } else if (how === 'dashes') {
          res.writeHead(202, { location: '/dashes/v4/content/export/--help' });
          res.end();
        } else if (how === 'silent') {
          // The body was read, and no answer comes (until the client gives up).
          hold(res);
        } else {
          // The body was read, and the connection dropped before any answer.
          req.socket.destroy();
        }
      });
    });
  });
  afterAll(() => server.close());

  it.each([
    ['accept', 0, ''],
    [
      'refuse',
      4,
      'the export was not started: HTTP 400: 400-196 Invalid value of attribute portalID. (portalID=PROD-1000)',
    ],
    ['nolocation', 5, 'the server answered HTTP 202 with no Location header, so the new job cannot be found'],
    [
      'dashes',
      5,
      'the server answered HTTP 202 with an unusable Location "/dashes/v4/content/export/--help"',
    ],
    ['drop', 4, 'the export may or may not have started'],
    [
      'silent',
      4,
      'the export may or may not have started: no answer within 300 ms, after the request was sent',
    ],
  ] as const)(
    'a server that answers %s: exit %d from start and from startExport',
    async (how, code, says) => {
      const baseUrl = `${server.url}/${how}/v4`;
      const posts = () =>
        server.requests.filter((r) => r.method === 'POST' && r.url.startsWith(`/${how}/`)).length;
      const cli = await runCli([
        'start',
        '--body',
        join(dir, 'body.json'),
        '--base-url',
        baseUrl,
        '--request-timeout',
        '300ms',
      ]);
      expect(cli.code).toBe(code);
      const library = await startExport(BODY, { baseUrl, requestTimeout: 300 }).then(
        (started) => ({ exitCode: 0, message: '', started }),
        (err: ExportStatusError) => ({ exitCode: err.exitCode, message: err.message, started: undefined }),
      );
      expect(library.exitCode).toBe(code);
      if (code === 0) {
        expect(cli.stdout).toBe('JOB-7\n');
        expect(library.started).toEqual({
          jobId: 'JOB-7',
          statusUrl: `${baseUrl}/content/export/JOB-7/status`,
          reused: false,
        });
      } else {
        // the same words from both: no setting is named in a start outcome
        expect(cli.stdout).toBe('');
        expect(cli.stderr).toBe(`error: ${library.message}\n`);
        expect(library.message).toContain(says);
      }
      // each front end sent its POST once, never twice
      expect(posts()).toBe(2);
    },
  );
});
