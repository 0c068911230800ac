import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { run } from '../support/spawn.js';

// Deadlines are measured on a monotonic clock: a step of the system clock neither ends a watch
// early nor keeps it from ending. The CLI runs with a preload that makes its Date jump.
const PRELOAD = fileURLToPath(new URL('../support/jump-clock.cjs', import.meta.url));
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 3_600_000 });
});
afterAll(() => sim.close());

const jumping = (jumpMs: number) => ({
  NODE_OPTIONS: `--require ${PRELOAD}`,
  JUMP_MS: String(jumpMs),
  JUMP_AFTER_MS: '400',
});

describe('a system clock that jumps', () => {
  it('2 hours forward does not end --timeout 1h or --stall-timeout 30m', async () => {
    let stoppedAt = 0;
    const r = await run(
      [
        'watch',
        '--base-url',
        sim.baseUrl,
        'stuck-jump-1',
        '--interval',
        '200ms',
        '--timeout',
        '1h',
        '--stall-timeout',
        '30m',
      ],
      {
        env: jumping(2 * 3_600_000),
        onSpawn: (child) => {
          setTimeout(() => {
            stoppedAt = Date.now();
            child.kill('SIGTERM');
          }, 2_500);
        },
      },
    );
    // still watching when stopped, 2 s after the jump: not timed out
    expect(stoppedAt).toBeGreaterThan(0);
    expect(r.code).toBe(143);
    expect(r.stdout).toContain('Stopped watching');
  });

  it('1 hour backward does not keep --timeout 2s from firing', async () => {
    const started = Date.now();
    const r = await run(
      ['watch', '--base-url', sim.baseUrl, 'stuck-jump-2', '--interval', '200ms', '--timeout', '2s'],
      {
        env: jumping(-3_600_000),
      },
    );
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
