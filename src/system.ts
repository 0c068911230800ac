import { appendFile, open, readFile, stat } from 'node:fs/promises';
import type { Transport } from './api/transport.js';
import { realClock } from './core/clock.js';
import type { Deps } from './deps.js';
import type { Env } from './io/color.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * node:http, unless a proxy is configured: then undici. Either is loaded on the first request, so
 * commands that send none (parse, --help) do not pay for the HTTP stack.
 */
export function chooseTransport(env: Env): Transport {
  const proxy = PROXY_VARIABLES.some((name) => env[name]);
  let loaded: Promise<Transport> | undefined;
  return async (request) => {
    loaded ??= proxy
      ? import('./api/proxy-transport.js').then((m) => m.proxyTransport())
      : import('./api/node-transport.js').then((m) => m.nodeTransport());
    return (await loaded)(request);
  };
}

/** The real side effects. With bin/, the only code that touches `process`. */
export function systemDeps(): Deps {
  // `… | head -1`: the reader has gone; end quietly instead of dying on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    readStdin: async (maxBytes) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          process.stdin.destroy();
          return null;
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    },
    readFileCapped: async (path, maxBytes) => {
      const file = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(maxBytes + 1);
        let size = 0;
        while (size <= maxBytes) {
          const { bytesRead } = await file.read(buffer, size, buffer.length - size, null);
          if (bytesRead === 0) break;
          size += bytesRead;
        }
        return size > maxBytes ? null : buffer.subarray(0, size);
      } finally {
        await file.close();
      }
    },
    readTextFile: (path) => readFile(path, 'utf8'),
    appendFile: (path, text) => appendFile(path, text, 'utf8'),
    fileMode: async (path) => (process.platform === 'win32' ? undefined : (await stat(path)).mode & 0o777),
    env: process.env,
    clock: realClock,
    random: Math.random,
    transport: chooseTransport(process.env),
    onInterrupt: (handler) => {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
    exitNow: (code) => process.exit(code),
  };
}
