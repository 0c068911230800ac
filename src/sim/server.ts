import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseExportRequest } from '../api/export-request.js';
import { parseExportStatus } from '../api/schema.js';
import { SCENARIOS, type Scenario, type SimJob, scenarioOf, statusAt } from './scenarios.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How long a job takes from creation to its end. */
  durationMs?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** How long a `slow` job's slow answers are held back. */
  slowMs?: number;
  /** One line per request. */
  log?: ((line: string) => void) | undefined;
  /** How many requests `requests` keeps (the oldest go first). */
  maxRecorded?: number;
  now?: () => number;
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
  close(): Promise<void>;
}

export const API_PREFIX = '/knowledge/portalmgr/v4';
export const DEFAULT_SIM_DURATION_MS = 20_000;
/** Longer than the client's default 30 s request timeout. */
export const DEFAULT_SLOW_MS = 35_000;
const DEFAULT_TOTAL = 4500;
const MAX_JOBS = 10_000;
const MAX_RECORDED = 5_000;
const MAX_POST_BYTES = 64 * 1024;

const STATUS_ROUTE = /^(?:\/knowledge\/portalmgr\/v4)?\/content\/export\/([^/]+)\/status$/;
const EXPORT_ROUTE = /^(?:\/knowledge\/portalmgr\/v4)?\/content\/export$/;

/** A real HTTP server implementing the export API (SPEC §1), with scenarios for its bad days. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const durationMs = options.durationMs ?? DEFAULT_SIM_DURATION_MS;
  const slowMs = options.slowMs ?? DEFAULT_SLOW_MS;
  const jobs = new Map<string, SimJob>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  function jobFor(id: string, scenario?: Scenario): SimJob {
    let job = jobs.get(id);
    if (!job) {
      if (jobs.size >= MAX_JOBS) jobs.delete(jobs.keys().next().value as string);
      job = {
        id,
        scenario: scenario ?? scenarioOf(id),
        createdAt: now(),
        durationMs,
        total: DEFAULT_TOTAL,
        requests: 0,
      };
      jobs.set(id, job);
    }
    return job;
  }

  const server = http.createServer((req, res) => {
    const started = now();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const authorized = !options.token || req.headers.authorization === `Bearer ${options.token}`;
    res.on('finish', () => {
      if (requests.length >= (options.maxRecorded ?? MAX_RECORDED)) requests.shift();
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        at: started,
        end: now(),
        status: res.statusCode,
        authorized,
      });
      options.log?.(`${req.method} ${url.pathname} → ${res.statusCode} (${now() - started} ms)`);
    });

    const statusMatch = STATUS_ROUTE.exec(url.pathname);
    const isExport = EXPORT_ROUTE.test(url.pathname);
    if (!statusMatch && !isExport) return sendError(res, 404, '404-100', `No route for ${url.pathname}`);
    if (statusMatch && req.method !== 'GET')
      return sendError(res, 405, '405-100', `Use GET on ${url.pathname}`, { allow: 'GET' });
    if (isExport && req.method !== 'POST')
      return sendError(res, 405, '405-100', `Use POST on ${url.pathname}`, { allow: 'POST' });
    if (!authorized) return sendError(res, 401, '401-100', 'Missing or invalid bearer token.');

    if (isExport) return createExport(req, res, url);
    const id = decodeURIComponent(statusMatch?.[1] ?? '');
    const job = jobFor(id);
    job.requests++;
    answerStatus(job, res);
  });

  function createExport(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const scenarioParam = url.searchParams.get('scenario') ?? 'success';
    if (!(SCENARIOS as readonly string[]).includes(scenarioParam)) {
      sendError(res, 400, '400-101', `Unknown scenario ${JSON.stringify(scenarioParam)}`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_POST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_POST_BYTES) {
        sendError(res, 413, '413-100', 'Request body too large.');
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        sendError(res, 400, '400-100', 'The request body is not JSON.');
        return;
      }
      // The same schema `start` validates with, so the two agree on what a valid request is.
      const request = parseExportRequest(json);
      if (!request.ok) {
        const details = request.issues.map((i) => ({ key: i.path, value: i.message }));
        sendError(res, 400, '400-102', 'The export request is invalid.', {}, details);
        return;
      }
      const scenario = scenarioParam as Scenario;
      const uuid = randomUUID().toUpperCase();
      const id = scenario === 'success' ? uuid : `${scenario}-${uuid}`;
      jobFor(id, scenario);
      const location = `${baseUrl}/content/export/${encodeURIComponent(id)}/status`;
      res.writeHead(202, { 'content-type': 'application/json', location });
      res.end(JSON.stringify({ id, status: 'Pending' }));
    });
  }

  function answerStatus(job: SimJob, res: http.ServerResponse): void {
    const n = job.requests;
    switch (job.scenario) {
      case 'not-found':
        sendError(res, 404, '404-101', `Export job ${job.id} was not found.`);
        return;
      case 'garbage':
        if (n % 2 === 1) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in.</body></html>',
          );
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status": "In Progr');
        }
        return;
      case 'flaky':
        // good, 503, 429, good, good, 503, 429, …: both Retry-After forms.
        if (n % 4 === 2) {
          sendError(res, 503, '503-100', 'Service temporarily unavailable.', { 'retry-after': '1' });
          return;
        }
        if (n % 4 === 3) {
          const at = new Date(Math.ceil(now() / 1000) * 1000 + 1000).toUTCString();
          sendError(res, 429, '429-100', 'Too many requests.', { 'retry-after': at });
          return;
        }
        break;
      case 'slow':
        if (n % 3 === 2) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!res.destroyed) sendStatus(job, res);
          }, slowMs);
          timers.add(timer);
          return;
        }
        break;
      default:
        break;
    }
    sendStatus(job, res);
  }

  function sendStatus(job: SimJob, res: http.ServerResponse): void {
    const doc = statusAt(job, now());
    // The document is checked against the client's own schema, so the two can never drift apart.
    const check = parseExportStatus(doc, { strict: job.scenario !== 'unknown-status' });
    if (!check.ok) throw new Error(`simulator produced an invalid document: ${JSON.stringify(check.issues)}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  }

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
  baseUrl = `http://${host}:${address.port}${API_PREFIX}`;

  return {
    baseUrl,
    port: address.port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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
