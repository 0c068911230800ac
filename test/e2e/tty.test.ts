import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { BIN, cleanEnv, ESCAPE, run } from '../support/spawn.js';

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const PTY_HELPER = fileURLToPath(new URL('../support/pty_ctrl_c.py', import.meta.url));

let sim: Simulator;
let n = 0;
const id = (scenario: string) => `${scenario}-tty-${process.pid}-${++n}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 2500 });
});
afterAll(() => sim.close());

function spawnCollect(command: string, args: string[], env = cleanEnv()) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far:\n${out}`));
    }, 25_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Runs the CLI in a real pseudo-terminal through util-linux `script`. */
function inTerminal(args: string[], env = cleanEnv(), rows = 24) {
  const command = `stty cols 100 rows ${rows}; "${process.execPath}" "${BIN}" ${args.join(' ')}`;
  return spawnCollect('script', ['-qfec', command, '/dev/null'], env);
}

describe('in a terminal', () => {
  it('shows a spinner with a progress bar, hides the cursor while it runs and shows it again', async () => {
    const r = await inTerminal(['watch', '--base-url', sim.baseUrl, '--interval', '200ms', id('success')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(SPINNER);
    expect(r.out).toContain(HIDE_CURSOR);
    expect(r.out.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(r.out.lastIndexOf(HIDE_CURSOR));
    expect(r.out).toMatch(/In Progress.*█+░+.*\/4,500 \(\d+%\)/);
    expect(r.out).toMatch(/ETA /);
    expect(r.out).toContain('\u001b[32m'); // colour in a terminal
    expect(r.out).toMatch(/Successful.*in \d/);
  });

  it('NO_COLOR keeps the spinner but drops the colours', async () => {
    const r = await inTerminal(
      ['watch', '--base-url', sim.baseUrl, '--interval', '200ms', id('success')],
      cleanEnv({ NO_COLOR: '1' }),
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(SPINNER);
    expect(r.out).not.toContain('\u001b[31m');
    expect(r.out).not.toContain('\u001b[32m');
    expect(r.out).not.toContain('\u001b[36m');
  });

  it('more jobs than the terminal has rows: shows what fits and counts the rest', async () => {
    const jobs = Array.from({ length: 8 }, () => id('success'));
    const r = await inTerminal(
      ['watch', '--base-url', sim.baseUrl, '--interval', '200ms', ...jobs],
      cleanEnv(),
      6,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('… and 5 more jobs');
    expect(r.out.split('Processed').length - 1).toBe(8);
  });

  it('the same run in a pipe has no spinner frames and no cursor codes', async () => {
    const r = await run(['watch', '--base-url', sim.baseUrl, '--interval', '200ms', id('success')]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(SPINNER);
    expect(r.stderr + r.stdout).not.toMatch(ESCAPE);
  });

  it('Ctrl-C restores the cursor, prints the last state, says the export goes on, exits 130', async () => {
    const r = await spawnCollect('python3', [
      PTY_HELPER,
      'In Progress',
      process.execPath,
      BIN,
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      id('stuck'),
    ]);
    expect(r.code).toBe(130);
    expect(r.out.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(r.out.lastIndexOf(HIDE_CURSOR));
    expect(r.out).toContain('Stopped watching');
    expect(r.out).toContain('the export goes on on the server');
  });
});
