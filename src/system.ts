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
const appendFile = promisify(fs.appendFile);
const stat = promisify(fs.stat);
const fstat = promisify(fs.fstat);

function fileError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * A small file the CLI reads (configuration, a token, a secret), as text: a regular file only (a
 * FIFO, /dev/zero or a directory is refused at once: opening does not wait for a writer), and at
 * most `maxBytes` (EFBIG beyond it, without reading the rest).
 */
export async function readSmallFile(path: string, maxBytes: number): Promise<string> {
  const fd = await open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const info = await fstat(fd);
    if (!info.isFile()) throw fileError('ENOTFILE', `${path} is not a regular file`);
    if (info.size > maxBytes) throw fileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    const bytes = await readUpTo(fd, maxBytes);
    if (!bytes) throw fileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    return bytes.toString('utf8');
  } finally {
    await close(fd);
  }
}

/** What an open file holds, or null when it holds more than `maxBytes` (never read past that). */
async function readUpTo(fd: number, maxBytes: number): Promise<Buffer | null> {
  const buffer = Buffer.alloc(maxBytes + 1);
  let size = 0;
  while (size <= maxBytes) {
    const { bytesRead } = await read(fd, buffer, size, buffer.length - size, null);
    if (bytesRead === 0) break;
    size += bytesRead;
  }
  return size > maxBytes ? null : buffer.subarray(0, size);
}

/** Writes `text` to a file beside `path`, then renames it over `path`: a reader never sees half. */
export async function writeFileWhole(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await promisify(fs.writeFile)(temporary, text, 'utf8');
  await promisify(fs.rename)(temporary, path);
}

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
        return await readUpTo(fd, maxBytes);
      } finally {
        await close(fd);
      }
    },
    readTextFile: readSmallFile,
    appendFile: (path, text) => appendFile(path, text, 'utf8'),
    writeFileWhole,
    fileMode: async (path) => (process.platform === 'win32' ? undefined : (await stat(path)).mode & 0o777),
    env: process.env,
    clock: realClock,
    random: Math.random,
    transport: chooseTransport(process.env),
    runCommand: runShell,
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
/** After a command exits, what it wrote just before is read for this long, then its group ends. */
const EXIT_GRACE_MS = 100;

/** The process groups of the token commands running now: ended with this process, however it ends. */
const groups = new Set<number>();
let reaping = false;
function endGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  groups.delete(pid);
}

/**
 * Runs `command` with the system shell, stdin closed, in a process group of its own. Its answer
 * is what it printed by the time it exited (a background process it left behind, holding the
 * pipes open, is not waited for); then the whole group is ended, as it is when `timeoutMs` runs
 * out, `signal` aborts, or this process ends first.
 */
export async function runShell(
  command: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CommandResult> {
  // node:child_process (with net and dgram) is loaded only by the runs that start a command.
  const { spawn } = await import('node:child_process');
  if (!reaping) {
    reaping = true;
    process.on('exit', () => {
      for (const pid of groups) endGroup(pid);
    });
  }
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch {
      // A command line the system cannot run at all; its text is not quoted (it may hold a secret).
      resolve({ code: 127, stdout: '', stderr: 'the command cannot be run', timedOut: false });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) groups.add(pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let overflowed = false;
    let exitCode: number | null = null;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) endGroup(pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        code: timedOut ? null : exitCode,
        stdout: overflowed ? '' : stdout,
        stderr,
        timedOut,
        overflowed,
      });
    };
    const onAbort = () => finish();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const timer = setTimeout(
      () => {
        timedOut = true;
        finish();
      },
      Math.max(1, timeoutMs),
    );
    let grace: ReturnType<typeof setTimeout> | undefined;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length + chunk.length > MAX_COMMAND_OUTPUT) overflowed = true;
      else stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_COMMAND_OUTPUT) stderr += chunk;
    });
    child.on('error', (err) => {
      exitCode = 127;
      stderr += err.message;
      finish();
    });
    child.on('exit', (code) => {
      exitCode = code;
      grace = setTimeout(finish, EXIT_GRACE_MS);
    });
    // Both pipes closed: everything it printed has been read.
    child.on('close', () => finish());
  });
}
