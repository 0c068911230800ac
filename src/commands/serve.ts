import type { ServeOpts } from '../cli/program.js';
import type { Deps } from '../deps.js';
import { exitCodeFor, type InterruptSignal } from '../exit-codes.js';
import { plainTimestampedLine } from './lines.js';

/** `export-status serve`: the simulator until SIGINT/SIGTERM. Its base URL is the first line of stdout. */
export async function runServe(opts: ServeOpts, deps: Deps): Promise<number> {
  const { startSimulator } = await import('../sim/server.js');
  const log = opts.quiet
    ? undefined
    : (line: string) => deps.stderr.write(plainTimestampedLine(deps.clock.now(), line));
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({
      host: opts.host,
      port: opts.port,
      durationMs: opts.duration,
      token: opts.token,
      slowMs: opts.slow,
      log,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE' ? 'the port is in use (--port 0 picks a free one)' : (e.code ?? e.message);
    deps.stderr.write(`error: cannot listen on ${opts.host}:${opts.port}: ${why}\n`);
    return 4;
  }
  deps.stdout.write(`${sim.baseUrl}\n`);
  deps.stderr.write(
    `Simulator listening. Try:\n  export-status watch --base-url ${sim.baseUrl} success-1\n` +
      `Scenarios by ID prefix: success, failure, flaky, slow, unknown-status, garbage, stuck, not-found. Ctrl-C stops.\n`,
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
