import { afterAll, beforeAll } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/sim/server.js';
import { type CliOptions, type CliRun, runCli } from './cli.js';
import { freshIds } from './ids.js';
import { hold } from './servers.js';
import { VirtualClock } from './virtual-clock.js';

export interface SimulatorFixture {
  /** The clock the simulator and every run share: exports take no real time. */
  clock: VirtualClock;
  /** The simulator, started before the file's tests and closed after them. */
  readonly sim: Simulator;
  /** The CLI in-process, on the shared clock. */
  run(args: string[], options?: CliOptions): Promise<CliRun>;
  /** A fresh job ID that picks `scenario`, so tests never share a job. */
  id(scenario: string): string;
}

/** One simulator for a test file, on a virtual clock its runs share. */
export function useSimulator(options: Omit<SimulatorOptions, 'now'> = {}): SimulatorFixture {
  const clock = new VirtualClock();
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, durationMs: 1500, ...options, now: clock.now, holding: hold });
  });
  afterAll(() => sim?.close());
  return {
    clock,
    get sim() {
      if (!sim) throw new Error('the simulator starts in beforeAll');
      return sim;
    },
    run: (args, runOptions = {}) => runCli(args, { clock, ...runOptions }),
    id: freshIds('sim'),
  };
}
