/**
 * The GitHub Action (action.yml, `runs.using: node24`): a front end of the CLI run in the
 * runner's own Node, from one committed bundle, with nothing to install. Its inputs come from the
 * environment (INPUT_<NAME>), are checked before anything runs by the same rules as the CLI's
 * flags (named by the input), and become the CLI's argv in this process: no shell, no command
 * line, nothing unquoted. The CLI keeps its GitHub integration (groups, annotations, the step
 * summary); the machine-readable result comes from --result-file.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FrontEnd, main } from '../cli/main.js';
import { parseDuration, typedDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { sanitize } from '../core/sanitize.js';
import type { Deps } from '../deps.js';
import { escapeData } from '../render/github.js';
import { checkLanguage, checkRules } from '../rules/settings.js';
import type { SettingName, Vocabulary } from '../rules/vocabulary.js';

/** The action's inputs that carry the CLI's watch settings, by the CLI flag they become. */
const FLAG_INPUTS = [
  ['base-url', '--base-url'],
  ['interval', '--interval'],
  ['timeout', '--timeout'],
  ['deadline', '--deadline'],
  ['stall-timeout', '--stall-timeout'],
  ['wait-for-create', '--wait-for-create'],
  ['fail-on', '--fail-on'],
  ['until', '--until'],
  ['language', '--language'],
  ['profile', '--profile'],
] as const;

/** Credentials go to the CLI through its environment, never its argv (no secret in a process list). */
const CREDENTIAL_INPUTS = [
  ['client-id', 'EGAIN_CLIENT_ID'],
  ['client-secret', 'EGAIN_CLIENT_SECRET'],
  ['token-url', 'EGAIN_TOKEN_URL'],
  ['scope', 'EGAIN_SCOPE'],
  ['access-token', 'EGAIN_ACCESS_TOKEN'],
] as const;

/** The action names each setting by its input. */
const INPUT_NAMES: Record<SettingName, string> = {
  interval: 'interval',
  minInterval: 'interval',
  maxInterval: 'interval',
  waitForCreate: 'wait-for-create',
  timeout: 'timeout',
  deadline: 'deadline',
  stallTimeout: 'stall-timeout',
  requestTimeout: 'request-timeout',
  maxRetries: 'max-retries',
  failOn: 'fail-on',
  until: 'until',
  failFast: 'fail-fast',
  concurrency: 'concurrency',
  language: 'language',
  header: 'header',
  baseUrl: 'base-url',
  tokenUrl: 'token-url',
  job: 'job-id',
  insecureHttp: 'insecure-http',
  body: 'body-file',
  stateFile: 'state-file',
  verifyDelivery: 'verify-delivery',
  profile: 'profile',
};

const ACTION_WORDS: Vocabulary = {
  name: INPUT_NAMES,
  setting: (name, value) =>
    `${INPUT_NAMES[name]}: ${typeof value === 'number' ? typedDuration(value) : value}`,
  duration: typedDuration,
  durationType: 'a duration like 30s, 5m or 4h',
  credentialSources: 'the client-id, client-secret, token-url and scope inputs, or access-token',
  renewableSources: 'client credentials (client-id, client-secret, token-url)',
  privateCa: 'NODE_EXTRA_CA_CERTS',
};

/** What the runner gives a JavaScript action: its inputs, and the files of its outputs and summary. */
type Env = Readonly<Record<string, string | undefined>>;

/** An input as the runner passes it: INPUT_<NAME>, upper case, trimmed; empty is not given. */
function input(env: Env, name: string): string | undefined {
  const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
  return value ? value : undefined;
}

