/**
 * The one place configuration is resolved: a parsed invocation plus the environment become one
 * typed Config per command. Precedence, for every setting: flag > environment > default
 * (core/defaults.ts). docs/CONTRACT.md lists each setting and where it comes from.
 */

import type { JobRef } from '../api/urls.js';
import { parseHttpUrl, resolveJob } from '../api/urls.js';
import { DEFAULTS, ENV, defaultMs as ms } from '../core/defaults.js';
import { EndedError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { sanitize } from '../core/sanitize.js';
import { type Destination, parseDestination, type StoredFile } from '../delivery/destination.js';
import type { ConfigSources } from '../deps.js';
import type { WatchRules } from '../poll/rules.js';
import { type ConnectionSpec, type CredentialSpec, checkConnection } from '../rules/connection.js';
import { checkConcurrency, checkLanguage, checkRules, type RuleSettings } from '../rules/settings.js';
import type { Vocabulary } from '../rules/vocabulary.js';
import { DEMO_SCENARIOS, type DemoScenario } from '../sim/scenarios.js';
import type { SimulatorOptions } from '../sim/server.js';
import { USER_AGENT } from '../version.js';
import { resolveCredential } from './credential.js';
import { parseHeader } from './header.js';
import { chooseProfile } from './profile.js';
import type { Flags, Invocation, OutputFormat } from './program.js';
import type { SettingsReport } from './report.js';
import { pick } from './settings.js';
import { CLI_WORDS } from './words.js';

export interface OutputConfig {
  output: OutputFormat;
  quiet: boolean;
  color: boolean;
  verbose: boolean;
  strict: boolean;
}

/** Where the export API is and how to talk to it. */
export interface ApiConfig {
  baseUrl: URL;
  /** The connection every request of the run goes through, checked. */
  connection: ConnectionSpec;
  /** The profile in use, if any (for the hints the CLI prints). */
  profile: string | undefined;
  /** Where the base URL came from, for hints: "--base-url", "EXPORT_STATUS_BASE_URL"… */
  baseUrlFrom: string;
}

/** How `watch`, `get`, `start --watch` and `demo` poll and show their jobs. */
export interface WatchConfig extends OutputConfig {
  rules: WatchRules;
  concurrency: number;
  /** Things worth telling the user before starting (a token file others can read). */
  warnings: string[];
  /** Ring the bell and send an OSC 9 notification when a watch longer than this ends in a terminal. */
  notifyAfterMs: number | undefined;
  /** Say so when the access token is renewed (always with --verbose; the demo of renewal too). */
  announceRenewals: boolean;
  /** --fail-fast: the first job that ends with a non-zero code ends the watch with that code. */
  failFast: boolean;
  /** --result-file: where the --json documents of every job are written, whole, at the end. */
  resultFile: string | undefined;
  /**
   * --verify-delivery: a succeeded job's files are looked for at the destination. `destination`
   * undefined: the body's (start); `before`: the listing taken before the start.
   */
  delivery?:
    | {
        destination: Destination | undefined;
        before?: readonly StoredFile[] | undefined;
        /** --sftp-key, --sftp-host-key. */
        sftpKey?: string | undefined;
        sftpHostKeys: readonly string[];
      }
    | undefined;
}

export type Config =
  | { command: 'parse'; file: string | undefined; output: OutputConfig }
  | { command: 'watch' | 'get'; jobs: JobRef[]; api: ApiConfig; watch: WatchConfig }
  | {
      command: 'start';
      bodyFile: string;
      thenWatch: boolean;
      /** --state-file: the record that keeps a re-run from starting a second export. */
      stateFile: string | undefined;
      api: ApiConfig;
      watch: WatchConfig;
      /** The front end's words for what it says of the body ("--body", "body-file"). */
      words: Vocabulary;
    }
  | { command: 'serve'; simulator: SimulatorOptions; quiet: boolean }
  | {
      command: 'config';
      report: SettingsReport;
      namesOnly: boolean;
      json: boolean;
      /** --check: the API settings to try, every file read and every check passed. */
      check: ApiConfig | undefined;
    }
  | { command: 'completion'; shell: string | undefined }
  | { command: 'version' }
  | { command: 'demo'; scenario: DemoScenario; simulator: SimulatorOptions; watch: WatchConfig };

/**
 * The parsed invocation and the environment → the command's Config, or a UsageError in `words`:
 * the CLI's flags, or the words of the front end that runs the CLI (the action's inputs).
 */
export async function resolveConfig(
  invocation: Invocation,
  sources: ConfigSources,
  words: Vocabulary = CLI_WORDS,
): Promise<Config> {
  const { command, args, flags } = invocation;
  switch (command) {
    case 'parse':
      return { command, file: args[0], output: outputConfig(flags) };
    case 'watch':
    case 'get': {
      // What the flags alone say is checked first: a typo is reported before anything is read.
      const watch = watchConfig(flags, command === 'get', words, sources.clock?.now());
      if (watch.delivery && !watch.delivery.destination) {
        throw new UsageError(
          `${words.name.verifyDelivery}: name where the job delivers, like s3://bucket/prefix (start takes the body's)`,
        );
      }
      const named = args.length === 1 && args[0] === '-' ? await idsFromStdin(sources, watch, words) : args;
      const api = await apiConfig(flags, sources, watch, words, (baseUrl) => resolveJobs(named, baseUrl));
      return { command, jobs: api.jobs, api, watch };
    }
    case 'start': {
      // The job is new: a 404 for a moment after the 202 is no reason to give up on it.
      const watch = watchConfig(
        flags.watch
          ? { ...flags, waitForCreate: flags.waitForCreate ?? ms(DEFAULTS.newJobWaitForCreate) }
          : flags,
        false,
        words,
        sources.clock?.now(),
      );
      const api = await apiConfig(flags, sources, watch, words, () => []);
      return {
        command,
        bodyFile: flags.body ?? '-',
        thenWatch: Boolean(flags.watch),
        stateFile: flags.stateFile,
        api,
        watch,
        words,
      };
    }
    case 'serve': {
      const simulator = serveOptions(flags);
      if (flags.deliver) {
        const endpoint = sources.env.AWS_ENDPOINT_URL_S3 || sources.env.AWS_ENDPOINT_URL;
        if (!endpoint) {
          throw new UsageError(
            '--deliver: set AWS_ENDPOINT_URL_S3 to the S3-compatible server the files go to',
          );
        }
        simulator.deliverTo = endpoint;
      }
      return { command, simulator, quiet: Boolean(flags.quiet) };
    }
    case 'config': {
      // Only `config` reports on every setting.
      const { settingsReport } = await import('./report.js');
      const report = await settingsReport(flags, sources);
      // --check resolves the settings as a watch would: a file that cannot be read, a missing
      // credential or a secret bound for plain http is refused here, exit 2.
      const check = flags.check
        ? await apiConfig(flags, sources, watchConfig(flags, true, words, undefined), words, () => [])
        : undefined;
      return { command, report, namesOnly: Boolean(flags.names), json: Boolean(flags.json), check };
    }
    case 'completion':
      return { command, shell: args[0] };
    case 'version':
      return { command };
    case 'demo':
      return demoConfig(flags);
  }
}

/** The API settings of the simulator `demo` starts: its own URL, its credential, the default language. */
export function simulatorApi(baseUrl: string, credential: CredentialSpec, watch: WatchConfig): ApiConfig {
  const url = new URL(baseUrl);
  return {
    baseUrl: url,
    connection: {
      apiUrls: [url],
      credential,
      language: DEFAULTS.language,
      headers: [],
      insecureHttp: false,
      requestTimeoutMs: watch.rules.requestTimeoutMs,
      strict: watch.strict,
      userAgent: USER_AGENT,
      urlFrom: 'the simulator',
    },
    profile: undefined,
    baseUrlFrom: 'the simulator',
  };
}

function outputConfig(flags: Flags): OutputConfig {
  let output: OutputFormat = flags.output ?? DEFAULTS.output;
  if (flags.json) {
    if (output !== 'text' && output !== 'json') throw new UsageError(`--json contradicts --output ${output}`);
    output = 'json';
  }
  return {
    output,
    quiet: Boolean(flags.quiet),
    color: flags.color !== false,
    verbose: Boolean(flags.verbose),
    strict: Boolean(flags.strict),
  };
}

/**
 * The API settings, each from its flag, else its environment variable, else the profile, else
 * the default; `jobsOf` resolves the job arguments against the base URL.
 */
async function apiConfig(
  flags: Flags,
  sources: ConfigSources,
  watch: WatchConfig,
  words: Vocabulary,
  jobsOf: (baseUrl: URL) => JobRef[],
): Promise<ApiConfig & { jobs: JobRef[] }> {
  const { warnings } = watch;
  const { env } = sources;
  const headers = (flags.header ?? []).map((text) => parseHeader(text, words));
  const choice = await chooseProfile(flags.profile, sources, words);
  const { profile } = choice;
  // As ssh refuses a ~/.ssh/config others can change: a file that names a command could make this
  // run anything, one that names a URL could send a secret from the environment there.
  const trusted = [
    ['tokenCommand', 'a command to run'],
    ['tokenUrl', 'where the client secret is sent'],
    ['baseUrl', 'where the token is sent'],
  ] as const;
  const named = trusted.find(([key]) => profile[key] !== undefined);
  if (named && choice.exists) {
    const who = await sources.whoCanChange(choice.file).catch(() => undefined);
    if (who) {
      throw new UsageError(
        `the configuration file ${choice.file} names ${named[1]} (profile ${choice.name}'s ${named[0]}), and ${who}; keep it, and the directories above it, writable by you alone (chmod go-w)`,
      );
    }
  }
  const picked = pick('baseUrl', flags, env, profile);
  const baseUrlFrom =
    picked.from === 'flag'
      ? words.name.baseUrl
      : picked.from === 'environment'
        ? ENV.baseUrl
        : picked.from === 'profile'
          ? `the baseUrl of profile ${choice.name}`
          : `the default base URL (${words.name.baseUrl} to change it)`;
  const baseUrl = parseHttpUrl(
    picked.value ?? DEFAULTS.baseUrl,
    picked.from === 'flag' ? words.name.baseUrl : baseUrlFrom,
  );
  const language = checkLanguage(pick('language', flags, env, profile).value, words);
  const jobs = jobsOf(baseUrl);
  const connection: ConnectionSpec = {
    apiUrls: jobs.length > 0 ? jobs.map((job) => new URL(job.url)) : [baseUrl],
    credential: await resolveCredential(flags, profile, sources, warnings),
    language,
    headers,
    insecureHttp: Boolean(flags.insecureHttp),
    requestTimeoutMs: watch.rules.requestTimeoutMs,
    strict: watch.strict,
    userAgent: USER_AGENT,
    urlFrom: baseUrlFrom,
  };
  checkConnection(connection, words);
  if (
    choice.mode !== undefined &&
    (choice.mode & 0o077) !== 0 &&
    (profile.clientSecretFile || profile.tokenFile)
  ) {
    warnings.push(
      `the configuration file ${choice.file} names a secret file and can be read by other users; chmod 600 it`,
    );
  }
  return { baseUrl, connection, profile: choice.name, baseUrlFrom, jobs };
}

/** The most `watch -` reads from stdin: thousands of IDs. */
const MAX_STDIN_IDS_BYTES = 1024 * 1024;

/**
 * `watch -`: job IDs (or status URLs) from stdin, one per line, blank lines ignored, so that
 * `export-status start --body b.json | export-status watch -` works.
 */
async function idsFromStdin(
  sources: ConfigSources,
  watch: WatchConfig,
  words: Vocabulary,
): Promise<string[]> {
  if (sources.stdinIsTTY || !sources.readStdin) {
    throw new UsageError('job "-" reads job IDs from stdin, one per line; stdin is a terminal: pipe them in');
  }
  // --timeout covers reading the IDs: a stdin left open does not hold the watch past it. What
  // reading took is taken off the watch's own deadline.
  const { rules } = watch;
  const timeoutMs = rules.once ? undefined : rules.timeoutMs;
  const { clock } = sources;
  const limit = timeoutMs !== undefined && clock ? clock.limit(timeoutMs) : undefined;
  const startedAt = clock?.monotonic() ?? 0;
  let bytes: Buffer | null;
  try {
    bytes = await sources.readStdin(MAX_STDIN_IDS_BYTES, limit?.signal);
  } finally {
    limit?.clear();
  }
  if (bytes === null) throw new UsageError('job "-": stdin holds more than 1 MiB of job IDs');
  const ids = bytes
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const timedOut = limit?.signal.aborted === true;
  if (timedOut && ids.length === 0 && timeoutMs !== undefined) {
    throw new EndedError(
      `job "-": no job ID came on stdin within ${words.duration(timeoutMs)} (${words.name.timeout})`,
      ExitCode.timeout,
    );
  }
  if (ids.length === 0) throw new UsageError('job "-": stdin held no job ID');
  if (!rules.once && timeoutMs !== undefined && clock) rules.spentMs = clock.monotonic() - startedAt;
  return ids;
}

function resolveJobs(args: readonly string[], baseUrl: URL): JobRef[] {
  const jobs = args.map((arg) => resolveJob(arg, baseUrl));
  const seen = new Set<string>();
  const duplicate = jobs.find((job) => seen.size === seen.add(job.url).size);
  if (duplicate) throw new UsageError(`job ${JSON.stringify(duplicate.id)} is given more than once`);
  return jobs;
}

function watchConfig(flags: Flags, once: boolean, words: Vocabulary, now: number | undefined): WatchConfig {
  return {
    ...outputConfig(flags),
    rules: checkRules(ruleSettings(flags), words, once, { now }),
    concurrency: checkConcurrency(flags.concurrency, words),
    warnings: [],
    notifyAfterMs:
      once || flags.notify === false ? undefined : (flags.notifyAfter ?? ms(DEFAULTS.notifyAfter)),
    announceRenewals: Boolean(flags.verbose),
    failFast: Boolean(flags.failFast),
    resultFile: flags.resultFile,
    delivery: deliveryConfig(flags, words),
  };
}

/** --verify-delivery: a destination URL, or (for start) the body's. */
function deliveryConfig(flags: Flags, words: Vocabulary): WatchConfig['delivery'] {
  const value = flags.verifyDelivery;
  if (value === undefined || value === false) {
    if (flags.sftpKey !== undefined || flags.sftpHostKey !== undefined) {
      throw new UsageError('--sftp-key and --sftp-host-key go with --verify-delivery');
    }
    return undefined;
  }
  const destination = value === true ? undefined : parseDestination(value, words.name.verifyDelivery);
  const hostKeys = flags.sftpHostKey ?? [];
  const bad = hostKeys.find((key) => !/^SHA256:[A-Za-z0-9+/]{43}$/.test(key));
  if (bad !== undefined) {
    throw new UsageError(
      `--sftp-host-key: expected a fingerprint as ssh-keygen -l prints it (SHA256:…43 characters), got ${JSON.stringify(sanitize(bad, 80))}`,
    );
  }
  return { destination, sftpKey: flags.sftpKey, sftpHostKeys: hostKeys };
}

/** The flags the watch's rules are made of, as the rules below the CLI take them. */
function ruleSettings(flags: Flags): RuleSettings {
  return {
    interval: flags.interval,
    minInterval: flags.minInterval,
    maxInterval: flags.maxInterval,
    waitForCreate: flags.waitForCreate,
    timeout: flags.timeout,
    deadline: flags.deadline,
    stallTimeout: flags.stallTimeout,
    until: flags.until,
    requestTimeout: flags.requestTimeout,
    maxRetries: flags.maxRetries,
    failOn: flags.failOn,
  };
}

function serveOptions(flags: Flags): SimulatorOptions {
  return {
    host: flags.host ?? DEFAULTS.serve.host,
    port: flags.port ?? DEFAULTS.serve.port,
    durationMs: flags.duration ?? ms(DEFAULTS.serve.duration),
    token: flags.token,
    slowMs: flags.slow ?? ms(DEFAULTS.serve.slow),
    clientId: flags.clientId,
    clientSecret: flags.clientSecret,
    tokenTtlMs: flags.tokenTtl,
  };
}

function demoConfig(flags: Flags): Config {
  const scenario = (flags.scenario ?? DEFAULTS.demo.scenario) as DemoScenario;
  if (!DEMO_SCENARIOS.includes(scenario)) throw new UsageError(`--scenario: unknown scenario ${scenario}`);
  const durationMs = flags.duration ?? ms(DEFAULTS.demo.duration);
  const renewal = scenario === 'token-expiry';
  return {
    command: 'demo',
    scenario,
    simulator: {
      host: '127.0.0.1',
      port: 0,
      durationMs,
      slowMs: ms(DEFAULTS.demo.slow),
      // token-expiry: client credentials whose tokens expire four times during the export.
      ...(renewal
        ? { clientId: 'demo-client', clientSecret: 'demo-secret', tokenTtlMs: durationMs / 4 }
        : {}),
    },
    watch: {
      ...outputConfig(flags),
      rules: demoRules(flags),
      concurrency: DEFAULTS.concurrency,
      warnings: [],
      notifyAfterMs: undefined,
      announceRenewals: renewal || Boolean(flags.verbose),
      failFast: false,
      resultFile: undefined,
    },
  };
}

/** The demo's rules: the flags it has, over its own defaults (it polls faster than `watch`). */
function demoRules(flags: Flags): WatchRules {
  return checkRules(
    {
      interval: flags.interval,
      timeout: flags.timeout,
      failOn: flags.failOn,
      // The demo's export is new too: a 404 for a moment after it was started is waited out.
      waitForCreate: ms(DEFAULTS.newJobWaitForCreate),
    },
    CLI_WORDS,
    false,
    {
      intervalMs: ms(DEFAULTS.demo.interval),
      requestTimeoutMs: ms(DEFAULTS.demo.requestTimeout),
    },
  );
}
