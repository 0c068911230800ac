import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMES, HIDE_CURSOR, SHOW_CURSOR } from '../../src/render/tty.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { freshIds } from '../support/ids.js';
import { BIN, cleanEnv, collect, run } from '../support/spawn.js';

const SPINNER = new RegExp(`[${FRAMES.unicode.join('')}]`);
const ESC = '\u001b';
const BEL = '\u0007';
const PTY = fileURLToPath(new URL('../support/pty_run.py', import.meta.url));

let sim: Simulator;
const id = freshIds('tty');

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 1500 });
});
afterAll(() => sim.close());

/** A terminal's output is one stream (what `script` and the pty harness print); so is this. */
async function spawnCollect(command: string, args: string[], env = cleanEnv()) {
  const r = await collect(command, args, { env, timeoutMs: 25_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}

/** Runs the CLI in a real pseudo-terminal through util-linux `script`. */
function inTerminal(args: string[], env = cleanEnv(), rows = 24) {
  const command = `stty cols 100 rows ${rows}; "${process.execPath}" "${BIN}" ${args.join(' ')}`;
  return spawnCollect('script', ['-qfec', command, '/dev/null'], env);
}

// Each test is a process of its own waiting on the simulator: they run side by side.
describe.concurrent('in a terminal', () => {
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

  it('a reader of stdout that goes away mid-watch ends the run with 141 and the cursor shown again', async () => {
    // The first job's JSON line goes to a closed pipe while the spinner (on stderr, a terminal)
    // still runs for the second.
    const command = `stty cols 100 rows 24; "${process.execPath}" "${BIN}" watch --json --base-url ${sim.baseUrl} --interval 200ms ${id('success')} ${id('stuck')} | true; echo "code \${PIPESTATUS[0]}"`;
    const r = await spawnCollect('script', ['-qfec', `bash -c '${command}'`, '/dev/null']);
    expect(r.out).toMatch(SPINNER);
    expect(r.out).toContain('code 141');
    expect(r.out.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(r.out.lastIndexOf(HIDE_CURSOR));
  });

  it('Ctrl-C restores the cursor, prints the last state, says the export goes on, exits 130', async () => {
    const r = await spawnCollect('python3', [
      PTY,
      'ctrl-c',
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
describe('a terminal on stdin', () => {
  it('parse with no file and a terminal on stdin is a usage error, not a wait', async () => {
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${BIN}" parse`, '/dev/null'], {
      env: cleanEnv(),
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(out).toContain('no document given');
  });
});

describe.concurrent('done notification', () => {
  /** A watch of a fresh successful job in a terminal, with `flags`; what the terminal showed. */
  const watchInTerminal = async (...flags: string[]) =>
    (await inTerminal(['watch', '--base-url', sim.baseUrl, '--interval', '200ms', ...flags, id('success')]))
      .out;
  const OSC9 = '\u0007\u001b]9;export-status: export ';

  it('rings and notifies in a terminal once the watch ran longer than --notify-after', async () => {
    const out = await watchInTerminal('--notify-after', '500ms');
    expect(out).toContain(OSC9);
    expect(out).toMatch(new RegExp(`${ESC}\\]9;export-status: export success-tty-\\S+: succeeded${BEL}`));
  });

  it('not with --no-notify, not for a short watch, never in a pipe', async () => {
    expect(await watchInTerminal('--notify-after', '500ms', '--no-notify')).not.toContain(']9;');
    expect(await watchInTerminal()).not.toContain(']9;');
    const pipe = await run([
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      '--notify-after',
      '0s',
      id('success'),
    ]);
    expect(pipe.stderr + pipe.stdout).not.toContain(']9;');
    expect(pipe.stderr + pipe.stdout).not.toContain('\u0007');
  });
});

/** The lines a terminal shows: frames start at column 1, escape sequences take no room. */
function screenLines(out: string): string[] {
  const frames = out.replaceAll('\u001b[1G', '\n');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: reading what a terminal received.
  const escapes = /\u001b\[[0-9;?]*[A-Za-z]/g;
  return frames.replace(escapes, '').split(/\r\n|\n|\r/);
}

describe.concurrent('any terminal width', () => {
  it.each([40, 200])(
    'at %i columns every line fits: live lines, the summary, the demo notes',
    async (cols) => {
      const command = `stty cols ${cols} rows 24; "${process.execPath}" "${BIN}" demo --duration 2s --interval 300ms --scenario failure`;
      const r = await spawnCollect('script', ['-qfec', command, '/dev/null']);
      expect(r.code).toBe(1);
      const lines = screenLines(r.out);
      expect(lines.filter((l) => [...l].length > cols)).toEqual([]);
      const live = lines.filter((l) => l.includes('In Progress'));
      expect(live.length).toBeGreaterThan(0);
      if (cols === 200) {
        // wide: everything, bar and ETA included
        expect(live.some((l) => /█.*\d+\/4,500 \(\d+%\)\s+ETA /.test(l))).toBe(true);
      } else {
        // narrow: the bar and the ETA go first; the summary's values wrap under their labels
        expect(live.some((l) => l.includes('█') || l.includes('ETA'))).toBe(false);
        expect(lines.join('\n')).toMatch(/Error {6}Connection timeout after\n {13}processing 2700 items\./);
      }
    },
  );

  it('a terminal narrowed mid-watch gets lines that fit its new width', async () => {
    const r = await spawnCollect('python3', [
      PTY,
      'resize',
      'In Progress',
      '200',
      '40',
      process.execPath,
      BIN,
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '200ms',
      id('success'),
    ]);
    expect(r.code).toBe(0);
    const [before = '', after = ''] = r.out.split('=== RESIZED ===');
    expect(screenLines(before).some((l) => l.includes('█'))).toBe(true);
    // after the resize (a frame or two may have been on their way), the live lines fit 40 columns
    const liveAfter = screenLines(after).filter((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /.test(l));
    expect(liveAfter.length).toBeGreaterThan(2);
    expect(liveAfter.slice(2).filter((l) => [...l].length > 40)).toEqual([]);
  });
});
