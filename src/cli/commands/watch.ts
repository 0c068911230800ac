import { setMaxListeners } from 'node:events';
import { type ClientOptions, fetchStatus, type StatusMemo } from '../../api/client.js';
import type { JobRef } from '../../api/urls.js';
import { ENV } from '../../core/defaults.js';
import { combineExitCodes, ExitCode, exitCodeFor } from '../../core/exit-codes.js';
import { sanitize } from '../../core/sanitize.js';
import { shellWord } from '../../core/words.js';
import type { Destination } from '../../delivery/destination.js';
import type { Deps } from '../../deps.js';
import { type IO, makeIO } from '../../io/streams.js';
import type { JobResult } from '../../poll/job.js';
import { Limiter } from '../../poll/limiter.js';
import { watchJob } from '../../poll/poller.js';
import { type Formatters, makeFormatters, utcIn } from '../../render/format.js';
import { jsonLine, resultDocument } from '../../render/json.js';
import { doneNotification } from '../../render/notify.js';
import { PlainProgress, QuietProgress, timestamp } from '../../render/plain.js';
import type { Progress } from '../../render/progress.js';
import {
  githubReporter,
  jsonReporter,
  ndjsonReporter,
  type Reporter,
  textReporter,
} from '../../render/reporters.js';
import { printableId } from '../../render/short-id.js';
import type { SummaryStyle } from '../../render/summary.js';
import { symbolsFor } from '../../render/symbols.js';
import type { Connection } from '../../rules/connection.js';
import type { ApiConfig, WatchConfig } from '../resolve.js';
import { CLI_WORDING } from '../words.js';
import { connect } from './connect.js';

/** What one run of `watch`/`get` shares between its jobs. */
interface Run {
  api: ApiConfig;
  /** The run's one connection (its credential source, its client), shared by its jobs. */
  connection: Connection;
  config: WatchConfig;
  deps: Deps;
  io: IO;
  progress: Progress;
  reporter: Reporter;
  limiter: Limiter;
  signal: AbortSignal;
  /** The hosts that have answered in this run (a name that never resolved is a typo). */
  answered: Set<string>;
  /** Ends every job's watch: an interrupt (SIGINT, SIGTERM) or, with --fail-fast, the first failure. */
  stopAll: (reason: string) => void;
  /** --fail-fast: the job whose non-zero end stopped the others. */
  failedFirst?: JobResult;
  /** --verify-delivery: the check of the destination, loaded only then. */
  delivery?: Awaited<ReturnType<typeof openDelivery>> | undefined;
}

/** `watch` and `get`: poll every job at once, show progress, print results, return the exit code. */
export async function runWatch(
  jobs: JobRef[],
  api: ApiConfig,
  config: WatchConfig,
  deps: Deps,
  /** The connection a caller already opened (`start --watch`, `demo`): its token is reused. */
  given?: Connection,
): Promise<number> {
  // One look (get) is over before its heap would grow.
  if (!config.rules.once) deps.tuneHeapForWatching();
  const io = makeIO(deps, !config.color);
  const format = makeFormatters({ utc: utcIn(deps.env) });
  const progress = await chooseProgress(config, deps, io, format);
  for (const warning of config.warnings) progress.log(`${io.errColor.yellow('warning:')} ${warning}`);
  const interrupts = listenForInterrupts(deps, progress);
  const connection = given ?? (await connect(api, deps));
  if (config.announceRenewals) announceRenewals(connection, progress, io);
  const style = summaryStyle(api, config, deps, io, format);
  const delivery = config.delivery?.destination
    ? await openDelivery(config.delivery, config.delivery.destination, deps)
    : undefined;
  const run: Run = {
    api,
    connection,
    config,
    deps,
    io,
    progress,
    reporter: chooseReporter(config, deps, progress, style),
    limiter: new Limiter(config.concurrency),
    answered: new Set(),
    signal: interrupts.signal,
    stopAll: interrupts.stopAll,
    delivery,
  };
  run.reporter.start(jobs);
  const startedMono = deps.clock.monotonic();
  progress.start(jobs, deps.clock.now());
  const { tickMs } = progress;
  const stopTicking =
    tickMs === undefined ? () => {} : deps.clock.every(tickMs, () => progress.tick(deps.clock.now()));
  try {
    const results = await Promise.all(jobs.map((job) => watchOne(job, run)));
    return await finish(results, run, deps.clock.monotonic() - startedMono);
  } finally {
    stopTicking();
    progress.stop();
    interrupts.stopListening();
  }
}

/**
 * The run's one signal, aborted by SIGINT/SIGTERM (a second one ends the process at once) or by
 * `stopAll` (--fail-fast). Every job waits on it (a sleep and a request each): not a leak.
 */
