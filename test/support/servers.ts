import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  start: number;
  end: number;
}

export interface TestServer {
  url: string;
  port: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

let held = 0;

/**
 * Holds a request unanswered until its client gives up (its connection closes): a server that
 * hangs on purpose. A virtual clock stands still while real I/O is under way, except for the
 * requests held here: time goes on for them, so the client's time limits are reached.
 */
export function hold(res: http.ServerResponse): void {
  held++;
  res.once('close', () => {
    held--;
  });
}

/** How many requests the servers of this test file hold now. */
export function heldRequests(): number {
  return held;
}

/** A real server on 127.0.0.1, port 0, that records when each request began and ended. */
export async function scriptedServer(
  handler: Handler,
  tls?: { key: string; cert: string },
  /** The clock `start`/`end` are read from: the run's virtual clock, when it has one. */
  now: () => number = Date.now,
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const seen: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      start: now(),
      end: 0,
    };
    requests.push(seen);
    const done = () => {
      seen.end = now();
    };
    res.on('finish', done);
    res.on('close', done);
    handler(req, res, requests.length);
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export interface ProxyLog {
  /** "GET http://host/path" for plain requests, "CONNECT host:port" for tunnels. */
  lines: string[];
  /** Every byte the proxy was sent, as text: plain requests and what went into its tunnels. */
  received(): string;
  url: string;
  close(): Promise<void>;
}

/** A small forward proxy on loopback that records what passes through it. */
export async function recordingProxy(): Promise<ProxyLog> {
  const lines: string[] = [];
  const chunks: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    lines.push(`${req.method} ${req.url}`);
    chunks.push(JSON.stringify(req.headers));
    req.on('data', (chunk: Buffer) => chunks.push(chunk.toString('latin1')));
    const target = new URL(req.url ?? '');
    if (target.hostname === PROXIED_HOST) target.hostname = '127.0.0.1';
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    lines.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host === PROXIED_HOST ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    chunks.push(head.toString('latin1'));
    client.on('data', (chunk: Buffer) => chunks.push(chunk.toString('latin1')));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    lines,
    received: () => chunks.join(''),
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A host name only the recording proxy resolves (to 127.0.0.1), as a corporate proxy resolves
 * names its clients cannot: a destination that is not this machine to the CLI, so it is proxied.
 */
export const PROXIED_HOST = 'api.proxied.test';

/** A self-signed certificate for 127.0.0.1 and PROXIED_HOST; the cert file doubles as its own CA. */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'export-status-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      `subjectAltName=IP:127.0.0.1,DNS:${PROXIED_HOST}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** A port that was free a moment ago (for "the server is not up yet" tests). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
