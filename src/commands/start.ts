import { errorMessage, request } from '../api/client.js';
import { parseExportRequest } from '../api/export-request.js';
import { MAX_BODY_BYTES } from '../api/schema.js';
import { pollConfig, resolveJob, UsageError } from '../cli/config.js';
import type { StartOpts } from '../cli/program.js';
import type { Deps } from '../deps.js';
import { ExitCode } from '../exit-codes.js';
import { sanitize } from '../io/sanitize.js';
import { clientOptions } from './client-options.js';
import { runPoll } from './watch.js';

/**
 * `export-status start --body <file> [--watch]` (SPEC §3.5): POST /content/export with a validated
 * body; the new job's ID on stdout, or, with --watch, on stderr before the watch begins.
 */
export async function runStart(opts: StartOpts, deps: Deps): Promise<number> {
  const body = await readBody(opts.body, deps);
  const config = await pollConfig([], opts, 'watch', deps);
  for (const warning of config.warnings) deps.stderr.write(`warning: ${warning}\n`);

  const client = clientOptions(config, deps, (line) => deps.stderr.write(`${line}\n`));
  const base = config.baseUrl.href.endsWith('/') ? config.baseUrl.href : `${config.baseUrl.href}/`;
  const url = new URL('content/export', base);
  // Not retried: a POST that timed out may have started an export, and a second would start another.
  const answer = await request(
    'POST',
    url,
    client,
    new AbortController().signal,
    client.requestTimeoutMs,
    body,
  );
  if (answer.kind === 'failed') {
    const { outcome } = answer;
    const reason = 'reason' in outcome ? outcome.reason : 'interrupted';
    deps.stderr.write(`error: the export was not started: ${reason}\n`);
    return outcome.kind === 'invalid' ? ExitCode.invalid : ExitCode.unavailable;
  }
  const { response } = answer;
  if (response.status < 200 || response.status >= 300) {
    deps.stderr.write(
      `error: the export was not started: HTTP ${response.status}${errorMessage(response.body)}\n`,
    );
    return ExitCode.unavailable;
  }
  const location = response.headers.location;
  let statusUrl: URL;
  try {
    if (!location) throw new Error('no Location');
    statusUrl = new URL(location, answer.url);
    if (statusUrl.protocol !== 'http:' && statusUrl.protocol !== 'https:') throw new Error('not http');
  } catch {
    const what = location
      ? `an unusable Location ${JSON.stringify(sanitize(location, 100))}`
      : 'no Location header';
    deps.stderr.write(
      `error: the server answered HTTP ${response.status} with ${what}, so the new job cannot be found\n`,
    );
    return ExitCode.invalid;
  }
  const job = resolveJob(statusUrl.href, config.baseUrl);
  if (!opts.watch) {
    deps.stdout.write(`${job.id}\n`);
    return ExitCode.ok;
  }
  deps.stderr.write(`Started export ${sanitize(job.id, 200)}\n`);
  return runPoll({ ...config, jobs: [job] }, deps);
}

/** Reads and validates the request body; anything wrong is a usage error and nothing is sent. */
async function readBody(file: string, deps: Deps): Promise<string> {
  let bytes: Buffer | null;
  try {
    bytes =
      file === '-' ? await deps.readStdin(MAX_BODY_BYTES) : await deps.readFileCapped(file, MAX_BODY_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`--body: cannot read ${JSON.stringify(file)} (${why})`);
  }
  if (bytes === null) throw new UsageError('--body: the request is larger than 1 MiB');
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
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
