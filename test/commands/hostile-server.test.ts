import { describe, expect, it } from 'vitest';
import { ESCAPE } from '../support/ansi.js';
import { runCli } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';

// Servers that send what no good server would: the CLI must stay safe, bounded and clear.
const DONE = {
  status: 'Successful',
  progress: { processed: 10, total: 10, percentage: 100 },
  results: { successful: 10 },
};
// Each run has a virtual clock of its own (runCli's default): these servers keep no time.
const run = runCli;

describe('hostile server text', () => {
  const evil = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u001b[0m\u009b31m\r\n\u202eltr';

  it('never reaches the terminal raw: statuses, errors and WSErrorCommon messages are stripped', async () => {
    const server = await scriptedServer((req, res) => {
      if (req.url?.includes('gone'))
        sendJson(res, 404, { code: '404-1', developerMessage: `missing ${evil}` });
      else if (req.url?.includes('odd'))
        sendJson(res, 200, { status: `Weird${evil}`, progress: { percentage: 10 } });
      else
        sendJson(res, 200, { status: 'Failed', error: `boom ${evil}`, progress: { processed: 1, total: 2 } });
    });
    try {
      const base = `${server.url}/v4`;
      const runs = await Promise.all([
        run(['watch', '--base-url', base, 'failed-1']),
        run(['watch', '--base-url', base, 'gone-1']),
        run(['get', '--base-url', base, 'odd-1']),
        run(['get', '--base-url', base, 'odd-2', '--json']),
        run(['get', '--base-url', base, 'odd-3', '-o', 'ndjson']),
      ]);
      // an unknown status is never a 0 for get: it may be a failure by another name
      expect(runs.map((r) => r.code)).toEqual([1, 4, 5, 5, 5]);
      for (const r of runs) {
        expect(r.stdout + r.stderr).not.toMatch(ESCAPE);
        for (const c of ['\u0007', '\u009b', '\u202e']) expect(r.stdout + r.stderr).not.toContain(c);
      }
      expect(runs[0]?.stdout).toContain('Error      boom red ltr');
      expect(runs[1]?.stdout).toContain('HTTP 404: 404-1 missing red ltr');
      // JSON keeps the data, escaped.
      expect(JSON.parse(runs[3]?.stdout ?? '').status.status).toBe(`Weird${evil}`);
    } finally {
      await server.close();
    }
  });
});

describe('hostile sizes', () => {
  it('a 100 MiB answer is refused while streaming: exit 5, and only a little of it is ever read', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"Pending","pad":"');
      const pump = () => {
        while (written < 100 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      res.on('close', () => {});
      pump();
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'big']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain('response body larger than 1 MiB');
      // The client hung up after ~1 MiB; socket buffers account for the rest.
      expect(written).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it('a declared Content-Length over 1 MiB is refused before reading', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
      res.write('{"status":');
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'declared']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain('larger than 1 MiB');
    } finally {
      await server.close();
    }
  });

  it('an HTML login page with 200 is an invalid response with a clear message', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><title>Sign in</title></html>');
    });
    try {
      const r = await run(['get', '--base-url', server.url, 'login']);
      expect(r.code).toBe(5);
      expect(r.stdout).toContain(
        'invalid response: expected JSON, got text/html: "<html><title>Sign in</title></html>"',
      );
    } finally {
      await server.close();
    }
  });
});

describe('hostile IDs and URLs', () => {
  it('a job ID is one percent-encoded path segment: ../../admin never reaches another route', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 200, DONE));
    try {
      const r = await run(['get', '--base-url', `${server.url}/v4`, '../../admin?x=1#y']);
      expect(r.code).toBe(0);
      expect(server.requests[0]?.url).toBe('/v4/content/export/..%2F..%2Fadmin%3Fx%3D1%23y/status');
    } finally {
      await server.close();
    }
  });

  it.each([
    [['get', '..'], '".." is not a job ID'],
    [['get', 'ftp://host/x'], 'expected an http:// or https:// URL'],
    [['get', 'https://user:pw@host/x/status'], 'credentials do not belong in the URL'],
    [['get', 'x', '--base-url', 'file:///etc/passwd'], 'expected an http:// or https:// URL'],
    [['get', 'x', '--base-url', 'https://'], 'not a URL'],
  ])('%j exits 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('hostile status names', () => {
  it('"constructor" is an unknown status: get --strict exits 5, and so does a lenient get, keeping the status', async () => {
    const server = await scriptedServer((_req, res) => sendJson(res, 200, { status: 'constructor' }));
    try {
      const strict = await run(['get', '--base-url', server.url, 'J1', '--strict']);
      expect(strict.code).toBe(5);
      expect(strict.stdout).toContain('expected Pending, In Progress, Successful, Failed, got "constructor"');
      const lenient = await run(['get', '--base-url', server.url, 'J1', '--json']);
      expect(lenient.code).toBe(5);
      const doc = JSON.parse(lenient.stdout);
      expect(doc).toMatchObject({ outcome: 'invalid', status: { status: 'constructor' } });
      expect(doc.error).toContain('unknown status "constructor", not one the export API documents');
    } finally {
      await server.close();
    }
  });
});

describe('counts that cannot be read', () => {
  it('never pass --fail-on as zero: "errors":"5" fails the check, with a warning naming the field', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 200, { status: 'Successful', results: { successful: 10, warnings: 0, errors: '5' } }),
    );
    try {
      const failOn = await run(['watch', '--base-url', server.url, 'J1', '--fail-on', 'errors']);
      expect(failOn.code).toBe(1);
      expect(failOn.stdout).toContain(
        'results.errors could not be read, so --fail-on errors cannot pass the job',
      );
      expect(failOn.stderr).toContain(
        'warning: J1 ignored results.errors: expected a non-negative integer, got "5"',
      );
      // without --fail-on the count is not needed: the job passes, and the dropped value is still said once
      const without = await run(['watch', '--base-url', server.url, 'J2']);
      expect(without.code).toBe(0);
      expect(without.stderr.match(/ignored results\.errors/g)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('a successful job that says less, or more, than it should', () => {
  it('no results sent: --fail-on errors cannot tell, and says so (exit 1); an error text of a success is shown', async () => {
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 200, { status: 'Successful', error: 'Partial export: 3 topics skipped.' }),
    );
    try {
      const failOn = await run(['watch', '--base-url', server.url, 'J1', '--fail-on', 'errors']);
      expect(failOn.code).toBe(1);
      expect(failOn.stdout).toContain('results.errors was not sent, so --fail-on errors cannot pass the job');
      const plain = await run(['get', '--base-url', server.url, 'J2']);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain('Message    Partial export: 3 topics skipped.');
    } finally {
      await server.close();
    }
  });
});

describe('counts that disagree', () => {
  it('processed greater than total: warned once, shown as given, no percentage made up', async () => {
    const server = await scriptedServer((_req, res, n) =>
      sendJson(res, 200, {
        status: n < 3 ? 'In Progress' : 'Successful',
        progress: { processed: 500, total: 10 },
      }),
    );
    try {
      const r = await run(['watch', '--base-url', server.url, 'J1', '--interval', '100ms']);
      expect(r.code).toBe(0);
      expect(
        r.stderr.match(/progress\.processed \(500\) is greater than progress\.total \(10\); shown as given/g),
      ).toHaveLength(1);
      expect(r.stdout).toContain('Processed  500 of 10\n');
      expect(r.stdout + r.stderr).not.toContain('100%');
    } finally {
      await server.close();
    }
  });
});