function listenForInterrupts(deps: Deps, progress: Progress) {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const stopListening = deps.onInterrupt((signal) => {
    if (controller.signal.aborted) deps.exitNow(exitCodeFor('interrupted', signal));
    progress.stop();
    controller.abort(signal);
  });
  return { signal: controller.signal, stopAll: (reason: string) => controller.abort(reason), stopListening };
}

/** Says so, above the display, each time the access token is renewed. */
function announceRenewals(connection: Connection, progress: Progress, io: IO): void {
  const { credentials } = connection;
  if (!credentials) return;
  credentials.onRenewed = (why) =>
    progress.log(io.errColor.dim(`renewed the access token (${credentials.source}) ${why}`));
}

function summaryStyle(
  api: ApiConfig,
  config: WatchConfig,
  deps: Deps,
  io: IO,
  format: Formatters,
): SummaryStyle {
  const { rules } = config;
  const until = rules.once ? undefined : rules.until;
  return {
    until:
      until?.kind === 'percent'
        ? `reached --until ${until.percent}%`
        : until?.kind === 'running'
          ? 'reached --until running'
          : undefined,
    color: io.outColor,
    symbols: symbolsFor(io.unicode),
    format,
    checkAgain: checkAgain(api, deps),
    simulated: api.baseUrlFrom === 'the simulator',
    // Read when a summary is made: a terminal resized during the watch gets lines of its new width.
    get width() {
      return io.outWidth();
    },
  };
}

/** The end of a run: the reporters' last words, the result file, the notification, one exit code. */
async function finish(results: JobResult[], run: Run, elapsedMs: number): Promise<number> {
  const { config, deps, progress } = run;
  await run.reporter.end(results);
  const written = config.resultFile ? await writeResults(config.resultFile, results, deps, progress) : true;
  const notification = progress.interactive
    ? doneNotification(results, elapsedMs, config.notifyAfterMs)
    : null;
  progress.stop();
  if (notification) deps.stderr.write(notification);
  const codes = results.map((r) => r.exitCode);
  return combineExitCodes(written ? codes : [...codes, ExitCode.output]);
}

/** Runs one job's poller, showing and printing its events as they come; resolves to its result. */
async function watchOne(job: JobRef, run: Run): Promise<JobResult> {
  const { config, deps, io, progress } = run;
  const label = printableId(job.id);
  const urlFrom = onBaseUrl(job, run.api.baseUrl) ? run.api.baseUrlFrom : 'the job URL';
  // Object.assign rather than a spread: on Node 20 an object spread followed by a property its
  // source lacks gives each object a hidden class of its own, and a thousand jobs' options, each
  // of its own class, make every read of them in the client a slow lookup.
  const options: ClientOptions = Object.assign({}, run.connection.client, {
    log: config.verbose
      ? (line: string) => progress.log(io.errColor.dim(`${timestamp(deps.clock.now())} ${label} ${line}`))
      : undefined,
    urlFrom,
    answered: run.answered,
  });
  const memo: StatusMemo = {};
  const ctx = {
    clock: deps.clock,
    random: deps.random,
    limiter: run.limiter,
    signal: run.signal,
    fetch: (url: URL, signal: AbortSignal, timeoutMs: number) =>
      fetchStatus(url, options, signal, timeoutMs, memo),
    words: CLI_WORDING,
  };
  const end = await watchJob(job, config.rules, ctx, (event) => {
    if (event.type !== 'warning') progress.event(event);
    else if (!event.verbose || config.verbose)
      progress.log(`${io.errColor.yellow('warning:')} ${label} ${sanitize(event.message, 300)}`);
    run.reporter.event(event);
  });
  const ended =
    run.delivery && end.result.outcome === 'succeeded' ? await delivered(end.result, run) : end.result;
  const result = failFast(ended, run);
  progress.event({ ...end, result });
  run.reporter.result(result);
  return result;
}

/** The check of a destination, with its module: loaded only by a run that verifies. */
async function openDelivery(
  delivery: NonNullable<WatchConfig['delivery']>,
  destination: Destination,
  deps: Deps,
) {
  const { deliveryCheck, withDelivery } = await import('../../delivery/verify.js');
  const check = await deliveryCheck(
    destination,
    deps.env,
    deps.transport,
    deps.clock,
    sftpOptions(delivery, deps),
  );
  return { check, before: delivery.before, startedAt: deps.clock.now(), withDelivery };
}

/** --sftp-key and --sftp-host-key, and the files an SFTP login reads, as the delivery check takes them. */
export function sftpOptions(delivery: WatchConfig['delivery'], deps: Deps) {
  return {
    keyFile: delivery?.sftpKey,
    hostKeys: delivery?.sftpHostKeys ?? [],
    readText: (path: string) => deps.readTextFile(path, 64 * 1024),
  };
}

/** --verify-delivery: the job's delivery looked for (said in the log), when it succeeded. */
async function delivered(result: JobResult, run: Run): Promise<JobResult> {
  if (!run.delivery) return result;
  const { check, before, startedAt, withDelivery } = run.delivery;
  run.progress.log(
    `${timestamp(run.deps.clock.now())} ${printableId(result.job.id)} listing ${check.name} for the delivery`,
  );
  return withDelivery(result, check, before, startedAt);
}

