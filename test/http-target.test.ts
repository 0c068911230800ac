import { describe, expect, it } from 'vitest';
import { headerList, targetOf } from '../src/node/http-target.js';
import { nodeTransport } from '../src/node/http-transport.js';
import { scriptedServer } from './support/servers.js';

describe('targetOf: a URL as node:http is handed it', () => {
  it.each([
    [
      'http://127.0.0.1:8080/v4/content/export/J1/status',
      '127.0.0.1',
      8080,
      '/v4/content/export/J1/status',
      '127.0.0.1:8080',
    ],
    [
      'https://api.example.com/v4/a?b=1&c=%20d',
      'api.example.com',
      undefined,
      '/v4/a?b=1&c=%20d',
      'api.example.com',
    ],
    // A scheme's own port is no port: URL parsing drops it, and so does the Host header.
    ['https://api.example.com:443/x', 'api.example.com', undefined, '/x', 'api.example.com'],
    ['http://api.example.com:443/x', 'api.example.com', 443, '/x', 'api.example.com:443'],
    // An IPv6 address: without its brackets to connect to, with them in the Host header.
    ['http://[::1]:9000/x', '::1', 9000, '/x', '[::1]:9000'],
    ['http://h/x#frag', 'h', undefined, '/x', 'h'],
  ])('%s', (text, hostname, port, path, host) => {
    const url = new URL(text);
    expect(targetOf(url)).toMatchObject({ protocol: url.protocol, hostname, port, path, host });
  });

  it('is made once for a URL, and again once the URL has changed', () => {
    const url = new URL('http://127.0.0.1:1/a');
    const first = targetOf(url);
    expect(targetOf(url)).toBe(first);
    url.pathname = '/b';
    expect(targetOf(url).path).toBe('/b');
  });
});

describe('headerList', () => {
  it('adds the Host header after the caller’s', () => {
    expect(headerList({ accept: 'application/json', 'user-agent': 'x/1' }, 'h:1')).toEqual([
      'accept',
      'application/json',
      'user-agent',
      'x/1',
      'host',
      'h:1',
    ]);
  });

  it.each(['host', 'Host', 'HOST'])('keeps a Host header the caller set (%s), once', (name) => {
    expect(headerList({ [name]: 'signed.example:9', 'x-amz-date': 'd' }, 'h:1')).toEqual([
      name,
      'signed.example:9',
      'x-amz-date',
      'd',
    ]);
  });
});

describe('the node:http transport, as a server sees its requests', () => {
  it('one Host header with the port, the path and query as given, the caller’s headers', async () => {
    const server = await scriptedServer((req, res) => {
      res.end(JSON.stringify(req.rawHeaders));
    });
    try {
      const send = nodeTransport();
      const url = new URL(`${server.url}/v4/content/export/J%201/status?x=1`);
      const request = {
        method: 'GET' as const,
        url,
        headers: { accept: 'application/json', 'user-agent': 'export-status/test' },
        signal: new AbortController().signal,
        maxBodyBytes: 1 << 20,
      };
      const answer = await send(request);
      const raw = JSON.parse(answer.body) as string[];
      const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
      expect(names.filter((n) => n === 'host')).toHaveLength(1);
      expect(server.requests[0]?.headers.host).toBe(`127.0.0.1:${server.port}`);
      expect(server.requests[0]?.headers['user-agent']).toBe('export-status/test');
      expect(server.requests[0]?.url).toBe('/v4/content/export/J%201/status?x=1');
      // The same URL object asked again, changed in between: the new path goes.
      url.search = '?x=2';
      await send(request);
      expect(server.requests[1]?.url).toBe('/v4/content/export/J%201/status?x=2');
      // A Host the caller set (an S3 request signs it) is sent as set, once.
      await send({ ...request, headers: { ...request.headers, host: `localhost:${server.port}` } });
      expect(server.requests[2]?.headers.host).toBe(`localhost:${server.port}`);
    } finally {
      await server.close();
    }
  });
});