/** The action's argv for the CLI, and its environment, every input checked; UsageError names the input. */
export function actionInvocation(
  env: Env,
  resultFile: string,
): { argv: string[]; env: Record<string, string> } {
  const jobIds = (input(env, 'job-id') ?? '').split(/\s+/).filter(Boolean);
  const bodyFile = input(env, 'body-file');
  if (jobIds.length > 0 && bodyFile)
    throw new UsageError('job-id and body-file: give one (watch jobs, or start one)');
  if (jobIds.length === 0 && !bodyFile)
    throw new UsageError('job-id: no job ID given (or body-file, to start one)');
  const stateFile = input(env, 'state-file');
  if (stateFile !== undefined && !bodyFile)
    throw new UsageError('state-file: it records a started export, so it goes with body-file');
  // A job ID never starts with "-": such a word would be an option (--help, --base-url=…).
  if (jobIds.some((id) => id.startsWith('-'))) {
    throw new UsageError("job-id: a word starts with '-': that is an option, not a job ID");
  }
  const durations: Record<string, number> = {};
  for (const name of ['interval', 'timeout', 'stall-timeout', 'wait-for-create']) {
    const value = input(env, name);
    if (value === undefined || (name === 'interval' && value.toLowerCase() === 'auto')) continue;
    const parsed = parseDuration(value);
    if (!parsed.ok) throw new UsageError(`${name}: ${parsed.message}`);
    durations[name] = parsed.ms;
  }
  // The same rules as the CLI's flags and the library's options, in the inputs' words.
  checkRules(
    {
      interval: input(env, 'interval')?.toLowerCase() === 'auto' ? 'auto' : durations.interval,
      timeout: durations.timeout,
      deadline: input(env, 'deadline'),
      stallTimeout: durations['stall-timeout'],
      waitForCreate: durations['wait-for-create'],
      failOn: input(env, 'fail-on'),
      until: input(env, 'until'),
    },
    ACTION_WORDS,
    false,
    { now: Date.now() },
  );
  if (input(env, 'language') !== undefined) checkLanguage(input(env, 'language'), ACTION_WORDS);
  const failFast = input(env, 'fail-fast');
  if (failFast !== undefined && failFast !== 'true' && failFast !== 'false') {
    throw new UsageError(`fail-fast: expected true or false, got ${JSON.stringify(sanitize(failFast, 40))}`);
  }

  const argv = bodyFile ? ['start', '--body', bodyFile, '--watch'] : ['watch'];
  for (const [name, flag] of FLAG_INPUTS) {
    const value = input(env, name);
    if (value !== undefined) argv.push(`${flag}=${value}`);
  }
  if (failFast === 'true') argv.push('--fail-fast');
  if (stateFile !== undefined) argv.push(`--state-file=${stateFile}`);
  // true: the body's destination (with body-file); a destination URL; false: no check.
  const verify = input(env, 'verify-delivery');
  if (verify === 'true') {
    if (!bodyFile)
      throw new UsageError(
        'verify-delivery: true takes the destination of body-file; name one (s3://bucket/prefix) to watch jobs',
      );
    argv.push('--verify-delivery');
  } else if (verify !== undefined && verify !== 'false') argv.push(`--verify-delivery=${verify}`);
  argv.push(`--result-file=${resultFile}`);
  if (!bodyFile) argv.push('--', ...jobIds);

  const cliEnv: Record<string, string> = {};
  for (const [name, variable] of CREDENTIAL_INPUTS) {
    const value = input(env, name);
    if (value !== undefined) cliEnv[variable] = value;
  }
  return { argv, env: cliEnv };
}

/**
 * Appends the step's outputs to $GITHUB_OUTPUT, multi-line values with a random delimiter. A file
 * that cannot be written is said as an ::error, and fails the step: the steps after it read them.
 */
