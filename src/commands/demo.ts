import { request } from '../api/client.js';
import { outputConfig, type PollConfig, resolveJob } from '../cli/config.js';
import type { DemoOpts } from '../cli/program.js';
import type { Deps } from '../deps.js';
import { ExitCode } from '../exit-codes.js';
import { clientOptions } from './client-options.js';
import { runPoll } from './watch.js';

/**
 * `export-status demo`: the simulator on a free loopback port, a fresh export started on it with
 * POST /content/export, and `watch` on that job through the very same code path.
 */
export async function runDemo(opts: DemoOpts, deps: Deps): Promise<number> {
  const { startSimulator } = await import('../sim/server.js');
  const sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    durationMs: opts.duration,
    slowMs: 3 * 1000,
  });
  try {
    const baseUrl = new URL(sim.baseUrl);
    const config: PollConfig = {
      ...outputConfig(opts),
      jobs: [],
      baseUrl,
      token: undefined,
      language: 'en-US',
      headers: [],
      concurrency: 4,
      warnings: [],
      notifyAfterMs: undefined,
      settings: {
        intervalMs: opts.interval,
        timeoutMs: opts.timeout,
        stallTimeoutMs: undefined,
        maxRetries: 10,
        requestTimeoutMs: 2_000,
        once: false,
        failOn: opts.failOn,
      },
    };
    const created = await request(
      'POST',
      new URL(`${sim.baseUrl}/content/export?scenario=${encodeURIComponent(opts.scenario)}`),
      clientOptions(config, deps),
      new AbortController().signal,
      config.settings.requestTimeoutMs,
      JSON.stringify({ portalID: 'demo', language: { code: 'en-US' }, resourceTypes: ['articles'] }),
    );
    const location = created.kind === 'response' ? created.response.headers.location : undefined;
    if (created.kind !== 'response' || created.response.status !== 202 || !location) {
      deps.stderr.write('error: the simulator did not start an export\n');
      return ExitCode.unavailable;
    }
    const job = resolveJob(new URL(location, baseUrl).href, baseUrl);
    if (config.output === 'text' && !config.quiet) {
      deps.stderr.write(`Started a simulated export (scenario: ${opts.scenario}) on ${sim.baseUrl}\n`);
    }
    const code = await runPoll({ ...config, jobs: [job] }, deps);
    if (config.output === 'text' && !config.quiet) {
      deps.stderr.write(
        '\nThat was the built-in simulator. To watch a real export:\n' +
          '  EGAIN_ACCESS_TOKEN=… npx export-status watch <job-id>     (export-status --help for more)\n',
      );
    }
    return code;
  } finally {
    await sim.close();
  }
}
