/**
 * Node adapters: the process wiring (streams, signals, exit) and the Deps every front end's run is
 * given. With bin/, the only code that touches `process`; imported only by the front ends.
 */
import * as fs from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import { realClock } from '../core/clock.js';
import { ExitCode, INTERRUPTS, type InterruptSignal } from '../core/exit-codes.js';
import type { Deps } from '../deps.js';
import { close, open, readSmallFile, readUpTo, whoCanChange, writeFileWhole } from './files.js';
import { runShell } from './shell.js';
import { chooseTransport } from './transport.js';

const INTERRUPT_SIGNALS = Object.keys(INTERRUPTS) as InterruptSignal[];
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
    readStdin: (maxBytes, signal) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const { stdin } = process;
        const done = (value: Buffer | null) => {
          signal?.removeEventListener('abort', stop);
          stdin.off('data', onData).off('end', onEnd).off('error', reject);
          resolve(value);
        };
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            stdin.destroy();
            done(null);
          } else chunks.push(chunk);
        };
        const onEnd = () => done(Buffer.concat(chunks));
        // A deadline: what came so far, and stdin is let go (it would keep the process alive).
        const stop = () => {
          stdin.destroy();
          done(Buffer.concat(chunks));
        };
        if (signal?.aborted) return stop();
        signal?.addEventListener('abort', stop, { once: true });
        stdin.on('data', onData).once('end', onEnd).once('error', reject);
      }),
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
    whoCanChange,
    fileMode: async (path) => (process.platform === 'win32' ? undefined : (await stat(path)).mode & 0o777),
    env: process.env,
    clock: realClock,
    random: Math.random,
    transport: chooseTransport(process.env),
    runCommand: runShell,
    onInterrupt: (handler) => {
      // A closed terminal or tmux window (SIGHUP), Ctrl-\\ (SIGQUIT) and SIGUSR2 end a run as
      // SIGTERM does: what can be printed is, and the exit code says which signal it was.
      const listeners = INTERRUPT_SIGNALS.map((signal) => [signal, () => handler(signal)] as const);
      for (const [signal, listener] of listeners) process.on(signal, listener);
      return () => {
        for (const [signal, listener] of listeners) process.off(signal, listener);
      };
    },
    onExit: (handler) => {
      process.on('exit', handler);
      return () => process.off('exit', handler);
    },
    onSuspend: (suspend, resume) => {
      // Listening to SIGTSTP takes the place of its stop. Once ready, the process sends itself
      // SIGTSTP again with its default action back for the moment (so a process group no shell
      // could continue is not stopped, as the kernel does), and goes on from there when continued.
      const listener = () => {
        suspend();
        process.off('SIGTSTP', listener);
        process.kill(process.pid, 'SIGTSTP');
        process.on('SIGTSTP', listener);
        resume();
      };
      process.on('SIGTSTP', listener);
      return () => process.off('SIGTSTP', listener);
    },
    exitNow: (code) => process.exit(code),
    tuneHeapForWatching,
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

/**
 * A watch allocates a little at every poll and keeps little, and V8's defaults are made for the
 * opposite: it grows its young generation to 32 MiB (64 MiB on Node 24) and lets the old one
 * double before collecting it, for a peak far above what the watch holds (1,000 jobs: 15 MiB
 * live in a heap of 40). The young generation is kept at its starting size and the old one grows
 * by a tenth: the peak RSS of 1,000 jobs goes from ~1.2× to within a few percent of a
 * hand-written poller's, at no CPU cost measured (npm run bench; BENCHMARKS.md). V8 reads both
 * each time it sizes a generation, so they work after start-up. Only on the Node majors CI runs:
 * a V8 that does not know a flag prints a warning.
 */
function tuneHeapForWatching(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20 || major > 24) return;
  // node:v8 only here: loading it costs every other command a millisecond.
  process
    .getBuiltinModule('node:v8')
    .setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=10');
}
