import { errorMessage, request } from '../api/client.js';
import { parseExportRequest } from '../api/export-request.js';
import { MAX_BODY_BYTES } from '../api/schema.js';
import { exportUrl, jobFromLocation } from '../api/urls.js';
import type { Config } from '../cli/resolve.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { sanitize } from '../core/sanitize.js';
import { errnoWords } from '../core/words.js';
import type { Deps } from '../deps.js';
import { clientOptions, credentialsFor } from './client-options.js';
import { runWatch } from './watch.js';

type StartConfig = Extract<Config, { command: 'start' }>;

/**
 * `export-status start --body <file> [--watch]`: POST /content/export with a validated body; the
 * new job's ID on stdout, or, with --watch, on stderr before the watch begins.
 */
export async function runStart(config: StartConfig, deps: Deps): Promise<number> {
  const body = await readBody(config.bodyFile, deps);
  const { api, watch } = config;
  for (const warning of watch.warnings) deps.stderr.write(`warning: ${warning}\n`);

  const credentials = await credentialsFor(api.credential, deps, watch.rules.requestTimeoutMs);
  const client = clientOptions(api, watch, credentials, deps, (line) => deps.stderr.write(`${line}\n`));
  // Not retried: a POST that timed out may have started an export, and a second would start another.
  const answer = await request(
    'POST',
    exportUrl(api.baseUrl),
    client,
    new AbortController().signal,
    watch.rules.requestTimeoutMs,
    body,
  );
  if (answer.kind === 'failed') {
    const { outcome } = answer;
    const reason = 'reason' in outcome ? outcome.reason : 'interrupted';
    if (outcome.kind === 'final' && outcome.requestSent) {
      deps.stderr.write(
        `error: the export may or may not have started: ${reason}. It was not sent again; ` +
          'look for the new export on the server (its ID, with `export-status get <id>`) before starting another.\n',
      );
    } else {
      deps.stderr.write(`error: the export was not started: ${reason}\n`);
    }
    return outcome.kind === 'invalid' ? ExitCode.invalid : ExitCode.unavailable;
  }
  const { response } = answer;
  if (response.status < 200 || response.status >= 300) {
    deps.stderr.write(
      `error: the export was not started: HTTP ${response.status}${errorMessage(response.body)}\n`,
    );
    return ExitCode.unavailable;
  }
  const { location } = response.headers;
  const job = location === undefined ? undefined : jobFromLocation(location, api.baseUrl);
  if (!job) {
    const what = location
      ? `an unusable Location ${JSON.stringify(sanitize(location, 100))}`
      : 'no Location header';
    deps.stderr.write(
      `error: the server answered HTTP ${response.status} with ${what}, so the new job cannot be found\n`,
    );
    return ExitCode.invalid;
  }
  if (!config.thenWatch) {
    deps.stdout.write(`${job.id}\n`);
    return ExitCode.ok;
  }
  deps.stderr.write(`Started export ${sanitize(job.id, 200)}\n`);
  return runWatch([job], api, watch, deps, credentials);
}

/** Reads and validates the request body; anything wrong is a usage error and nothing is sent. */
async function readBody(file: string, deps: Deps): Promise<string> {
  let bytes: Buffer | null;
  try {
    bytes =
      file === '-' ? await deps.readStdin(MAX_BODY_BYTES) : await deps.readFileCapped(file, MAX_BODY_BYTES);
  } catch (err) {
    throw new UsageError(`--body: cannot read ${JSON.stringify(file)} (${errnoWords(err)})`);
  }
  if (bytes === null) throw new UsageError('--body: the request is larger than 1 MiB');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UsageError(
      `--body: not JSON (${sanitize(err instanceof Error ? err.message : String(err), 120)})`,
    );
  }
  const parsed = parseExportRequest(json);
  if (!parsed.ok) {
    const lines = parsed.issues
      .map((i) => `  ${sanitize(i.path, 100)}: ${sanitize(i.message, 200)}`)
      .join('\n');
    throw new UsageError(`--body: not a valid export request; nothing was sent:\n${lines}`);
  }
  return JSON.stringify(parsed.value);
}
