import { Command, InvalidArgumentError, Option } from 'commander';
import { SCENARIOS } from '../sim/scenarios.js';
import { parseDuration } from './duration.js';

/** What the user asked for, as commander parsed it; config.ts turns it into a validated Config. */
export type Invocation =
  | { command: 'parse'; file: string | undefined; opts: ParseOpts }
  | { command: 'watch' | 'get'; jobs: string[]; opts: PollOpts }
  | { command: 'start'; opts: StartOpts }
  | { command: 'serve'; opts: ServeOpts }
  | { command: 'demo'; opts: DemoOpts };

export interface OutputOpts {
  output: 'text' | 'json' | 'ndjson';
  json?: boolean;
  quiet?: boolean;
  color: boolean;
  verbose?: boolean;
  strict?: boolean;
}

export interface ParseOpts extends OutputOpts {}

export interface PollOpts extends OutputOpts {
  interval: number | 'auto';
  notify?: boolean;
  notifyAfter?: number;
  minInterval?: number;
  maxInterval?: number;
  waitForCreate?: number;
  timeout?: number;
  stallTimeout?: number;
  requestTimeout: number;
  maxRetries: number;
  failOn: 'never' | 'errors' | 'warnings';
  baseUrl?: string;
  tokenFile?: string;
  language?: string;
  header: string[];
  concurrency: number;
  insecureHttp?: boolean;
}

export interface StartOpts extends PollOpts {
  body: string;
  watch?: boolean;
}

export interface ServeOpts {
  host: string;
  port: number;
  duration: number;
  token?: string;
  slow: number;
  quiet?: boolean;
}

export interface DemoOpts extends OutputOpts {
  scenario: string;
  duration: number;
  interval: number;
  timeout?: number;
  failOn: 'never' | 'errors' | 'warnings';
}

export const MIN_INTERVAL_MS = 100;

export const EXIT_CODE_HELP = `
Exit codes:
  0    the job finished successfully (get/parse: fetched or parsed, and not failed)
  1    the job failed or was cancelled, or --fail-on was crossed
  2    usage error: unknown flag, bad value, missing argument, bad configuration
  3    --timeout or --stall-timeout ran out before the job finished
  4    no status could be had: HTTP 4xx, retries exhausted, network unreachable
  5    the server's answer is not a valid ExportStatus
  130  interrupted (SIGINT, Ctrl-C); 143: terminated (SIGTERM)
With several jobs the highest code wins (130/143 always win).`;

const ENV_HELP = `
Environment:
  EGAIN_ACCESS_TOKEN       bearer token (or --token-file); never printed or logged
  EXPORT_STATUS_BASE_URL   base URL of the export API (or --base-url)
  EXPORT_STATUS_LANGUAGE   Accept-Language (or --language), default en-US
  NO_COLOR, FORCE_COLOR    turn colour off / on; TERM=dumb turns it off`;

function duration(min = 0, name = 'duration') {
  return (value: string): number => {
    const parsed = parseDuration(value);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
    if (parsed.ms < min) throw new InvalidArgumentError(`the ${name} must be at least ${min} ms`);
    return parsed.ms;
  };
}

function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

function interval(value: string): number | 'auto' {
  if (value.trim().toLowerCase() === 'auto') return 'auto';
  return fixedInterval(value);
}

function fixedInterval(value: string): number {
  return duration(MIN_INTERVAL_MS, 'interval')(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function addOutputOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(
      new Option('-o, --output <format>', `${what} format`)
        .choices(['text', 'json', 'ndjson'])
        .default('text'),
    )
    .option('--json', 'shorthand for --output json')
    .option('-q, --quiet', 'no progress output; errors still go to stderr')
    .option('--no-color', 'no colours (also: NO_COLOR, TERM=dumb)')
    .option('-v, --verbose', 'log each request, response, latency and retry decision to stderr')
    .option('--strict', 'any deviation from the ExportStatus schema is an invalid response');
}

function addFailOn(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--fail-on <level>',
      'exit 1 when the results have errors (errors) or errors or warnings (warnings)',
    )
      .choices(['never', 'errors', 'warnings'])
      .default('never'),
  );
}

/** What `watch` and `start --watch` have beyond `get`. */
function addWatchOptions(cmd: Command): Command {
  return cmd
    .option(
      '-i, --interval <duration>',
      'time between polls of one job (min 100ms), or auto',
      interval,
      5_000,
    )
    .option(
      '--min-interval <duration>',
      'with --interval auto: the shortest interval (default 2s)',
      duration(MIN_INTERVAL_MS, 'interval'),
    )
    .option(
      '--max-interval <duration>',
      'with --interval auto: the longest interval (default 60s)',
      duration(MIN_INTERVAL_MS, 'interval'),
    )
    .option(
      '--wait-for-create <duration>',
      'treat 404 as "not created yet" for this long after the first poll',
      duration(1, 'grace'),
    )
    .option('-t, --timeout <duration>', 'give up after this long (exit 3)', duration(1, 'timeout'))
    .option(
      '--stall-timeout <duration>',
      'give up when neither status nor progress changed for this long (exit 3)',
      duration(1, 'stall timeout'),
    )
    .option('--no-notify', 'no bell or desktop notification when a long watch ends in a terminal')
    .option(
      '--notify-after <duration>',
      'notify only when the watch took longer than this',
      duration(0),
      60_000,
    );
}