function setOutputs(env: Env, outputs: Record<string, string>, deps: Deps): boolean {
  const file = env.GITHUB_OUTPUT;
  if (!file) return true;
  const text = Object.entries(outputs)
    .map(([name, value]) => {
      if (!value.includes('\n')) return `${name}=${value}\n`;
      const delimiter = `EXPORT_STATUS_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
  try {
    appendFileSync(file, text);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    ACTION.usageError(`cannot write the step's outputs to GITHUB_OUTPUT ${file} (${code})`, deps);
    return false;
  }
}

/** The result file moved where it outlives the step; '' when it cannot be. */
function keep(resultFile: string, kept: string): string {
  try {
    renameSync(resultFile, kept);
    return kept;
  } catch {
    return '';
  }
}

/** A directory of its own for the result file: in RUNNER_TEMP, else the system's; undefined if neither. */
function temporaryDirectory(env: Env): string | undefined {
  for (const parent of [env.RUNNER_TEMP, tmpdir()]) {
    if (!parent) continue;
    try {
      return mkdtempSync(join(parent, 'export-status-'));
    } catch {
      // RUNNER_TEMP missing or not writable: the next place
    }
  }
  return undefined;
}

/**
 * The worst outcome of the jobs, as the step's `outcome`: the one with the highest exit code; of
 * those, the cause before the jobs abandoned because of it (fail-fast), whatever their order.
 */
function worstOutcome(docs: ReadonlyArray<{ outcome: string; exitCode: number }>): string {
  const abandoned = (doc: { outcome: string }) => (doc.outcome === 'abandoned' ? 1 : 0);
  const [worst] = [...docs].sort((a, b) => b.exitCode - a.exitCode || abandoned(a) - abandoned(b));
  return worst?.outcome ?? 'error';
}

/** The step's `outcome` when no job was watched to an end, by the exit code. */
function outcomeOfCode(code: number): string {
  if (code === ExitCode.usage) return USAGE_OUTCOME;
  if (code === ExitCode.invalid) return 'invalid';
  if (code === ExitCode.sigint || code === ExitCode.sigterm) return 'interrupted';
  return 'error';
}

/** The `outcome` of a step refused before anything was watched: a bad input or configuration. */
const USAGE_OUTCOME = 'usage';

/** The action's front end of the CLI: its inputs' words, a refusal as an ::error annotation. */
const ACTION: FrontEnd = {
  words: ACTION_WORDS,
  usageError: (message, deps) => deps.stdout.write(`::error title=export-status::${escapeData(message)}\n`),
};

/** Runs the action: returns the step's exit code (the CLI's), its outputs written. */
export async function runAction(env: Env, deps: Deps): Promise<number> {
  const dir = temporaryDirectory(env);
  if (!dir) {
    ACTION.usageError(
      `cannot make a temporary directory in RUNNER_TEMP (${env.RUNNER_TEMP ?? 'unset'}) or ${tmpdir()}`,
      deps,
    );
    setOutputs(
      env,
      { 'exit-code': String(ExitCode.output), outcome: 'error', result: '', 'result-file': '', 'job-id': '' },
      deps,
    );
    return ExitCode.output;
  }
  // The documents outlive the step beside the directory (RUNNER_TEMP lasts as long as the job):
  // the `result-file` output names them, whole, whatever the `result` output had room for.
  const kept = `${dir}.ndjson`;
  try {
    return await runIn(join(dir, 'result.ndjson'), kept, env, deps);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * GitHub keeps 1 MB of outputs per job: `result` keeps to a quarter of it, so the other outputs,
 * and the steps of other actions, have room.
 */
export const RESULT_OUTPUT_MAX_BYTES = 256 * 1024;

/**
 * The `result` output: every document, one a line; when they exceed the limit, without their
 * `raw` (the fields the schema does not know), then as many whole lines as fit. `cut` says so.
 */
export function resultOutput(lines: readonly string[]): { text: string; cut: boolean } {
  const text = lines.join('\n');
  if (Buffer.byteLength(text) <= RESULT_OUTPUT_MAX_BYTES) return { text, cut: false };
  const kept: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const { raw: _raw, ...slim } = JSON.parse(line) as Record<string, unknown>;
    const slimLine = JSON.stringify(slim);
    const size = Buffer.byteLength(slimLine) + (kept.length > 0 ? 1 : 0);
    if (bytes + size > RESULT_OUTPUT_MAX_BYTES) break;
    kept.push(slimLine);
    bytes += size;
  }
  return { text: kept.join('\n'), cut: true };
}

/** The action's run, its result written to `resultFile`, read back for the outputs and kept at `kept`. */
async function runIn(resultFile: string, kept: string, env: Env, deps: Deps): Promise<number> {
  let invocation: ReturnType<typeof actionInvocation>;
  try {
    invocation = actionInvocation(env, resultFile);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    ACTION.usageError(err.message, deps);
    const usage = {
      'exit-code': String(ExitCode.usage),
      outcome: USAGE_OUTCOME,
      result: '',
      'result-file': '',
      'job-id': '',
    };
    return setOutputs(env, usage, deps) ? ExitCode.usage : ExitCode.output;
  }
  const code = await main(invocation.argv, { ...deps, env: { ...deps.env, ...invocation.env } }, ACTION);
  let lines: string[] = [];
  try {
    lines = readFileSync(resultFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    // no result: the CLI ended before any job did (a usage error), and said why
  }
  const docs = lines.map((line) => JSON.parse(line) as { job: string; outcome: string; exitCode: number });
  const result = resultOutput(lines);
  const keptFile = existsSync(resultFile) ? keep(resultFile, kept) : '';
  if (result.cut) {
    const where = keptFile ? `; every document, whole, is in ${keptFile} (the result-file output)` : '';
    deps.stdout.write(
      `::warning title=export-status::${escapeData(`the result output is cut to ${RESULT_OUTPUT_MAX_BYTES / 1024} KiB (GitHub keeps 1 MB of outputs per job)${where}`)}\n`,
    );
  }
  const written = setOutputs(
    env,
    {
      'exit-code': String(code),
      outcome: docs.length > 0 ? worstOutcome(docs) : outcomeOfCode(code),
      result: result.text,
      'result-file': keptFile,
      'job-id': docs.map((d) => d.job).join('\n'),
    },
    deps,
  );
  return written || code !== ExitCode.ok ? code : ExitCode.output;
}
