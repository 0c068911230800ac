import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/export-status.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A clean, predictable environment: no CI variables, no colour forcing, UTC, US English. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    TERM: 'xterm-256color',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Called once the child is running, e.g. to send it a signal later. */
  onSpawn?: (child: ChildProcess) => void;
}

export interface CollectOptions {
  /** The whole environment of the child (cleanEnv() unless given). */
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * The one spawn-and-collect helper: runs `command`, collects stdout and stderr, resolves when it
 * has ended; rejects (after killing it) when it outlives `timeoutMs`, with what it printed.
 */
export function collect(
  command: string,
  args: readonly string[],
  options: CollectOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${command} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
    child.stdin.end(options.input ?? '');
  });
}

/** Spawns the built CLI and collects what it printed and how it ended. */
export function run(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return collect(process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env),
    input: options.input,
    timeoutMs: options.timeoutMs,
    onSpawn: options.onSpawn,
  });
}

/** Resolves when `predicate` holds for the text a stream has produced so far. */
export function waitForOutput(
  stream: NodeJS.ReadableStream,
  predicate: (text: string) => boolean,
  timeoutMs = 10_000,
) {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`output never matched; got: ${text}`)), timeoutMs);
    stream.on('data', (d: Buffer | string) => {
      text += d.toString();
      if (predicate(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}
