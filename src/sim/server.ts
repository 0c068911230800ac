import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPORT_LANGUAGES, parseExportRequest } from '../api/export-request.js';
import { apiLanguage } from '../api/languages.js';
import { parseExportStatus } from '../api/schema.js';
import { DEFAULTS, defaultMs } from '../core/defaults.js';
import { type Destination, destinationOfBody } from '../delivery/destination.js';
import { durationOf, SCENARIOS, type Scenario, type SimJob, scenarioOf, statusAt } from './scenarios.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How long a job takes from creation to its end. */
  durationMs?: number;
  /** When set, every request must carry `Authorization: Bearer <token>` (this one, or an issued one). */
  token?: string | undefined;
  /**
   * OAuth 2.0 client credentials: with both set, `POST /oauth2/v2.0/token` issues tokens that
   * expire after `tokenTtlMs`, and every API request must carry a live one (or `token`).
   */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** How long an issued token lives (default 1 h). */
  tokenTtlMs?: number | undefined;
  /** How long a `slow` job's slow answers are held back (real time, whatever `now` says). */
  slowMs?: number;
  /** One line per request. */
  log?: ((line: string) => void) | undefined;
  /** How many requests `requests` keeps (the oldest go first). */
  maxRecorded?: number;
  /** The server's clock: job progress follows it (a virtual clock in tests). */
  now?: () => number;
  /** Told of each answer the simulator holds back (the `slow` scenario): a test's clock goes on meanwhile. */
  holding?: ((res: http.ServerResponse) => void) | undefined;
  /**
   * `serve --deliver`: a job created by a POST writes a few JSON files to the body's S3
   * destination, at this S3-compatible endpoint (AWS_ENDPOINT_URL_S3), before it answers
   * Successful; with the body's own keys.
   */
  deliverTo?: string | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** When the request arrived and when its answer was sent (server clock, ms). */
  at: number;
  end: number;
  status: number;
  authorized: boolean;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT/knowledge/portalmgr/v4` — what `--base-url` takes. */
  baseUrl: string;
  port: number;
  /** The most recent requests, oldest first (bounded). */
  requests: RecordedRequest[];
  /** `http://127.0.0.1:PORT/oauth2/v2.0/token`: where client credentials get a token. */
  tokenUrl: string;
  /** Issues a token as the token endpoint would (for a test's sidecar that refreshes a token file). */
  issueToken(): string;
  close(): Promise<void>;
}

/** The path prefix of the real API, which the simulator serves under, and only under. */
const API_PREFIX = '/knowledge/portalmgr/v4';
const DEFAULT_SIM_DURATION_MS = defaultMs(DEFAULTS.serve.duration);
const DEFAULT_SLOW_MS = defaultMs(DEFAULTS.serve.slow);
const DEFAULT_TOTAL = 4500;
const MAX_JOBS = 10_000;
const MAX_RECORDED = 5_000;
const MAX_POST_BYTES = 64 * 1024;

const TOKEN_ROUTE = '/oauth2/v2.0/token';
const DEFAULT_TOKEN_TTL_MS = defaultMs(DEFAULTS.serve.tokenTtl);
const STATUS_ROUTE = new RegExp(`^${API_PREFIX}/content/export/([^/]+)/status$`);
const EXPORT_ROUTE = new RegExp(`^${API_PREFIX}/content/export$`);

/** A real HTTP server implementing the export API, with scenarios for its bad days. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new SimulatorState(options);
  const server = http.createServer((req, res) => sim.handle(req, res));
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  sim.baseUrl = `http://${host}:${address.port}${API_PREFIX}`;
  return {
    baseUrl: sim.baseUrl,
    port: address.port,
    requests: sim.requests,
    tokenUrl: `http://${host}:${address.port}${TOKEN_ROUTE}`,
    issueToken: () => sim.issueToken(),
    close: () =>
      new Promise<void>((resolve) => {
        sim.stopTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The simulator's jobs and its answers to each route. */
