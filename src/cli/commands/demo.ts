import { exportUrl } from '../../api/urls.js';
import { formatDuration } from '../../core/duration.js';
import type { Deps } from '../../deps.js';
import { terminalOf } from '../../io/streams.js';
import { wrap } from '../../render/fit.js';
import { checkExportBody, describeStart, sendStart, startExitCode } from '../../rules/start.js';
import { type Config, simulatorApi } from '../resolve.js';
import { CLI_WORDS } from '../words.js';
import { connect } from './connect.js';
import { runWatch } from './watch.js';

type DemoConfig = Extract<Config, { command: 'demo' }>;

/** A valid export request for the simulator. */
const DEMO_BODY = {
  portalID: 'DEMO-1000',
  language: { code: 'en-US' },
  resourceTypes: ['articles'],
  dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://demo-bucket/exports' },
};

/**
 * `export-status demo`: the simulator on a free loopback port, a fresh export started on it with
 * POST /content/export, and `watch` on that job through the very same code path.
 */
export async function runDemo(config: DemoConfig, deps: Deps): Promise<number> {
  const { startSimulator } = await import('../../sim/server.js');
  const sim = await startSimulator({ ...config.simulator, now: deps.clock.now });
  try {
    const { clientId, clientSecret } = config.simulator;
    const { watch } = config;
    const api = simulatorApi(
      sim.baseUrl,
      clientId && clientSecret
        ? {
            kind: 'client',
            tokenUrl: new URL(sim.tokenUrl),
            tokenUrlFrom: 'the simulator',
            clientId,
            clientSecret,
            scope: 'demo.default',
          }
        : { kind: 'none' },
      watch,
    );
    const url = exportUrl(api.baseUrl);
    url.searchParams.set('scenario', config.scenario === 'token-expiry' ? 'success' : config.scenario);
    const connection = await connect(api, deps);
    const started = await sendStart(
      api.baseUrl,
      checkExportBody(DEMO_BODY, CLI_WORDS),
      connection.client,
      new AbortController().signal,
      watch.rules.requestTimeoutMs,
      url,
    );
    if (started.kind !== 'started') {
      deps.stderr.write(
        `error: the simulator did not start an export: ${describeStart(started, CLI_WORDS)}\n`,
      );
      return startExitCode(started);
    }
    const { job } = started;
    const chatty = watch.output === 'text' && !watch.quiet;
    // In a terminal every line fits its width; in a log lines stay whole.
    const say = (text: string) => {
      const width = terminalOf(deps).errWidth();
      const lines = text.split('\n').map((line) => (width ? wrap(line, width, 2) : line));
      deps.stderr.write(lines.join('\n'));
    };
    if (chatty) {
      say(`Started a simulated export (scenario: ${config.scenario}) on ${sim.baseUrl}\n`);
      const ttl = config.simulator.tokenTtlMs;
      if (ttl) say(`Its access tokens expire every ${formatDuration(ttl)}: watch them being renewed.\n`);
    }
    const code = await runWatch([job], api, watch, deps, connection);
    if (chatty) {
      const cli = deps.invokedAs;
      say(
        '\nThat was the built-in simulator. To watch a real export, give it your client credentials:\n' +
          '  export EGAIN_CLIENT_ID=… EGAIN_CLIENT_SECRET=… EGAIN_TOKEN_URL=… EGAIN_SCOPE=…\n' +
          `  ${cli} watch <job-id>\n` +
          `(${cli} watch --help for more; the README's "Credentials" for other ways)\n`,
      );
    }
    return code;
  } finally {
    await sim.close();
  }
}
