import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { PROXIED_HOST, recordingProxy } from '../support/servers.js';
import { collect } from '../support/spawn.js';

// What only a real Node process shows: that a program using the built library ends as it
// should, with no unhandled rejection behind its back.
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 500 });
});
afterAll(() => sim.close());

/** Runs an ESM program in the repository (so `./dist/index.js` is the built library). */
const program = (source: string) =>
  collect(process.execPath, ['--input-type=module', '-e', source], { env: process.env });

describe('a program that only iterates the events', () => {
  it('of a watch whose token function throws: gets the result event and exits 0', async () => {
    const r = await program(`
      import { watchExport } from './dist/index.js';
      const watch = watchExport('success-p1', {
        baseUrl: ${JSON.stringify(sim.baseUrl)},
        interval: 100,
        token: async () => { throw new Error('no vault'); },
      });
      for await (const event of watch) console.log(event.type, event.result?.outcome, event.result?.exitCode);
    `);
    expect(r).toMatchObject({ code: 0, stdout: 'result error 4\n', stderr: '' });
  });

  it('of a watch with bad options: the iteration throws exit code 2, and nothing is left unhandled', async () => {
    const r = await program(`
      import { watchExport } from './dist/index.js';
      try {
        for await (const event of watchExport('success-p2', { baseUrl: ${JSON.stringify(sim.baseUrl)}, interval: 5 })) {
          console.log('event', event.type);
        }
      } catch (err) {
        console.log(err.exitCode, err.message);
      }
      await new Promise((r) => setTimeout(r, 50));
    `);
    expect(r).toMatchObject({ code: 0, stdout: '2 interval: at least 100 ms, got 5 ms\n', stderr: '' });
  });
});

describe('the built library', () => {
  it('an uncaught ExportStatusError shows a readable line of code, not the minified bundle', async () => {
    const r = await program(`
      import { getExportStatus } from './dist/index.js';
      await getExportStatus('success-p4', { baseUrl: 'http://127.0.0.1:9/v4', maxRetries: 0 });
    `);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ExportStatusError: connection error');
    expect(r.stderr).toMatch(/dist\/index\.js:\d+/);
    const longest = Math.max(...r.stderr.split('\n').map((line) => line.length));
    expect(longest).toBeLessThanOrEqual(200);
  });

  it('watches through a proxy given in its env option, with the one copy of undici the package ships', async () => {
    const proxy = await recordingProxy();
    try {
      const r = await program(`
        import { watchExport } from './dist/index.js';
        const result = await watchExport('success-p3', {
          baseUrl: ${JSON.stringify(sim.baseUrl.replace('127.0.0.1', PROXIED_HOST))},
          interval: 100,
          token: 'library-proxy-token',
          allowInsecureHttp: true,
          env: { HTTP_PROXY: ${JSON.stringify(proxy.url)} },
        }).result;
        console.log(result.outcome, result.exitCode);
      `);
      expect(r).toMatchObject({ code: 0, stdout: 'succeeded 0\n', stderr: '' });
      // every request went through the proxy (a tunnel to the simulator)
      expect(proxy.lines.length).toBeGreaterThan(0);
      for (const line of proxy.lines) expect(line).toBe(`CONNECT ${PROXIED_HOST}:${sim.port}`);
    } finally {
      await proxy.close();
    }
  });
});
