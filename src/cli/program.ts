import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS, ENV } from '../core/defaults.js';
import { parseDuration } from '../core/duration.js';
import { FAIL_ON, type FailOn } from '../poll/rules.js';
import { DEMO_SCENARIOS, SCENARIO_HELP } from '../sim/scenarios.js';

export type CommandName =
  | 'watch'
  | 'get'
  | 'start'
  | 'parse'
  | 'serve'
  | 'demo'
  | 'config'
  | 'completion'
  | 'version';
export type OutputFormat = 'text' | 'json' | 'ndjson';

/**
 * Every flag of every command as commander parsed it: durations in ms, whole numbers as numbers.
 * Their ranges are checked below the CLI (rules/settings.ts), as the library's are. A flag
 * that was not given is undefined (commander is given no defaults), so cli/resolve.ts can tell
 * "not given" from "given the default" and apply its precedence.
 */
export interface Flags {
  output?: OutputFormat;
  json?: boolean;
  quiet?: boolean;
  /** false with --no-color. */
  color?: boolean;
  verbose?: boolean;
  strict?: boolean;
  interval?: number | 'auto';
  minInterval?: number;
  maxInterval?: number;
  waitForCreate?: number;
  timeout?: number;
  deadline?: string;
  stateFile?: string;
  check?: boolean;
  verifyDelivery?: string | boolean;
  deliver?: boolean;
  sftpKey?: string;
  sftpHostKey?: string[];
  stallTimeout?: number;
  until?: string;
  failFast?: boolean;
  resultFile?: string;
  /** false with --no-notify. */
  notify?: boolean;
  notifyAfter?: number;
  requestTimeout?: number;
  maxRetries?: number;
  failOn?: FailOn;
  baseUrl?: string;
  tokenFile?: string;
  tokenCommand?: string;
  clientId?: string;
  clientSecretFile?: string;
  tokenUrl?: string;
  scope?: string;
  profile?: string;
  names?: boolean;
  language?: string;
  header?: string[];
  concurrency?: number;
  insecureHttp?: boolean;
  body?: string;
  watch?: boolean;
  host?: string;
  port?: number;
  duration?: number;
  token?: string;
  slow?: number;
  clientSecret?: string;
  tokenTtl?: number;
  scenario?: string;
}

/** What the user asked for: a command, its positional arguments and its flags. */
export interface Invocation {
  command: CommandName;
  args: string[];
  flags: Flags;
}

const EXIT_CODE_HELP = `
Exit codes:
  0    the job finished successfully (get/parse: fetched or parsed, and not failed)
  1    the job failed or was cancelled, or --fail-on was crossed
  2    usage error: unknown flag, bad value, missing argument, bad configuration
  3    --timeout ran out before the job finished (still running: check later)
  6    --stall-timeout ran out: neither status nor progress changed for that long (stuck)
  7    --verify-delivery: Successful, but nothing new at the destination
  4    no status could be had: HTTP 4xx, retries exhausted, network unreachable
  5    the server's answer is not a valid ExportStatus (the first, or past --max-retries)
  70   an internal error (a bug: please report it)
  74   stdout or stderr could not be written (a full disk)
  130  interrupted (SIGINT, Ctrl-C); 143: terminated (SIGTERM)
  141  the reader of stdout went away (| head -1)
With several jobs the highest code wins (130/143 always win).`;

const ENV_HELP = `
Environment (a flag beats its variable, a variable beats the profile):
  ${ENV.token}            a bearer token; cannot be renewed (never printed or logged)
  ${ENV.tokenCommand}   a command that prints a token (like --token-command)
  ${ENV.clientId}, ${ENV.clientSecret}, ${ENV.tokenUrl}, ${ENV.scope}
                                OAuth client credentials, renewed before they expire
  ${ENV.baseUrl}        base URL of the export API (or --base-url)
  ${ENV.language}        Accept-Language (or --language), default ${DEFAULTS.language}
  ${ENV.profile}         the profile to use (or --profile)
  NO_COLOR, FORCE_COLOR         turn colour off / on; TERM=dumb turns it off`;

/** A flag's description with its default, in the units the user types. */
const withDefault = (text: string, value: string | number) => `${text} (default: ${value})`;

