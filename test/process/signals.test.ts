import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { freshIds } from '../support/ids.js';
import { BIN, cleanEnv, run, waitForOutput } from '../support/spawn.js';

// Signals and pipes need a real process: the CLI is spawned, the simulator keeps real time.
let sim: Simulator;
const id = freshIds('sig');

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 1500 });
});
afterAll(() => sim.close());

describe('signals and pipes', () => {
  it('SIGINT stops the watch: last known state, the export goes on, exit 130', async () => {
    const r = await run(['watch', '--base-url', sim.baseUrl, '--interval', '200ms', id('stuck')], {
      onSpawn: (child) => {
        void waitForOutput(child.stderr as NodeJS.ReadableStream, (t) => t.includes('In Progress')).then(() =>
          child.kill('SIGINT'),
        );
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('Stopped watching');
    expect(r.stdout).toMatch(/Status {5}In Progress/);
    expect(r.stdout).toContain('the export goes on on the server');
  });

  it('SIGTERM exits 143', async () => {
    const r = await run(['watch', '--base-url', sim.baseUrl, id('stuck')], {
      onSpawn: (child) => {
        void waitForOutput(child.stderr as NodeJS.ReadableStream, (t) => t.includes('Pending')).then(() =>
          child.kill('SIGTERM'),
        );
      },
    });
    expect(r.code).toBe(143);
  });

  it('a reader that goes away (| head -1) ends the watch quietly, with 141 as Unix tools do (never 0)', async () => {
    const script = `"${process.execPath}" "${BIN}" watch --base-url ${sim.baseUrl} --interval 100ms -o ndjson ${id('stuck')} | head -1`;
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], { env: cleanEnv() });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(JSON.parse(out).type).toBe('poll');
    expect(err).toBe('');
    // under pipefail the pipeline reports the watch's 141, not a success it never had
    expect(code).toBe(141);
  });
});

describe('signals that end a run while a token command runs', () => {
  /** Whether the command's `sleep` (its command line starts with `marker`) is running. */
  const running = (marker: string) =>
    spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .stdout.split('\n')
      .some((line) => line.trim().startsWith(marker));

  it.each([
    ['SIGHUP', 129, 'watch'],
    ['SIGQUIT', 131, 'watch'],
    ['SIGUSR2', 140, 'watch'],
    ['SIGHUP', 129, 'start'],
  ] as const)('%s (%s during %s) leaves no process of the command’s group', async (signal, code, command) => {
    const marker = `sleep 33.${process.pid}${code}${command.length}`;
    const args =
      command === 'watch'
        ? ['watch', '--base-url', sim.baseUrl, id('stuck')]
        : ['start', '--base-url', sim.baseUrl, '--body', '-'];
    const r = await run([...args, '--token-command', `${marker}; echo tok-123456`], {
      input: JSON.stringify({
        portalID: 'PROD-1000',
        language: { code: 'en-US' },
        resourceTypes: ['articles'],
        dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://b/f' },
      }),
      onSpawn: (child) => {
        // once the command runs
        const poll = setInterval(() => {
          if (!running(marker)) return;
          clearInterval(poll);
          child.kill(signal);
        }, 50);
        child.on('exit', () => clearInterval(poll));
      },
    });
    expect(r.code).toBe(code);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running(marker)).toBe(false);
  });
});

describe('watch - with a stdin that stays open', () => {
  it('ends at its --timeout (the pipe is let go): exit 3', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'watch', '--base-url', sim.baseUrl, '--timeout', '2s', '--interval', '200ms', '-'],
      { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stdin.write(`${id('stuck')}\n`);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const started = Date.now();
    const code = await new Promise((resolve) => child.on('exit', resolve));
    child.stdin.destroy();
    expect(code).toBe(3);
    expect(out).toContain('Timed out');
    // 2 s and the last poll's grace; a liveness bound (before: only when stdin closed)
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