/**
 * --result-file: every job's --json document, one a line, in the order the jobs were given,
 * written whole. A file that cannot be written is said, and fails the run as an output would (74).
 */
async function writeResults(
  path: string,
  results: readonly JobResult[],
  deps: Deps,
  progress: Progress,
): Promise<boolean> {
  const text = results.map((r) => jsonLine(resultDocument(r))).join('');
  try {
    await deps.writeFileWhole(path, text);
    return true;
  } catch (err) {
    progress.log(
      `error: cannot write --result-file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return false;
  }
}

/** The reason the other jobs are stopped with, under --fail-fast. */
const FAIL_FAST = 'fail-fast';

/**
 * --fail-fast: the first job to end with a non-zero code stops the others, which end `abandoned`,
 * with its code (never an interrupt's 130). Without it, results pass as they are.
 */
function failFast(result: JobResult, run: Run): JobResult {
  if (!run.config.failFast) return result;
  if (result.outcome === 'interrupted' && run.signal.reason === FAIL_FAST && run.failedFirst) {
    const first = run.failedFirst;
    return {
      ...result,
      outcome: 'abandoned',
      exitCode: first.exitCode,
      error: `${printableId(first.job.id)} ended first, with exit code ${first.exitCode} (--fail-fast)`,
    };
  }
  if (result.exitCode !== 0 && !run.failedFirst && !run.signal.aborted) {
    run.failedFirst = result;
    run.stopAll(FAIL_FAST);
  }
  return result;
}

/** The output mode's reporter, wrapped for GitHub Actions there: chosen once per run. */
function chooseReporter(config: WatchConfig, deps: Deps, progress: Progress, style: SummaryStyle): Reporter {
  const out = (text: string) => progress.writeOut(text);
  const inner =
    config.output === 'json'
      ? jsonReporter(out)
      : config.output === 'ndjson'
        ? ndjsonReporter(out)
        : textReporter(out, style);
  if (deps.env.GITHUB_ACTIONS !== 'true') return inner;
  return githubReporter(inner, out, {
    fold: config.output === 'text',
    verb: config.rules.once ? 'Fetching' : 'Watching',
    summaryFile: deps.env.GITHUB_STEP_SUMMARY,
    appendFile: deps.appendFile,
    warn: (line) => progress.log(line),
    style,
  });
}

/**
 * `export-status get <id>` with what it takes to reach the same API from another shell: the
 * profile or the base URL when they are not the defaults (never a secret). None for the demo,
 * whose simulator is gone by then.
 */
function checkAgain(api: ApiConfig, deps: Deps): ((jobs: readonly JobRef[]) => string) | undefined {
  if (api.baseUrlFrom === 'the simulator') return undefined;
  return (jobs) => {
    const words = [deps.invokedAs, 'get'];
    // A job off the base URL is named by its URL, which needs no option to find it.
    for (const job of jobs) words.push(shellWord(onBaseUrl(job, api.baseUrl) ? job.id : job.url));
    if (jobs.every((job) => !onBaseUrl(job, api.baseUrl))) return words.join(' ');
    if (api.profile) words.push('--profile', shellWord(api.profile));
    else if (api.baseUrlFrom === '--base-url' || api.baseUrlFrom === ENV.baseUrl) {
      words.push('--base-url', shellWord(api.baseUrl.href));
    }
    return words.join(' ');
  };
}

/** A spinner for a person at a terminal, plain lines for logs, nothing when asked for quiet. */
async function chooseProgress(
  config: WatchConfig,
  deps: Deps,
  io: IO,
  format: Formatters,
): Promise<Progress> {
  const err = deps.stderr;
  const quiet = config.quiet || config.output === 'ndjson';
  // The display belongs to stderr: it shows whenever stderr is a terminal, whatever stdout gets
  // (`watch --json | jq` in a terminal still has its spinner).
  if (!quiet && io.interactive) {
    const { createTtyProgress } = await import('../../render/tty.js');
    return createTtyProgress(
      err,
      deps.stdout,
      { color: io.errColor, format, unicode: io.unicode },
      { clock: deps.clock, onExit: deps.onExit, onSuspend: deps.onSuspend },
    );
  }
  if (quiet) return new QuietProgress(err, deps.stdout);
  return new PlainProgress(err, deps.stdout, format, !config.rules.once, config.verbose);
}

/** Whether a job's URL lies below the base URL (the job was named by its ID), a query or not. */
function onBaseUrl(job: JobRef, baseUrl: URL): boolean {
  const url = new URL(job.url);
  return url.origin === baseUrl.origin && url.pathname.startsWith(baseUrl.pathname.replace(/\/?$/, '/'));
}
