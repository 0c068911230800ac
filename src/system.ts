import * as fs from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import type { CommandResult } from './api/credentials.js';
import type { Transport } from './api/transport.js';
import { realClock } from './core/clock.js';
import { ExitCode } from './core/exit-codes.js';
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
      ? import('./api/proxy-transport.js').then((m) =>
          m.proxyTransport({
            httpProxy: env.HTTP_PROXY ?? env.http_proxy,
            httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
            noProxy: env.NO_PROXY ?? env.no_proxy,
          }),
        )
      : import('./api/node-transport.js').then((m) => m.nodeTransport());
    return (await loaded)(request);
  };
}

// node:fs's callbacks, promised: node:fs/promises costs every start a few more built-in modules.
const open = promisify(fs.open);
const read = promisify(fs.read);
const close = promisify(fs.close);
const readFile = promisify(fs.readFile);
const appendFile = promisify(fs.appendFile);
const stat = promisify(fs.stat);

/** The real side effects. With bin/, the only code that touches `process`. */
export function systemDeps(): Deps {
  const stdout = guardOutput(process.stdout, 'stdout');
  const stderr = guardOutput(process.stderr, 'stderr');
  return {
    stdout,
    stderr,
    // A getter: process.stdin is made on first use, and most runs never read it.
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
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
      const fd = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(maxBytes + 1);
        let size = 0;
        while (size <= maxBytes) {
          const { bytesRead } = await read(fd, buffer, size, buffer.length - size, null);
          if (bytesRead === 0) break;
          size += bytesRead;
        }
        return size > maxBytes ? null : buffer.subarray(0, size);
      } finally {
        await close(fd);
      }
    },
    readTextFile: (path) => readFile(path, 'utf8'),
    appendFile: (path, text) => appendFile(path, text, 'utf8'),
    fileMode: async (path) => (process.platform === 'win32' ? undefined : (await stat(path)).mode & 0o777),
    env: process.env,
    clock: realClock,
    random: Math.random,
    transport: chooseTransport(process.env),
    runCommand: (command, timeoutMs) => runShell(command, timeoutMs, (chunk) => process.stderr.write(chunk)),
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
    onExit: (handler) => {
      process.on('exit', handler);
      return () => process.off('exit', handler);
    },
    exitNow: (code) => process.exit(code),
    invokedAs: invocation(process.argv[1], process.cwd()),
  };
}

/**
 * An output stream whose failures end the run the Unix way: a reader that went away (EPIPE) with
 * 141 and no message; any other write error (a full disk: `>/dev/full` throws ENOSPC at once)
 * with 74 and one line on the other stream, if it can still be written. Never a stack trace,
 * never the exit code of a job outcome.
 */
function guardOutput(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): NodeJS.WriteStream {
  const fail = (err: NodeJS.ErrnoException): never => {
    if (err.code === 'EPIPE') process.exit(ExitCode.brokenPipe);
    const other = name === 'stdout' ? process.stderr : process.stdout;
    try {
      other.write(`export-status: cannot write to ${name} (${err.code ?? err.message})\n`);
    } catch {
      // nowhere left to say it
    }
    process.exit(ExitCode.output);
  };
  stream.on('error', fail);
  // A terminal is left as it is; only files and pipes throw on write.
  if (stream.isTTY) return stream;
  const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  const write = (...args: unknown[]): boolean => {
    try {
      return original(...args);
    } catch (err) {
      return fail(err as NodeJS.ErrnoException);
    }
  };
  return new Proxy(stream, {
    get: (target, property) => {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * `npx export-status` when this copy is the checkout or a dependency of the project the user is
 * in (it is not on PATH there), else `export-status` (a global install, on PATH).
 */
export function invocation(binPath: string | undefined, cwd: string): string {
  if (!binPath) return 'export-status';
  const root = dirname(dirname(realpathOr(binPath)));
  const local = root === cwd || root.startsWith(`${join(cwd, 'node_modules')}${sep}`);
  return local ? 'npx export-status' : 'export-status';
}

function realpathOr(path: string): string {
  try {
    return fs.realpathSync(path);
  } catch {
    return path;
  }
}

/** The most a token command may print on stdout; a token is far smaller. */
const MAX_COMMAND_OUTPUT = 64 * 1024;

/**
 * Runs `command` with the system shell, stdin closed, and gives up after `timeoutMs` (the whole
 * process group is killed). What it writes on stderr is passed to `passStderr` as it comes.
 */
export async function runShell(
  command: string,
  timeoutMs: number,
  passStderr: (chunk: string) => void,
): Promise<CommandResult> {
  // node:child_process (with net and dgram) is loaded only by the runs that start a command.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_COMMAND_OUTPUT) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_COMMAND_OUTPUT) stderr += chunk;
      passStderr(chunk);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}`, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
