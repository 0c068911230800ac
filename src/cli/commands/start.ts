import { MAX_BODY_BYTES } from '../../api/schema.js';
import { UsageError } from '../../core/errors.js';
import { combineExitCodes, ExitCode } from '../../core/exit-codes.js';
import { sanitize } from '../../core/sanitize.js';
import { errnoWords } from '../../core/words.js';
import { destinationOfBody } from '../../delivery/destination.js';
import type { Deps } from '../../deps.js';
import {
  type CheckedBody,
  checkExportBody,
  describeStart,
  sendStart,
  startExitCode,
} from '../../rules/start.js';
import { startOnce, stateFileIO } from '../../rules/start-once.js';
import type { Vocabulary } from '../../rules/vocabulary.js';
import type { Config } from '../resolve.js';
import { connect } from './connect.js';
import { runWatch, sftpOptions } from './watch.js';

type StartConfig = Extract<Config, { command: 'start' }>;

/**
 * `export-status start --body <file> [--watch]`: POST /content/export with a validated body; the
 * new job's ID on stdout, or, with --watch, on stderr before the watch begins.
 */
export async function runStart(config: StartConfig, deps: Deps): Promise<number> {
  const body = await readBody(config.bodyFile, config.words, deps);
  const { api } = config;
  let { watch } = config;
  for (const warning of watch.warnings) deps.stderr.write(`warning: ${warning}\n`);
  if (watch.delivery) {
    // What is at the destination before the start: what is there after, and was not, is the delivery.
    const delivery = await deliveryBeforeStart(config, body, deps);
    if (typeof delivery === 'number') return delivery;
    watch = { ...watch, delivery };
  }

  const connection = await connect(
    api,
    deps,
    watch.verbose ? (line) => deps.stderr.write(`${line}\n`) : undefined,
  );
  const start = {
    baseUrl: api.baseUrl,
    body,
    client: connection.client,
    signal: new AbortController().signal,
    timeoutMs: watch.rules.requestTimeoutMs,
    now: () => deps.clock.now(),
  };
  const { outcome, replaced, writeError } = config.stateFile
    ? await startOnce(
        config.stateFile,
        stateFileIO(
          (path, max) => deps.readTextFile(path, max),
          (path, text) => deps.writeFileWhole(path, text),
        ),
        start,
        config.words,
      )
    : { outcome: await sendStart(start.baseUrl, body, start.client, start.signal, start.timeoutMs) };
  if (replaced)
    deps.stderr.write(
      `${config.words.name.stateFile} ${config.stateFile}: ${replaced}; starting a new export\n`,
    );
  if (outcome.kind !== 'started' && outcome.kind !== 'reused') {
    deps.stderr.write(`error: ${describeStart(outcome, config.words)}\n`);
    return startExitCode(outcome);
  }
  const { job } = outcome;
  const id = sanitize(job.id, 200);
  if (outcome.kind === 'reused') {
    const { record, status } = outcome;
    deps.stderr.write(
      `Export ${id} (started ${record.startedAt}, ${sanitize(status.status, 40)}) is the one in ${config.words.name.stateFile} ${config.stateFile}: not started again\n`,
    );
    // Its files may be there already: what counts is what came since it started, not since now.
    if (watch.delivery) watch = { ...watch, delivery: { ...watch.delivery, before: undefined } };
  } else if (writeError) deps.stderr.write(`error: ${writeError}\n`);
  // The state file is part of the promise: one that could not be written fails the run at its end.
  const failed = writeError ? ExitCode.output : ExitCode.ok;
  if (!config.thenWatch) {
    deps.stdout.write(`${job.id}\n`);
    return failed;
  }
  if (outcome.kind === 'started') deps.stderr.write(`Started export ${id}\n`);
  return combineExitCodes([await runWatch([job], api, watch, deps, connection), failed]);
}

/** Reads and validates the request body; anything wrong is a usage error and nothing is sent. */
async function readBody(file: string, words: Vocabulary, deps: Deps): Promise<CheckedBody> {
  const what = words.name.body;
  let bytes: Buffer | null;
  try {
    bytes =
      file === '-' ? await deps.readStdin(MAX_BODY_BYTES) : await deps.readFileCapped(file, MAX_BODY_BYTES);
  } catch (err) {
    throw new UsageError(`${what}: cannot read ${JSON.stringify(file)} (${errnoWords(err)})`);
  }
  if (bytes === null) throw new UsageError(`${what}: the request is larger than 1 MiB`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UsageError(
      `${what}: not JSON (${sanitize(err instanceof Error ? err.message : String(err), 120)})`,
    );
  }
  return checkExportBody(json, words);
}

/**
 * --verify-delivery on start: the body's destination (or the one named), listed before the POST.
 * A listing that cannot be made starts nothing (exit 4): the export would fail to deliver too.
 */
async function deliveryBeforeStart(
  config: StartConfig,
  body: CheckedBody,
  deps: Deps,
): Promise<NonNullable<StartConfig['watch']['delivery']> | number> {
  const { words } = config;
  if (!config.thenWatch) {
    throw new UsageError(
      `${words.name.verifyDelivery}: the delivery is looked for when the job has succeeded, so it goes with --watch`,
    );
  }
  const destination =
    config.watch.delivery?.destination ??
    destinationOfBody(JSON.parse(body.text) as Record<string, unknown>, words.name.body);
  const { deliveryCheck, ListingError } = await import('../../delivery/verify.js');
  const options = config.watch.delivery;
  const check = await deliveryCheck(
    destination,
    deps.env,
    deps.transport,
    deps.clock,
    sftpOptions(options, deps),
  );
  try {
    deps.stderr.write(`Listing ${check.name} before the start\n`);
    return {
      ...options,
      sftpHostKeys: options?.sftpHostKeys ?? [],
      destination,
      before: await check.snapshot(),
    };
  } catch (err) {
    if (!(err instanceof ListingError)) throw err;
    deps.stderr.write(`error: cannot list ${check.name}: ${err.message}; nothing was started\n`);
    return ExitCode.unavailable;
  }
}
