import { MAX_BODY_BYTES, normaliseStatus, parseExportStatusText } from '../api/schema.js';
import { outputConfig, UsageError } from '../cli/config.js';
import type { ParseOpts } from '../cli/program.js';
import type { Deps } from '../deps.js';
import { ExitCode, exitCodeFor, type Outcome } from '../exit-codes.js';
import { sanitize } from '../io/sanitize.js';
import { makeIO } from '../io/streams.js';
import { makeFormatters } from '../render/format.js';
import { jsonLine } from '../render/json.js';
import { renderSummary } from '../render/summary.js';
import { symbolsFor } from '../render/symbols.js';

/** `export-status parse [file]` (SPEC §3.3). */
export async function runParse(file: string | undefined, opts: ParseOpts, deps: Deps): Promise<number> {
  const config = outputConfig(opts);
  const io = makeIO(deps.stdout, deps.stderr, deps.env, !config.color);
  const fromStdin = file === undefined || file === '-';
  const label = fromStdin ? 'stdin' : sanitize(file, 200);
  if (file === undefined && deps.stdinIsTTY) {
    throw new UsageError(
      'no document given: name a file, or pipe one in (use "-" to type it on the terminal)',
    );
  }

  let bytes: Buffer | null;
  try {
    bytes = fromStdin
      ? await deps.readStdin(MAX_BODY_BYTES)
      : await deps.readFileCapped(file, MAX_BODY_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`cannot read ${JSON.stringify(label)} (${why})`);
  }

  const e = io.errColor;
  if (bytes === null) {
    io.err.write(`${e.red('error:')} ${label} is not a valid ExportStatus document: larger than 1 MiB\n`);
    return ExitCode.invalid;
  }
  const parsed = parseExportStatusText(bytes.toString('utf8'), { strict: config.strict });
  if (!parsed.ok) {
    io.err.write(`${e.red('error:')} ${label} is not a valid ExportStatus document:\n`);
    for (const issue of parsed.issues)
      io.err.write(`  ${sanitize(issue.path, 100)}: ${sanitize(issue.message, 300)}\n`);
    return ExitCode.invalid;
  }
  if (config.verbose) {
    for (const w of parsed.warnings)
      io.err.write(`${e.yellow('warning:')} ignored ${sanitize(w.path, 100)}: ${sanitize(w.message, 300)}\n`);
  }

  const status = parsed.value;
  const { phase } = normaliseStatus(status.status);
  const outcome: Outcome =
    phase === 'succeeded' ? 'succeeded' : phase === 'failed' || phase === 'cancelled' ? 'failed' : 'running';
  const exitCode = exitCodeFor(outcome);
  if (config.output !== 'text') {
    io.out.write(jsonLine(status));
    return exitCode;
  }
  const error =
    outcome === 'failed'
      ? (status.error ?? `the export ${phase === 'cancelled' ? 'was cancelled' : 'failed'}`)
      : null;
  const result = {
    job: { id: label, url: '' },
    outcome,
    exitCode,
    status,
    raw: parsed.raw,
    error,
    polls: 0,
    elapsedMs: 0,
  };
  io.out.write(
    renderSummary(result, { color: io.outColor, symbols: symbolsFor(io.unicode), format: makeFormatters() }),
  );
  return exitCode;
}
