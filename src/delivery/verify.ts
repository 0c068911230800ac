/**
 * Verifying a delivery: what an export wrote to its destination. Loaded (with its dependencies)
 * only when a run asks for it.
 */
import type { Transport } from '../api/transport.js';
import type { Clock } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { exitCodeFor } from '../core/exit-codes.js';
import { redact } from '../core/redact.js';
import { sanitize } from '../core/sanitize.js';
import type { Env } from '../io/color.js';
import type { Delivery, JobResult } from '../poll/job.js';
import { type Destination, destinationName, newFiles, type StoredFile } from './destination.js';
import { ListingError, listS3, s3Access, s3Secrets } from './s3.js';
import type { SftpAccess } from './sftp.js';

/** Storage can lag the status: a listing that finds nothing new is made again after these waits. */
const LAG_WAITS_MS = [2_000, 4_000, 8_000];
const LISTING_TIMEOUT_MS = 30_000;

export interface DeliveryCheck {
  readonly destination: Destination;
  /** "s3://bucket/folder/": how the destination is named. */
  readonly name: string;
  /** The secrets a listing sends: never printed. */
  readonly secrets: readonly string[];
  /** What is there now (before a start). Rejects with a ListingError. */
  snapshot(): Promise<StoredFile[]>;
  /**
   * The delivery: new against `before`, or modified since `since` without one; listed again a
   * few times while nothing new shows. Rejects with a ListingError (its message redacted).
   */
  verify(before: readonly StoredFile[] | undefined, since: number | undefined): Promise<Delivery>;
}

export { ListingError };

/** How an SFTP server is logged in to and known, beyond the destination's own details. */
export interface SftpOptions {
  /** --sftp-key: a private key file. */
  keyFile?: string | undefined;
  /** --sftp-host-key: the host key fingerprints accepted (SHA256:…). */
  hostKeys: readonly string[];
  /** Reads a small text file (a key, known_hosts); rejects with its errno. */
  readText(path: string): Promise<string>;
}

const NO_FILES: SftpOptions = { hostKeys: [], readText: () => Promise.reject(new Error('no files')) };

/** The password, key and host keys of an SFTP login: a UsageError when there is no way in. */
async function sftpAccess(
  dest: Extract<Destination, { kind: 'sftp' }>,
  env: Env,
  options: SftpOptions,
): Promise<SftpAccess> {
  let privateKey: string | undefined;
  if (options.keyFile) {
    try {
      privateKey = await options.readText(options.keyFile);
    } catch (err) {
      throw new UsageError(
        `--sftp-key: cannot read ${options.keyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const password = dest.password ?? (env.EXPORT_STATUS_SFTP_PASSWORD || undefined);
  if (!password && !privateKey) {
    throw new UsageError(
      `no way to log in to ${destinationName(dest)}: set EXPORT_STATUS_SFTP_PASSWORD, or --sftp-key`,
    );
  }
  const knownHosts = env.HOME
    ? await options.readText(`${env.HOME}/.ssh/known_hosts`).catch(() => undefined)
    : undefined;
  return { password, privateKey, pinned: options.hostKeys, knownHosts };
}

/** A check of `destination`'s deliveries; a UsageError when it cannot be listed as configured. */
export async function deliveryCheck(
  destination: Destination,
  env: Env,
  transport: Transport,
  clock: Clock,
  sftp: SftpOptions = NO_FILES,
): Promise<DeliveryCheck> {
  let secrets: string[];
  let listing: () => Promise<StoredFile[]>;
  if (destination.kind === 's3') {
    const access = s3Access(destination, env);
    secrets = s3Secrets(access);
    listing = () => listS3(destination, access, transport, clock, LISTING_TIMEOUT_MS);
  } else {
    const access = await sftpAccess(destination, env, sftp);
    secrets = access.password ? [access.password] : [];
    const { listSftp } = await import('./sftp.js');
    listing = () => listSftp(destination, access, LISTING_TIMEOUT_MS);
  }
  const list = async () => {
    try {
      return await listing();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ListingError(redact(message, secrets));
    }
  };
  return {
    destination,
    name: destinationName(destination),
    secrets,
    snapshot: list,
    async verify(before, since) {
      let files = newFiles(await list(), before, since);
      for (const wait of LAG_WAITS_MS) {
        if (files.length > 0) break;
        await clock.sleep(wait);
        files = newFiles(await list(), before, since);
      }
      files.sort((a, b) => a.name.localeCompare(b.name));
      return {
        destination: destinationName(destination),
        files: files.map((f) => ({
          name: f.name,
          size: f.size,
          modified: new Date(f.modified).toISOString(),
        })),
        totalFiles: files.length,
        totalBytes: files.reduce((sum, f) => sum + f.size, 0),
      };
    },
  };
}

/**
 * A job's result with its delivery: a job that succeeded is looked for at the destination. Files
 * that are new (against the listing `before` the start, else modified since the job's startTime,
 * else since `watchedFrom`) are its delivery; none is outcome `undelivered` (exit 7); a listing
 * that cannot be made, `error` (4). Any other result is returned as it is. Every front end ends a
 * verified watch through this.
 */
export async function withDelivery(
  result: JobResult,
  check: DeliveryCheck,
  before: readonly StoredFile[] | undefined,
  watchedFrom: number,
): Promise<JobResult> {
  if (result.outcome !== 'succeeded') return result;
  const status = sanitize(result.status?.status ?? 'Successful', 40);
  const started = result.status?.startTime ? Date.parse(result.status.startTime) : Number.NaN;
  try {
    const delivery = await check.verify(before, Number.isNaN(started) ? watchedFrom : started);
    if (delivery.totalFiles > 0) return { ...result, delivery };
    const error = `${status}, but nothing new at ${check.name}`;
    return { ...result, delivery, outcome: 'undelivered', exitCode: exitCodeFor('undelivered'), error };
  } catch (err) {
    const reason = sanitize(err instanceof Error ? err.message : String(err), 300);
    const error = `${status}, but ${check.name} cannot be listed: ${reason}`;
    return { ...result, outcome: 'error', exitCode: exitCodeFor('error'), error };
  }
}