/** A duration as typed; `min`, for the simulator's own options (the watch's are checked below the CLI). */
function durationParser(min = 0, name = 'duration') {
  return (value: string): number => {
    const parsed = parseDuration(value);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
    if (parsed.ms < min) throw new InvalidArgumentError(`the ${name} must be at least ${min} ms`);
    return parsed.ms;
  };
}

/** A whole number as typed; `max`, for the simulator's port. */
function integerParser(max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
    const n = Number(value);
    if (n > max) throw new InvalidArgumentError(`expected a number from 0 to ${max}, got ${n}`);
    return n;
  };
}

const duration = durationParser();
const wholeNumber = integerParser();
const portParser = integerParser(65535);

function interval(value: string): number | 'auto' {
  if (value.trim().toLowerCase() === 'auto') return 'auto';
  return duration(value);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function addOutputOptions(
  cmd: Command,
  what: string,
  quiet = 'no progress output; errors still go to stderr',
): Command {
  return cmd
    .addOption(
      new Option('-o, --output <format>', withDefault(`${what} format`, DEFAULTS.output)).choices([
        'text',
        'json',
        'ndjson',
      ]),
    )
    .option('--json', 'shorthand for --output json')
    .option('-q, --quiet', quiet)
    .option('--no-color', 'no colours (also: NO_COLOR, TERM=dumb)')
    .option('-v, --verbose', 'log each request, response, latency and retry decision to stderr')
    .option('--strict', 'any deviation from the ExportStatus schema is an invalid response');
}

function addFailOn(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--fail-on <level>',
      withDefault(
        'exit 1 when the results have errors (errors) or errors or warnings (warnings)',
        DEFAULTS.failOn,
      ),
    ).choices(FAIL_ON),
  );
}

