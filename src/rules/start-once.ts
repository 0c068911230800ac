/**
 * `--state-file`: a start that a re-run does not repeat. The file records the job the last start
 * made; a start with the same body for the same API finds it there and, while that job runs or
 * has succeeded, starts nothing. The same for every front end (the CLI, the library, the action).
 */
import { createHash } from 'node:crypto';
import type { ClientOptions } from '../api/client.js';
import { fetchStatus } from '../api/client.js';
import type { ExportStatus } from '../api/schema.js';
import { phaseOf } from '../api/schema.js';
import { type JobRef, jobFromLocation } from '../api/urls.js';
import { UsageError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { sanitize } from '../core/sanitize.js';
import { type CheckedBody, type StartOutcome, sendStart } from './start.js';
import type { Vocabulary } from './vocabulary.js';

/** What the state file holds: the job the last start made, and what it was started with. */
export interface StartRecord {
  version: 1;
  jobId: string;
  statusUrl: string;
  /** The base URL it was started on. */
  baseUrl: string;
  /** A digest of the body with its secrets masked: no secret, nor anything made from one, is stored. */
  bodyDigest: string;
  /** When it was started, ISO 8601. */
  startedAt: string;
}

/** How the state file is read and written: undefined when there is no file; written whole. */
export interface StateFileIO {
  read(path: string): Promise<string | undefined>;
  write(path: string, text: string): Promise<void>;
}

/** A state file is a few hundred bytes: anything much larger is not one. */
const STATE_FILE_MAX_BYTES = 64 * 1024;

/** The state file read and written with a front end's own file functions: no file is no record. */
export function stateFileIO(
  readText: (path: string, maxBytes: number) => Promise<string>,
  writeWhole: (path: string, text: string) => Promise<void>,
): StateFileIO {
  return {
    read: (path) =>
      readText(path, STATE_FILE_MAX_BYTES).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      }),
    write: writeWhole,
  };
}

/** The body's digest, made without its secrets: a changed secret alone is the same export. */
export function bodyDigest(body: CheckedBody): string {
  return `sha256:${createHash('sha256').update(redact(body.text, body.secrets)).digest('hex')}`;
}

/** The record in a state file's text, or undefined when the text is not one. */
export function parseRecord(text: string): StartRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const fields = ['jobId', 'statusUrl', 'baseUrl', 'bodyDigest', 'startedAt'] as const;
  if (r.version !== 1 || fields.some((f) => typeof r[f] !== 'string')) return undefined;
  return r as unknown as StartRecord;
}

/**
 * Whether a recorded job is the one to keep: one that is still going (pending or running, or a
 * status nobody knows, which may be either) or that succeeded. A failed or cancelled one is not.
 */
export function keeps(status: ExportStatus): boolean {
  const phase = phaseOf(status);
  return phase !== 'failed' && phase !== 'cancelled';
}

export type StartOnceOutcome =
  | StartOutcome
  /** The state file's job runs or succeeded: nothing was started. */
  | { kind: 'reused'; job: JobRef; record: StartRecord; status: ExportStatus };

export interface StartOnce {
  outcome: StartOnceOutcome;
  /** Why the recorded job was not kept, to say so; undefined when there was none. */
  replaced?: string | undefined;
  /** The state file could not be written after a start: said, and the run fails at its end. */
  writeError?: string | undefined;
}

/**
 * Starts an export unless the state file names one of the same body on the same API that is
 * still going or succeeded. A file that is not a state file is refused (a usage error): it might
 * be a file the user did not mean, and a guess could start a second export. A recorded job whose
 * status cannot be had now (the API is down) starts nothing either: not-started, exit 4.
 */
export async function startOnce(
  stateFile: string,
  io: StateFileIO,
  start: {
    baseUrl: URL;
    body: CheckedBody;
    client: ClientOptions;
    signal: AbortSignal;
    timeoutMs: number;
    now: () => number;
  },
  v: Vocabulary,
): Promise<StartOnce> {
  const where = `${v.name.stateFile} ${stateFile}`;
  let text: string | undefined;
  try {
    text = await io.read(stateFile);
  } catch (err) {
    throw new UsageError(`${where}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const digest = bodyDigest(start.body);
  let replaced: string | undefined;
  if (text !== undefined) {
    const record = parseRecord(text);
    if (!record) {
      throw new UsageError(
        `${where}: not a state file of export-status; nothing was started (remove it to start a new export)`,
      );
    }
    if (record.baseUrl !== start.baseUrl.href) replaced = 'it was for another API';
    else if (record.bodyDigest !== digest) replaced = 'the body has changed';
    else {
      const job = jobFromLocation(record.statusUrl, start.baseUrl);
      const answer = job
        ? await fetchStatus(new URL(job.url), start.client, start.signal, start.timeoutMs)
        : undefined;
      if (!job || !answer) replaced = 'its job URL is not on this API';
      else if (answer.kind === 'status') {
        if (keeps(answer.status)) {
          return { outcome: { kind: 'reused', job, record, status: answer.status } };
        }
        replaced = `its job ${sanitize(record.jobId, 200)} ended ${sanitize(answer.status.status, 40)}`;
      } else if (answer.kind === 'final' && answer.httpStatus === 404) {
        replaced = `the API does not know its job ${sanitize(record.jobId, 200)}`;
      } else {
        const reason = answer.kind === 'aborted' ? 'interrupted' : answer.reason;
        return {
          outcome: {
            kind: 'not-started',
            reason: `the job of ${where} cannot be checked (${reason}), so no new export was started`,
          },
        };
      }
    }
  }
  const outcome = await sendStart(start.baseUrl, start.body, start.client, start.signal, start.timeoutMs);
  if (outcome.kind !== 'started') return { outcome, replaced };
  const record: StartRecord = {
    version: 1,
    jobId: outcome.job.id,
    statusUrl: outcome.job.url,
    baseUrl: start.baseUrl.href,
    bodyDigest: digest,
    startedAt: new Date(start.now()).toISOString(),
  };
  try {
    await io.write(stateFile, `${JSON.stringify(record, null, 2)}\n`);
    return { outcome, replaced };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return {
      outcome,
      replaced,
      writeError: `${where}: cannot be written (${code}); a re-run will start another export`,
    };
  }
}
