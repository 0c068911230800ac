import { spawn } from 'node:child_process';
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
