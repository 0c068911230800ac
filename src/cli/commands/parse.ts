import { MAX_BODY_BYTES, parseExportStatusText } from '../../api/schema.js';
import { UsageError } from '../../core/errors.js';
import { ExitCode, exitCodeFor } from '../../core/exit-codes.js';
import { sanitize } from '../../core/sanitize.js';
import { errnoWords } from '../../core/words.js';
import type { Deps } from '../../deps.js';
import { makeIO } from '../../io/streams.js';
import type { JobResult } from '../../poll/job.js';
import { verdictOf } from '../../poll/outcome.js';
import { makeFormatters, utcIn } from '../../render/format.js';
import { jsonLine, unknownFields } from '../../render/json.js';
import { renderSummary } from '../../render/summary.js';
import { symbolsFor } from '../../render/symbols.js';
import type { OutputConfig } from '../resolve.js';
import { CLI_WORDING } from '../words.js';

/** `export-status parse [file]`: validates a document from a file or stdin and prints its summary. */
export async function runParse(file: string | undefined, config: OutputConfig, deps: Deps): Promise<number> {
  const io = makeIO(deps, !config.color);
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
    throw new UsageError(`cannot read ${JSON.stringify(label)} (${errnoWords(err)})`);
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
  for (const w of parsed.warnings)
    io.err.write(`${e.yellow('warning:')} ignored ${sanitize(w.path, 100)}: ${sanitize(w.message, 300)}\n`);

  const status = parsed.value;
  const { outcome, reason } = verdictOf(status, 'never', []);
  const error = reason ? CLI_WORDING.end(reason) : null;
  const exitCode = exitCodeFor(outcome);
  if (config.output !== 'text') {
    // Fields the schema does not know are kept under raw, as `watch --json` keeps them.
    const raw = unknownFields(parsed.raw);
    io.out.write(jsonLine(raw ? { ...status, raw } : status));
    return exitCode;
  }
  const result: JobResult = {
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
    renderSummary(result, {
      color: io.outColor,
      symbols: symbolsFor(io.unicode),
      format: makeFormatters({ utc: utcIn(deps.env) }),
    }),
  );
  return exitCode;
}
