import { MAX_BODY_BYTES } from '../../api/schema.js';
import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { sanitize } from '../../core/sanitize.js';
import { errnoWords } from '../../core/words.js';
import type { Deps } from '../../deps.js';
import {
  type CheckedBody,
  checkExportBody,
  describeStart,
  sendStart,
  startExitCode,
} from '../../rules/start.js';
import type { Vocabulary } from '../../rules/vocabulary.js';
import type { Config } from '../resolve.js';
import { connect } from './connect.js';
import { runWatch } from './watch.js';

type StartConfig = Extract<Config, { command: 'start' }>;

/**
 * `export-status start --body <file> [--watch]`: POST /content/export with a validated body; the
 * new job's ID on stdout, or, with --watch, on stderr before the watch begins.
 */
export async function runStart(config: StartConfig, deps: Deps): Promise<number> {
  const body = await readBody(config.bodyFile, config.words, deps);
  const { api, watch } = config;
  for (const warning of watch.warnings) deps.stderr.write(`warning: ${warning}\n`);

  const connection = await connect(
    api,
    deps,
    watch.verbose ? (line) => deps.stderr.write(`${line}\n`) : undefined,
  );
  const started = await sendStart(
    api.baseUrl,
    body,
    connection.client,
    new AbortController().signal,
    watch.rules.requestTimeoutMs,
  );
  if (started.kind !== 'started') {
    deps.stderr.write(`error: ${describeStart(started, config.words)}\n`);
    return startExitCode(started);
  }
  const { job } = started;
  if (!config.thenWatch) {
    deps.stdout.write(`${job.id}\n`);
    return ExitCode.ok;
  }
  deps.stderr.write(`Started export ${sanitize(job.id, 200)}\n`);
  return runWatch([job], api, watch, deps, connection);
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