function addPollOptions(cmd: Command): Command {
  addOutputOptions(cmd, 'output');
  addFailOn(cmd);
  return cmd
    .option(
      '--request-timeout <duration>',
      'time limit of one HTTP request',
      duration(MIN_INTERVAL_MS, 'request timeout'),
      30_000,
    )
    .option(
      '--max-retries <n>',
      'consecutive transient failures tolerated per job, then exit 4',
      integer(0, 1000),
      10,
    )
    .option('--base-url <url>', 'base URL of the export API (env EXPORT_STATUS_BASE_URL)')
    .option('--token-file <path>', 'file holding the bearer token (env EGAIN_ACCESS_TOKEN)')
    .option('--language <locale>', 'Accept-Language (env EXPORT_STATUS_LANGUAGE, default en-US)')
    .option('-H, --header <name: value>', 'extra request header, repeatable', collect, [])
    .option('--concurrency <n>', 'requests in flight at once across all jobs', integer(1, 64), 4)
    .option('--insecure-http', 'allow sending the token over plain http:// to a host that is not loopback');
}

/**
 * The commander declaration, and nothing else: parsing argv calls `capture` with what was asked
 * for. Output goes to the given writers; errors become CommanderErrors (exitOverride).
 */
export function buildProgram(
  version: string,
  write: { out: (text: string) => void; err: (text: string) => void },
  capture: (invocation: Invocation) => void,
): Command {
  const program = new Command('export-status')
    .description('Watch long-running content export jobs until they finish.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: write.out, writeErr: write.err })
    .exitOverride()
    .addHelpText('after', `${EXIT_CODE_HELP}\n${ENV_HELP}`);

  const watch = program
    .command('watch')
    .description('watch export jobs until they finish, with live progress and a summary')
    .argument('<job...>', 'job ID or full http(s):// status URL');
  addWatchOptions(watch);
  addPollOptions(watch).action((jobs: string[], opts: PollOpts) => capture({ command: 'watch', jobs, opts }));

  const get = program
    .command('get')
    .alias('status')
    .description('fetch the status of export jobs once, print the summary, no waiting')
    .argument('<job...>', 'job ID or full http(s):// status URL');
  addPollOptions(get).action((jobs: string[], opts: Omit<PollOpts, 'interval'>) =>
    capture({ command: 'get', jobs, opts: { ...opts, interval: 5_000 } }),
  );

  const start = program
    .command('start')
    .description('start an export (POST /content/export) and print its job ID; with --watch, watch it')
    .requiredOption('--body <file>', 'the export request (KnowledgeExport JSON); "-" reads stdin')
    .option('--watch', 'go on watching the new job, as `watch` does');
  addWatchOptions(start);
  addPollOptions(start).action((opts: StartOpts) => capture({ command: 'start', opts }));

  const parse = program
    .command('parse')
    .description('validate an ExportStatus document from a file or stdin and print its summary')
    .argument('[file]', 'the document; stdin when "-" or absent');
  addOutputOptions(parse, 'output (json: the normalised document)').action(
    (file: string | undefined, opts: ParseOpts) => capture({ command: 'parse', file, opts }),
  );

  program
    .command('serve')
    .description('run the built-in simulator of the export API')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', integer(0, 65535), 8080)
    .option('--duration <duration>', 'how long each job takes', duration(100, 'duration'), 20_000)
    .option('--token <token>', 'demand this bearer token (401 otherwise)')
    .option(
      '--slow <duration>',
      'how long the `slow` scenario holds back its slow answers',
      duration(0),
      35_000,
    )
    .option('-q, --quiet', 'do not log requests')
    .action((opts: ServeOpts) => capture({ command: 'serve', opts }));

  const demo = program
    .command('demo')
    .description('watch a simulated export from start to finish: no network, no credentials')
    .addOption(new Option('--scenario <name>', 'simulator scenario').choices(SCENARIOS).default('success'))
    .option('--duration <duration>', 'how long the simulated export takes', duration(100, 'duration'), 15_000)
    .option('-i, --interval <duration>', 'time between polls', fixedInterval, 1_000)
    .option('-t, --timeout <duration>', 'give up after this long (exit 3)', duration(1, 'timeout'));
  addOutputOptions(demo, 'output');
  addFailOn(demo).action((opts: DemoOpts) => capture({ command: 'demo', opts }));

  return program;
}