class SimulatorState {
  baseUrl = '';
  readonly requests: RecordedRequest[] = [];
  private readonly jobs = new Map<string, SimJob>();
  /** Issued access tokens and when each expires (server clock). */
  private readonly issued = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly options: SimulatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Every request gets an answer: one that cannot be handled is a 400, and the server goes on. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      this.route(req, res);
    } catch {
      if (!res.headersSent) sendError(res, 400, '400-100', 'The request could not be read.');
      else res.destroy();
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const authorized = this.authorized(req.headers.authorization);
    this.record(req, res, url, authorized);
    if (url.pathname === TOKEN_ROUTE) {
      this.tokenEndpoint(req, res);
      return;
    }
    const statusMatch = STATUS_ROUTE.exec(url.pathname);
    const isExport = EXPORT_ROUTE.test(url.pathname);
    const { pathname } = url;
    if (!statusMatch && !isExport) {
      // The commonest mistake, a base URL without the API's path, is told as the service would
      // answer it (404), with what the path should start with.
      if (pathname.startsWith(`${API_PREFIX}/`)) sendError(res, 404, '404-100', `No route for ${pathname}`);
      else {
        // Outside the API: not its own 404 (no WSErrorCommon code), a gateway's.
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`Not Found: no route for ${pathname}; the API's paths start with ${API_PREFIX}`);
      }
    } else if (statusMatch && req.method !== 'GET')
      sendError(res, 405, '405-100', `Use GET on ${pathname}`, { allow: 'GET' });
    else if (isExport && req.method !== 'POST')
      sendError(res, 405, '405-100', `Use POST on ${pathname}`, { allow: 'POST' });
    else if (!authorized && isExport)
      sendError(res, 401, '401-104', "Invalid or missing 'authorization' header value.", {
        'www-authenticate': 'Bearer',
      });
    else if (!authorized)
      sendError(
        res,
        401,
        '401-101',
        "Invalid or expired 'Authorization' header provided. New login is required.",
        {
          'www-authenticate': 'Bearer',
        },
      );
    else if (!apiLanguage(String(req.headers['accept-language'] ?? '')))
      // Required on every request, the POST too, and one of the 15, as the API's description says.
      sendError(res, 406, '406-100', "The 'Accept-Language' header value is invalid.");
    else if (isExport) this.createExport(req, res, url);
    else {
      const job = this.jobFor(decodeURIComponent(statusMatch?.[1] ?? ''));
      job.requests++;
      this.answerStatus(job, res);
    }
  }

  issueToken(): string {
    const token = `sim-${randomUUID()}`;
    this.issued.set(token, this.now() + (this.options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS));
    return token;
  }

  /** No credential asked for, the fixed token, or an issued token that has not expired. */
  private authorized(header: string | undefined): boolean {
    const { token, clientId } = this.options;
    if (!token && !clientId) return true;
    const bearer = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (!bearer) return false;
    if (bearer === token) return true;
    const expires = this.issued.get(bearer);
    return expires !== undefined && this.now() < expires;
  }

  /** POST /oauth2/v2.0/token: the client credentials grant, the client authenticated in the form. */
  private tokenEndpoint(req: http.IncomingMessage, res: http.ServerResponse): void {
    const oauthError = (status: number, error: string, description: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error, error_description: description }));
    };
    if (req.method !== 'POST') {
      oauthError(405, 'invalid_request', 'Use POST.');
      return;
    }
    readBody(req, MAX_POST_BYTES).then((text) => {
      const form = new URLSearchParams(text ?? '');
      const { clientId, clientSecret } = this.options;
      if (!clientId || !clientSecret) return oauthError(400, 'unsupported_grant_type', 'No clients here.');
      if (form.get('grant_type') !== 'client_credentials')
        return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)
        return oauthError(401, 'invalid_client', 'Client authentication failed.');
      const scope = form.get('scope');
      if (scope !== null && !/(^|\s)\S+\.default($|\s)/.test(scope))
        return oauthError(400, 'invalid_scope', `The scope ${JSON.stringify(scope)} is not valid.`);
      const ttlMs = this.options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(
        JSON.stringify({
          access_token: this.issueToken(),
          token_type: 'Bearer',
          expires_in: Math.round(ttlMs / 1000),
        }),
      );
    });
  }

  stopTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Keeps the request (bounded) and logs it once its answer has gone. */
  private record(req: http.IncomingMessage, res: http.ServerResponse, url: URL, authorized: boolean): void {
    const started = this.now();
    res.on('finish', () => {
      if (this.requests.length >= (this.options.maxRecorded ?? MAX_RECORDED)) this.requests.shift();
      const end = this.now();
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        at: started,
        end,
        status: res.statusCode,
        authorized,
      });
      this.options.log?.(`${req.method} ${url.pathname} → ${res.statusCode} (${end - started} ms)`);
    });
  }

  private jobFor(id: string, scenario?: Scenario, durationMs?: number): SimJob {
    let job = this.jobs.get(id);
    if (!job) {
      if (this.jobs.size >= MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
      job = {
        id,
        scenario: scenario ?? scenarioOf(id),
        createdAt: this.now(),
        durationMs: durationMs ?? durationOf(id) ?? this.options.durationMs ?? DEFAULT_SIM_DURATION_MS,
        total: DEFAULT_TOTAL,
        requests: 0,
      };
      this.jobs.set(id, job);
    }
    return job;
  }

  /** POST /content/export: a new job of the scenario in `?scenario=` (success by default). */
  private createExport(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const scenarioParam = url.searchParams.get('scenario') ?? 'success';
    if (!(SCENARIOS as readonly string[]).includes(scenarioParam)) {
      sendError(res, 400, '400-101', `Unknown scenario ${JSON.stringify(scenarioParam)}`);
      return;
    }
    const durationParam = url.searchParams.get('duration');
    const durationMs = durationOf(durationParam);
    if (durationParam !== null && durationMs === undefined) {
      sendError(
        res,
        400,
        '400-101',
        `Invalid duration ${JSON.stringify(durationParam)}: like 90s, 30m or 3h`,
      );
      return;
    }
    readBody(req, MAX_POST_BYTES).then((text) => {
      if (text === null) return sendError(res, 413, '413-100', 'Request body too large.');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return sendError(res, 400, '400-100', 'The request body is not JSON.');
      }
      // The same schema `start` validates with, so the two agree on what a valid request is.
      const request = parseExportRequest(json);
      if (!request.ok) return rejectRequest(res, request.issues);
      // The body's own list of language codes, which the client leaves to the server.
      const code = request.value.language.code;
      if (!(EXPORT_LANGUAGES as readonly string[]).includes(code)) {
        return sendError(
          res,
          400,
          '400-196',
          `Invalid value of attribute language.code, expected values are: [${EXPORT_LANGUAGES.join(', ')}]`,
          {},
          [{ key: 'language.code', value: code }],
        );
      }
      const scenario = scenarioParam as Scenario;
      const uuid = randomUUID().toUpperCase();
      const id = scenario === 'success' ? uuid : `${scenario}-${uuid}`;
      const job = this.jobFor(id, scenario, durationMs);
      if (this.options.deliverTo && request.value.dataDestination.destinationType === 'AWS S3 bucket') {
        job.destination = destinationOfBody(request.value as Record<string, unknown>, 'the request');
      }
      // As the API documents it: relative, and without /status.
      const location = `${API_PREFIX}/content/export/${encodeURIComponent(id)}`;
      // As documented: a Location, and no body.
      res.writeHead(202, { location });
      res.end();
    });
  }

  /** GET …/status: the job's document, or the bad answer its scenario calls for at this request. */
  private answerStatus(job: SimJob, res: http.ServerResponse): void {
    const n = job.requests;
    switch (job.scenario) {
      case 'not-found':
        sendError(
          res,
          404,
          '404-100',
          `The following IDs supplied in the URI path were not found: '${job.id}'.`,
        );
        return;
      case 'forbidden':
        sendError(res, 403, '403-197', 'Not authorized to perform this action.');
        return;
      case 'not-acceptable':
        sendError(res, 406, '406-100', "The 'Accept-Language' header value is invalid.");
        return;
      case 'server-error':
        sendError(
          res,
          500,
          '500-100',
          'System is unable to process this request. Please contact your administrator.',
        );
        return;
      case 'garbage':
        sendGarbage(res, n);
        return;
      case 'flaky':
        // good, 503, 429, good, good, 503, 429, …: a 503 with Retry-After in seconds; a 429 as
        // the API documents it (X-RateLimit-Reset, no Retry-After), then one with a Retry-After date.
        if (n % 4 === 2) {
          sendError(res, 503, '503-100', 'Service temporarily unavailable.', { 'retry-after': '1' });
          return;
        }
        if (n % 4 === 3) {
          const reset = new Date(Math.ceil(this.now() / 1000) * 1000 + 1000);
          const headers: Record<string, string> =
            Math.floor(n / 4) % 2 === 0
              ? {
                  'x-ratelimit-limit': '100',
                  'x-ratelimit-remaining': '0',
                  'x-ratelimit-reset': reset.toISOString(),
                }
              : { 'retry-after': reset.toUTCString() };
          sendError(res, 429, '429-001', 'Too many requests.', headers);
          return;
        }
        break;
      case 'slow':
        if (n % 3 === 2) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            if (!res.destroyed) this.sendStatus(job, res);
          }, this.options.slowMs ?? DEFAULT_SLOW_MS);
          this.timers.add(timer);
          this.options.holding?.(res);
          return;
        }
        break;
      default:
        break;
    }
    this.sendStatus(job, res);
  }

  private sendStatus(job: SimJob, res: http.ServerResponse): void {
    const doc = statusAt(job, this.now());
    if (doc.status === 'Successful' && job.destination && this.options.deliverTo) {
      // The files are there before the status says Successful, as a real export's would be.
      job.delivered ??= deliverFiles(job, job.destination, this.options.deliverTo);
      job.delivered.then(
        () => this.answer(job, doc, res),
        () => this.answer(job, doc, res),
      );
      return;
    }
    this.answer(job, doc, res);
  }

  private answer(job: SimJob, doc: ReturnType<typeof statusAt>, res: http.ServerResponse): void {
    if (res.destroyed) return;
    // The document is checked against the client's own schema, so the two can never drift apart.
    const check = parseExportStatus(doc, { strict: job.scenario !== 'unknown-status' });
    if (!check.ok) throw new Error(`simulator produced an invalid document: ${JSON.stringify(check.issues)}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  }
}

/** Files a simulated export writes: a few JSON files of articles, as eGain's up to 250 a file. */
const DELIVERED_FILES = 3;

/** Writes the job's files to its S3 destination with the body's keys (path-style, at `endpoint`). */
async function deliverFiles(job: SimJob, destination: Destination, endpoint: string): Promise<void> {
  if (destination.kind !== 's3' || !destination.credentials) return;
  const { AwsClient } = await import('aws4fetch');
  const client = new AwsClient({
    ...destination.credentials,
    service: 's3',
    region: destination.region ?? 'us-east-1',
  });
  const base = `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(destination.bucket)}`;
  for (let part = 1; part <= DELIVERED_FILES; part++) {
    const key = `${destination.prefix}${job.id}/articles-${part}.json`;
    const body = JSON.stringify({
      export: job.id,
      part,
      articles: Array.from({ length: 5 }, (_, i) => ({ id: `A${part}-${i}` })),
    });
    const res = await client.fetch(`${base}/${key.split('/').map(encodeURIComponent).join('/')}`, {
      method: 'PUT',
      body,
    });
    if (!res.ok) throw new Error(`PUT ${key}: HTTP ${res.status}`);
  }
}

/**
 * 400 as the API answers an invalid export request: 400-112 naming the missing parameters, else
 * 400-196 naming the first attribute with an invalid value; every issue in `details`.
 */
function rejectRequest(
  res: http.ServerResponse,
  issues: ReadonlyArray<{ path: string; message: string }>,
): void {
  const details = issues.map((i) => ({ key: i.path, value: i.message }));
  const missing = issues.filter((i) => i.message.endsWith('got nothing')).map((i) => i.path);
  const [first] = issues;
  if (missing.length > 0) {
    sendError(
      res,
      400,
      '400-112',
      `Required query parameter(s) is missing. The following parameters are required: ${missing.join(', ')}`,
      {},
      details,
    );
  } else {
    sendError(
      res,
      400,
      '400-196',
      `Invalid value of attribute ${first?.path}: ${first?.message}.`,
      {},
      details,
    );
  }
}

/** A sign-in page, then a truncated JSON body, in turn. */
function sendGarbage(res: http.ServerResponse, n: number): void {
  if (n % 2 === 1) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in.</body></html>');
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status": "In Progr');
  }
}

/** The request body as text, or null when it is larger than `maxBytes`. */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? null : Buffer.concat(chunks).toString('utf8')));
  });
}

function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  developerMessage: string,
  headers: Record<string, string> = {},
  details?: Array<{ key: string; value: string }>,
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(details ? { code, developerMessage, details } : { code, developerMessage }));
}
