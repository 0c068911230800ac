// What every section of the benchmark measures with: processes spawned under a time limit, CPU
// and memory read from /proc (never from inside the measured process), medians and ranges, and
// the report its rows go into.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/export-status.js');
export const FLOORS = join(ROOT, 'scripts/floors');
export const NODE = process.execPath;
export const ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'en_US.UTF-8',
  TZ: 'UTC',
  TERM: 'xterm-256color',
};
export const tmp = mkdtempSync(join(os.tmpdir(), 'export-status-bench-'));
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A measurement that ran past its limit: its section ends, and the run says so. */
export class Overrun extends Error {
  override name = 'Overrun';
}

export interface Row {
  section: string;
  what: string;
  value: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  /** Against the target, when it has one. */
  met?: boolean;
}

/** The rows, notes and problems of a run, printed as they come. */
export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  /** What is wrong with the CLI itself (two requests in flight for one job): these fail the run. */
  readonly problems: string[] = [];

  add(row: Row): void {
    this.rows.push(row);
    const mark = markOf(row);
    const verdict = row.target ? `  target ${row.target}${mark ? ` ${mark}` : ''}` : '';
    console.log(
      `${row.section.padEnd(11)} ${row.what.padEnd(56)} ${row.value.padStart(22)}  ${(row.baseline ?? '').padStart(24)}  ${row.ratio ?? ''}${verdict}`,
    );
  }

  note(text: string): void {
    this.notes.push(text);
    console.log(`note: ${text}`);
  }
}

export function markOf(row: Row): string {
  return row.met === undefined ? '' : row.met ? 'met' : 'MISSED';
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
/** "82 ms [70–95]": the median of samples and their range. */
export const spread = (xs: readonly number[], digits: number, unit: string): string =>
  `${fmt(median(xs), digits)}${unit} [${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}]`;
export const ratioText = (a: number, b: number): string => `${fmt(a / b)}×`;

/** Whether a program is on the PATH (or is an absolute path that exists). */
export function have(tool: string): boolean {
  if (tool.startsWith('/')) return existsSync(tool);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, tool)));
}

/** Clock ticks per second, for the CPU time of waited-for children in /proc/<pid>/stat. */
let tickMs: number | undefined;
function clockTickMs(): number {
  if (tickMs === undefined) {
    const r = have('getconf')
      ? spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 })
      : undefined;
    const hz = Number(r?.stdout?.trim());
    // 100 is what Linux reports on every common configuration.
    tickMs = 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
  }
  return tickMs;
}

/**
 * CPU time (ms) a process has used: every thread of it, to the nanosecond (schedstat), plus its
 * children that it has waited for (in clock ticks: a shell loop's curl and jq).
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ns / 1e6 + (Number(fields[13]) + Number(fields[14])) * clockTickMs();
}

export interface ProcStats {
  cpuMs: number;
  hwmKb: number;
  rssKb: number;
}

/** CPU time (see cpuMs), peak and current RSS (kB) of a live process, from /proc. */
export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { cpuMs: cpuMs(pid), hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

/** Kills `child` (and rejects `what` with Overrun) when it outlives `limitMs`. */
function limit<T>(child: ChildProcess, limitMs: number, what: string, done: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Overrun(`${what} ran past its limit of ${fmt(limitMs / 1000, 0)} s`));
    }, limitMs);
  });
  return Promise.race([done, overrun]).finally(() => clearTimeout(timer));
}

export interface Timed {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
}

/** Runs a command to its end under /usr/bin/time: wall ms (measured here), CPU ms and peak RSS (from the OS). */
export function timed(cmd: string, args: readonly string[], limitMs: number, env = ENV): Promise<Timed> {
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '@@TIME %U %S %M', cmd, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const done = new Promise<Timed>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const m = /@@TIME ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (!m) return reject(new Error(`no timing from ${cmd} ${args.join(' ')}: ${err.slice(0, 200)}`));
      resolve({ code, wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, maxRssKb: Number(m[3]) });
    });
  });
  return limit(child, limitMs, `${cmd} ${args.slice(0, 3).join(' ')}`, done);
}

/** Wall time (ms) of one run, spawned directly (no wrapper in the way). */
export function wall(cmd: string, args: readonly string[], limitMs: number, env = ENV): Promise<number> {
  const started = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
  return limit(child, limitMs, `${cmd} ${args.slice(0, 3).join(' ')}`, done);
}

/** A long-running process of the benchmark's: killed by `stop`, or by `reap` if it is forgotten. */
const living = new Set<ChildProcess>();
export function background(
  cmd: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdout?: 'pipe' } = {},
): ChildProcess {
  const child = spawn(cmd, args, {
    env: options.env ?? ENV,
    cwd: options.cwd,
    stdio: ['ignore', options.stdout ?? 'ignore', 'ignore'],
  });
  living.add(child);
  child.on('close', () => living.delete(child));
  return child;
}

export function spawnCli(args: readonly string[], env = ENV): ChildProcess {
  return background(NODE, [BIN, ...args], { env });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await closed;
  clearTimeout(timer);
}

/** Every process still running (a section that failed half-way): killed. */
export function reap(): void {
  for (const child of living) child.kill('SIGKILL');
}

/** The pid of the process that `script` runs (its only child, once it has exec'd). */
export async function childPid(pid: number | undefined): Promise<number> {
  for (let i = 0; pid !== undefined && i < 250; i++) {
    try {
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (kids) return Number(kids.split(' ')[0]);
    } catch {}
    await sleep(20);
  }
  throw new Overrun('the process under script never started');
}

/** Waits until `ready()` holds, checking every 50 ms; Overrun after `limitMs`. */
export async function until(ready: () => boolean, limitMs: number, what: string): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!ready()) {
    if (performance.now() > deadline)
      throw new Overrun(`${what} did not happen within ${fmt(limitMs / 1000, 0)} s`);
    await sleep(50);
  }
}

/** The pid of a spawned child; a child without one never started. */
export function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error(`${child.spawnfile} did not start`);
  return child.pid;
}
