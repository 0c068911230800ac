import { ExitCode, exitCodeFor, type InterruptSignal } from '../../core/exit-codes.js';
import type { Deps } from '../../deps.js';
import { timestamp } from '../../render/plain.js';
import { SCENARIOS } from '../../sim/scenarios.js';
import type { SimulatorOptions } from '../../sim/server.js';

/** `export-status serve`: the simulator until SIGINT/SIGTERM. Its base URL is the first line of stdout. */
export async function runServe(options: SimulatorOptions, quiet: boolean, deps: Deps): Promise<number> {
  const { startSimulator } = await import('../../sim/server.js');
  const log = quiet
    ? undefined
    : (line: string) => deps.stderr.write(`${timestamp(deps.clock.now())} ${line}\n`);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ ...options, log });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE' ? 'the port is in use (--port 0 picks a free one)' : (e.code ?? e.message);
    deps.stderr.write(`error: cannot listen on ${options.host}:${options.port}: ${why}\n`);
    return ExitCode.unavailable;
  }
  deps.stdout.write(`${sim.baseUrl}\n`);
  deps.stderr.write(
    `Simulator listening. Try:\n  export-status watch --base-url ${sim.baseUrl} success-1\n` +
      `Scenarios by ID prefix: ${SCENARIOS.join(', ')}. Ctrl-C stops.\n`,
  );
  const signal = await new Promise<InterruptSignal>((resolve) => {
    const stop = deps.onInterrupt((s) => {
      stop();
      resolve(s);
    });
  });
  await sim.close();
  log?.('stopped');
  return exitCodeFor('interrupted', signal);
}
