/** Node adapters: token commands, run by the system shell in process groups of their own. */
import type { CommandResult } from '../api/credentials.js';
import { INTERRUPTS } from '../core/exit-codes.js';

/** The most a token command may print on stdout; a token is far smaller. */
const MAX_COMMAND_OUTPUT = 64 * 1024;
/** After a command exits, what it wrote just before is read for this long, then its group ends. */
const EXIT_GRACE_MS = 100;

/** The process groups of the token commands running now: ended with this process, however it ends. */
const groups = new Set<number>();
let reaping = false;
function endGroups(): void {
  for (const pid of groups) endGroup(pid);
}
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
  // node:child_process (with net and dgram) is loaded only by the runs that start a command;
  // getBuiltinModule rather than import(): bin/ compiles the bundle with a code cache, and V8
  // loses a script's import() handler when its code comes from one (Node 20).
  const { spawn } = process.getBuiltinModule('node:child_process');
  if (!reaping) {
    reaping = true;
    process.on('exit', endGroups);
    // A process that a signal ends runs no exit handler: the groups are ended on the signal
    // itself. Where no one else listens for it (the run was not watching), this process then
    // ends as the signal would have ended it.
    for (const [signal, code] of Object.entries(INTERRUPTS)) {
      process.on(signal, () => {
        endGroups();
        if (process.listenerCount(signal) === 1) process.exit(code);
      });
    }
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
