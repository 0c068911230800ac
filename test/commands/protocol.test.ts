import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';

// What the wire can do wrong: garbled answers, huge error pages, charsets, byte-order marks, and
// a connection that drops after a POST was sent.
const DONE = { status: 'Successful', results: { successful: 10 } };
const REQUEST = {
  portalID: 'PROD-1000',
  language: { code: 'en-US' },
  resourceTypes: ['articles'],
  dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' },
};

describe('one glitch is retried, not the end of the watch', () => {
  it('a garbled status line is a transient protocol error', async () => {
    const server = await scriptedServer((req, res, n) => {
      if (n === 1) {
        req.socket.end('HTTP/1.1 2OO OK\r\nbroken\r\n\r\n');
        return;
      }
      sendJson(res, 200, DONE);
    });
    try {
      const r = await run(['watch', '-v', '--base-url', server.url, 'J1']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/retry 1 in \d+m?s: protocol error: /);
    } finally {
      await server.close();
    }
  });

  it('a 503 with Retry-After and a body over 1 MiB is retried (only the start of the page is read)', async () => {
    const server = await scriptedServer((_req, res, n) => {
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'text/html', 'retry-after': '1' });
        res.end(`<html>${'busy '.repeat(500_000)}</html>`);
        return;
      }
      sendJson(res, 200, DONE);
    });
    try {
      const r = await run(['watch', '-v', '--base-url', server.url, 'J1']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/retry 1 in 1s: HTTP 503: "<html>busy busy/);
    } finally {
      await server.close();
    }
  });
});

describe('text as the server encodes it', () => {
  it('is decoded by its declared charset', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=latin1' });
      res.end(Buffer.from('{"status":"Failed","error":"Zeitüberschreitung nach 1500 Einträgen"}', 'latin1'));
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'J1']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('Error      Zeitüberschreitung nach 1500 Einträgen');
    } finally {
      await server.close();
    }
  });

  it('an unknown charset is said to be unsupported (exit 5), not shown garbled', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=x-klingon' });
      res.end('{"status":"Pending"}');
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'J1']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain('the answer is in an unsupported charset (x-klingon)');
    } finally {
      await server.close();
    }
  });

  it('a byte-order mark before the JSON is ignored, over HTTP and in parse', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 200, `\uFEFF${JSON.stringify(DONE)}`));
    try {
      expect((await run(['get', '--base-url', server.url, 'J1'])).code).toBe(0);
    } finally {
      await server.close();
    }
    const parsed = await run(['parse', '-'], { stdin: `\uFEFF${JSON.stringify(DONE)}` });
    expect(parsed.code).toBe(0);
    expect(parsed.stdout).toContain('Successful');
  });
});

describe('a POST is never sent twice', () => {
  it('a connection reset after the body was sent (on a kept-alive socket, after a 307): one POST, outcome unknown, exit 4', async () => {
    const posts: string[] = [];
    const server = await scriptedServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        // the whole export request arrived each time
        posts.push(`${req.url} ${JSON.parse(body).portalID}`);
        if (req.url === '/v4/content/export') res.writeHead(307, { location: '/v4/content/export2' }).end();
        else req.socket.destroy();
      });
    });
    try {
      const r = await run(['start', '--base-url', `${server.url}/v4`, '--body', '-'], {
        stdin: JSON.stringify(REQUEST),
      });
      expect(posts).toEqual(['/v4/content/export PROD-1000', '/v4/content/export2 PROD-1000']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('error: the export may or may not have started');
      expect(r.stderr).toContain('It was not sent again');
      expect(r.stdout).toBe('');
    } finally {
      await server.close();
    }
  });
});