/** What `watch` and `start --watch` have beyond `get`. */
function addWatchOptions(cmd: Command): Command {
  return cmd
    .option(
      '-i, --interval <duration>',
      withDefault('time between polls of one job (min 100ms), or auto', DEFAULTS.interval),
      interval,
    )
    .option(
      '--min-interval <duration>',
      withDefault('with --interval auto: the shortest interval', DEFAULTS.minInterval),
      duration,
    )
    .option(
      '--max-interval <duration>',
      withDefault('with --interval auto: the longest interval', DEFAULTS.maxInterval),
      duration,
    )
    .option(
      '--wait-for-create <duration>',
      'treat 404 as "not created yet" for this long after the first poll',
      duration,
    )
    .option('-t, --timeout <duration>', 'give up after this long (exit 3)', duration)
    .option(
      '--deadline <time>',
      'give up at this time, ISO 8601 like 2026-12-07T18:00:00Z (exit 3): a re-run keeps it, where --timeout starts again',
    )
    .option(
      '--stall-timeout <duration>',
      'give up when neither status nor progress changed for this long (exit 6)',
      duration,
    )
    .option(
      '--until <condition>',
      'stop waiting (exit 0) when the job is done (the default), running (it left Pending) or at N% (50%)',
    )
    .option(
      '--fail-fast',
      'with several jobs: the first that ends with a non-zero code ends the watch with it',
    )
    .option(
      '--verify-delivery [destination]',
      "after Successful, check the export's files arrived (exit 7 if none): s3://bucket/prefix; start takes the body's",
    )
    .option('--sftp-key <path>', 'with --verify-delivery to SFTP: a private key file to log in with')
    .option(
      '--sftp-host-key <fingerprint>',
      "with --verify-delivery to SFTP: the server's host key (SHA256:…, as ssh-keygen -l prints it), repeatable; else ~/.ssh/known_hosts",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--no-notify', 'no bell or desktop notification when a long watch ends in a terminal')
    .option(
      '--notify-after <duration>',
      withDefault('notify only when the watch took longer than this', DEFAULTS.notifyAfter),
      durationParser(0),
    );
}

/** What every command that talks to the API has: output, retries, where and how to ask. */
function addApiOptions(cmd: Command, quiet?: string): Command {
  addOutputOptions(cmd, 'output', quiet);
  addFailOn(cmd);
  return cmd
    .option(
      '--request-timeout <duration>',
      withDefault('time limit of one HTTP request', DEFAULTS.requestTimeout),
      duration,
    )
    .option(
      '--max-retries <n>',
      withDefault('consecutive transient failures tolerated per job, then exit 4', DEFAULTS.maxRetries),
      wholeNumber,
    )
    .option('--base-url <url>', `base URL of the export API (env ${ENV.baseUrl})`)
    .option('--profile <name>', `settings from a profile of the configuration file (env ${ENV.profile})`)
    .option('--token-file <path>', 'file holding the bearer token, read again when it is refused')
    .option(
      '--token-command <command>',
      `command whose output is the token or {"access_token","expires_in"} (env ${ENV.tokenCommand})`,
    )
    .option('--client-id <id>', `OAuth client credentials: the client ID (env ${ENV.clientId})`)
    .option(
      '--client-secret-file <path>',
      `file holding the client secret (env ${ENV.clientSecret}: the secret)`,
    )
    .option('--token-url <url>', `the OAuth token endpoint (env ${ENV.tokenUrl})`)
    .option('--scope <scope>', `the OAuth scope, such as <prefix>.default (env ${ENV.scope})`)
    .option(
      '--language <locale>',
      `Accept-Language, one of the API's 15 (env ${ENV.language}, default ${DEFAULTS.language})`,
    )
    .option('-H, --header <name: value>', 'extra request header, repeatable', collect)
    .option(
      '--concurrency <n>',
      withDefault('requests in flight at once across all jobs', DEFAULTS.concurrency),
      wholeNumber,
    )
    .option('--insecure-http', 'allow sending the token over plain http:// to a host that is not loopback')
    .option(
      '--result-file <path>',
      'also write the --json document of each job, one a line, to this file (whole, at the end)',
    );
}

/** Declares a command on `program` and returns it; its action reports what was asked for. */
type Declare = (program: Command) => Command;

const jobArgument = (cmd: Command) => cmd.argument('<job...>', 'job ID or full http(s):// status URL');

const COMMANDS: Record<CommandName, Declare> = {
  watch: (program) =>
    addApiOptions(
      addWatchOptions(
        jobArgument(
          program
            .command('watch')
            .description('watch export jobs until they finish, with live progress and a summary'),
        ),
      ),
    ),
  get: (program) =>
    addApiOptions(
      jobArgument(
        program
          .command('get')
          .description('fetch the status of export jobs once, print the summary, no waiting'),
      ),
      'no lines about retries on stderr; errors still go there',
    ),
  start: (program) =>
    addApiOptions(
      addWatchOptions(
        program
          .command('start')
          .description('start an export (POST /content/export) and print its job ID; with --watch, watch it')
          .requiredOption('--body <file>', 'the export request (KnowledgeExport JSON); "-" reads stdin')
          .option('--watch', 'go on watching the new job, as `watch` does')
          .option(
            '--state-file <path>',
            'record the job started here; a re-run with the same body starts nothing while that job runs or has succeeded',
          ),
      ),
    ),
  parse: (program) =>
    program
      .command('parse')
      .description('validate an ExportStatus document from a file or stdin and print its summary')
      .argument('[file]', 'the document; stdin when "-" or absent')
      .addOption(
        new Option(
          '-o, --output <format>',
          withDefault('text: the summary; json: the normalised document', DEFAULTS.output),
        ).choices(['text', 'json']),
      )
      .option('--json', 'shorthand for --output json')
      .option('--no-color', 'no colours (also: NO_COLOR, TERM=dumb)')
      .option('-v, --verbose', 'say which optional fields were dropped because their value was bad')
      .option('--strict', 'any deviation from the ExportStatus schema makes the document invalid'),
  version: (program) => program.command('version').description('print the version'),
  completion: (program) =>
    program
      .command('completion')
      .description('print a shell completion script: bash, zsh or fish')
      .argument('<shell>', 'bash, zsh or fish'),
  config: (program) =>
    program
      .command('config')
      .description('show the profiles, the one in use, and where each setting comes from (no secrets)')
      .option('--names', 'only the names of the profiles, one a line (for completion scripts)')
      .option(
        '--check',
        'check the settings: read every file they name, get a token, make one authenticated request (exit 0, 2 or 4)',
      )
      .option('--json', 'the same as one JSON document')
      .option('--profile <name>', `the profile to show (env ${ENV.profile})`)
      .option('--base-url <url>', 'as for watch')
      .option('--language <locale>', 'as for watch')
      .option('--token-file <path>', 'as for watch')
      .option('--token-command <command>', 'as for watch')
      .option('--client-id <id>', 'as for watch')
      .option('--client-secret-file <path>', 'as for watch')
      .option('--token-url <url>', 'as for watch')
      .option('--scope <scope>', 'as for watch'),
  serve: (program) =>
    program
      .command('serve')
      .description('run the built-in simulator of the export API')
      .option('--host <host>', withDefault('address to listen on', DEFAULTS.serve.host))
      .option(
        '--port <port>',
        withDefault('port to listen on (0: any free port)', DEFAULTS.serve.port),
        portParser,
      )
      .option(
        '--duration <duration>',
        withDefault('how long each job takes', DEFAULTS.serve.duration),
        durationParser(100, 'duration'),
      )
      .option('--token <token>', 'demand this bearer token (401 otherwise)')
      .option('--client-id <id>', 'with --client-secret: issue expiring tokens at /oauth2/v2.0/token')
      .option('--client-secret <secret>', 'the client secret the token endpoint takes (a test value)')
      .option(
        '--token-ttl <duration>',
        withDefault('how long an issued token lives', DEFAULTS.serve.tokenTtl),
        durationParser(100, 'token lifetime'),
      )
      .option(
        '--slow <duration>',
        withDefault('how long the `slow` scenario holds back its slow answers', DEFAULTS.serve.slow),
        durationParser(0),
      )
      .option(
        '--deliver',
        "a job started by a POST writes a few files to its body's S3 destination before Successful (at AWS_ENDPOINT_URL_S3)",
      )
      .option('-q, --quiet', 'do not log requests'),
  demo: (program) =>
    addFailOn(
      addOutputOptions(
        program
          .command('demo')
          .description('watch a simulated export from start to finish: no network, no credentials')
          .addOption(
            new Option(
              '--scenario <name>',
              withDefault('simulator scenario', DEFAULTS.demo.scenario),
            ).choices(DEMO_SCENARIOS),
          )
          .option(
            '--duration <duration>',
            withDefault('how long the simulated export takes', DEFAULTS.demo.duration),
            durationParser(100, 'duration'),
          )
          .option(
            '-i, --interval <duration>',
            withDefault('time between polls, or auto', DEFAULTS.demo.interval),
            interval,
          )
          .option('-t, --timeout <duration>', 'give up after this long (exit 3)', duration),
        'output',
      ),
    ),
};

/** The other name some commands answer to. */
const ALIAS: Partial<Record<CommandName, string>> = { get: 'status', config: 'profiles' };

/** Examples, the first thing people look for in --help, for each command that has any. */
const EXAMPLES: Partial<Record<CommandName, string[]>> = {
  watch: [
    'export-status watch 7A84B875-1C2D-4E5F-8A9B-0C1D2E3F4A5B',
    'export-status watch --timeout 3h --stall-timeout 30m --fail-on errors -- "$JOB"',
    'export-status watch "$JOB_A" "$JOB_B" --interval auto --json > results.ndjson',
    'export-status watch --profile prod -o ndjson -- "$JOB" | jq -c .',
  ],
  get: ['export-status get "$JOB"', 'export-status get "$JOB" --json | jq -r .status.status'],
  start: [
    'JOB=$(export-status start --body export.json)',
    'export-status start --body export.json --watch --timeout 4h',
  ],
  parse: ['export-status parse status.json', 'curl -s "$URL" | export-status parse --json'],
  serve: [
    'export-status serve --port 0',
    'export-status serve --port 0 --client-id me --client-secret s3 --token-ttl 2s',
  ],
  demo: [
    'export-status demo',
    'export-status demo --scenario failure --duration 5s',
    'export-status demo --scenario token-expiry',
  ],
  config: ['export-status config', 'export-status config --profile staging'],
  completion: ['export-status completion bash > ~/.local/share/bash-completion/completions/export-status'],
};

/** What a newcomer to `start` needs first: a body that works, to an S3 bucket and to an SFTP server. */
const BODY_HELP = `
An export body (KnowledgeExport JSON), to an S3 bucket:
  {"portalID": "PROD-1000", "language": {"code": "en-US"}, "resourceTypes": ["articles"],
   "dataDestination": {"destinationType": "AWS S3 bucket", "path": "s3://my-bucket/exports",
     "s3Details": {"region": "eu-west-1", "accessKey": "…", "secretKey": "…"}}}
or to an SFTP server:
  {"portalID": "PROD-1000", "language": {"code": "en-US"}, "resourceTypes": ["all"],
   "dataDestination": {"destinationType": "SFTP server", "path": "/exports",
     "sftpDetails": {"host": "sftp.example.com", "username": "…", "password": "…"}}}
Secrets in the body are never printed.`;

/** The simulator's scenarios, and how a job gets one and its own duration. */
const SERVE_HELP = `
Scenarios: a job's ID picks one by its prefix (failure-1, stuck-nightly), a POST by ?scenario=:
${Object.entries(SCENARIO_HELP)
  .map(([name, what]) => `  ${name.padEnd(15)} ${what}`)
  .join('\n')}
Each job takes --duration, unless its ID names its own (success-d3h-nightly, stuck-d90s) or the
POST says ?duration=3h. The API is served under /knowledge/portalmgr/v4 only, as the service is.`;

/** Which commands' help shows the exit codes and the environment variables of the API. */
const TALKS_TO_THE_API = new Set<CommandName>(['watch', 'get', 'start']);

function helpAfter(command: CommandName): string {
  const examples = EXAMPLES[command];
  const parts = examples ? [`\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`] : [];
  if (command === 'start') parts.push(BODY_HELP);
  if (command === 'serve') parts.push(SERVE_HELP);
  if (TALKS_TO_THE_API.has(command)) parts.push(EXIT_CODE_HELP, ENV_HELP);
  if (command === 'parse' || command === 'demo') parts.push(EXIT_CODE_HELP);
  return parts.join('\n');
}

/**
 * The commander declaration, and nothing else: parsing argv calls `capture` with what was asked
 * for. Output goes to the given writers; errors become CommanderErrors (exitOverride).
 *
 * Given the argv about to be parsed, a run that names a command declares that command alone: the
 * others could not be reached or shown, and declaring every flag of every command is a sizeable
 * part of the start-up time. Without a command (or with `help`, or an unknown name) all are declared,
 * so the help lists them and a typo gets its suggestion.
 */
export function buildProgram(
  version: string,
  write: { out: (text: string) => void; err: (text: string) => void },
  capture: (invocation: Invocation) => void,
  argv?: readonly string[],
): Command {
  const program = new Command('export-status')
    .description('Watch long-running content export jobs until they finish.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: write.out, writeErr: write.err })
    .exitOverride()
    .addHelpText('after', `${EXIT_CODE_HELP}\n${ENV_HELP}`);
  const only = argv && commandNamed(argv);
  for (const [command, declare] of Object.entries(COMMANDS) as Array<[CommandName, Declare]>) {
    if (only && command !== only) continue;
    const cmd = declare(program);
    const alias = ALIAS[command];
    if (alias) cmd.alias(alias);
    const after = helpAfter(command);
    if (after) cmd.addHelpText('after', after);
    cmd.action(function (this: Command) {
      capture({ command, args: this.args, flags: this.opts<Flags>() });
    });
  }
  return program;
}

/** Whether a word names a command (or an alias of one). */
export function isCommand(word: string): boolean {
  return Object.hasOwn(COMMANDS, word) || Object.values(ALIAS).includes(word);
}

/**
 * The command the argv names, if it names one: its first word (the program's own options, -h and
 * -V, take no value, so nothing else can come first).
 */
function commandNamed(argv: readonly string[]): CommandName | undefined {
  const first = argv.find((arg) => !arg.startsWith('-'));
  if (first === undefined) return undefined;
  if (Object.hasOwn(COMMANDS, first)) return first as CommandName;
  return (Object.keys(ALIAS) as CommandName[]).find((command) => ALIAS[command] === first);
}
