/**
 * Listing a folder of an SFTP server with ssh2 (pure JavaScript), its host key verified as ssh
 * verifies it. Loaded only when a delivery to SFTP is verified.
 */
import { Client, type SFTPWrapper } from 'ssh2';
import { sanitize } from '../core/sanitize.js';
import type { Destination, StoredFile } from './destination.js';
import { type HostKeyVerdict, judgeHostKey, refusal } from './known-hosts.js';
import { ListingError } from './s3.js';

export interface SftpAccess {
  /** The body's password, or EXPORT_STATUS_SFTP_PASSWORD. */
  password?: string | undefined;
  /** --sftp-key: a private key, as its file holds it. */
  privateKey?: string | undefined;
  /** --sftp-host-key: the fingerprints (SHA256:…) accepted; empty: known_hosts decides. */
  pinned: readonly string[];
  /** ~/.ssh/known_hosts, when there is one. */
  knownHosts: string | undefined;
}

/** How deep into sub-folders, and how many files, a listing goes. */
const MAX_DEPTH = 8;
const MAX_FILES = 100_000;

type Sftp = Extract<Destination, { kind: 'sftp' }>;

/** Every file under the destination's folder (and its sub-folders). */
export function listSftp(
  dest: Sftp,
  access: SftpAccess,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<StoredFile[]> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let verdict: HostKeyVerdict | undefined;
    const fail = (why: string) => {
      client.end();
      reject(new ListingError(why));
    };
    const onAbort = () => fail('interrupted');
    signal?.addEventListener('abort', onAbort, { once: true });
    client
      .on('ready', () => {
        client.sftp((err, sftp) => {
          if (err) return fail(`no SFTP on ${dest.host} (${sanitize(err.message, 120)})`);
          walk(sftp, dest.path.replace(/\/$/, '') || '/', 0, [])
            .then((files) => {
              client.end();
              resolve(files);
            })
            .catch((e: Error) => fail(e.message));
        });
      })
      .on('error', (err: Error & { level?: string }) => {
        if (verdict && !verdict.ok) return fail(refusal(verdict, dest.host, dest.port));
        const why =
          err.level === 'client-authentication'
            ? `${dest.username} was not let in (authentication failed)`
            : err.message;
        fail(`cannot reach ${dest.host}:${dest.port} (${sanitize(why, 160)})`);
      })
      .on('close', () => signal?.removeEventListener('abort', onAbort));
    client.connect({
      host: dest.host,
      port: dest.port,
      username: dest.username,
      password: access.password,
      privateKey: access.privateKey,
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        verdict = judgeHostKey(key, dest.host, dest.port, access.pinned, access.knownHosts);
        return verdict.ok;
      },
    });
  });
}

function readdir(sftp: SFTPWrapper, path: string) {
  return new Promise<Parameters<Parameters<SFTPWrapper['readdir']>[1]>[1]>((resolve, reject) => {
    sftp.readdir(path, (err, list) => {
      if (err) reject(new Error(`cannot read ${sanitize(path, 200)} (${sanitize(err.message, 80)})`));
      else resolve(list);
    });
  });
}

async function walk(
  sftp: SFTPWrapper,
  folder: string,
  depth: number,
  files: StoredFile[],
): Promise<StoredFile[]> {
  for (const entry of await readdir(sftp, folder)) {
    const path = `${folder === '/' ? '' : folder}/${entry.filename}`;
    if (entry.attrs.isDirectory()) {
      if (depth < MAX_DEPTH) await walk(sftp, path, depth + 1, files);
    } else if (entry.attrs.isFile()) {
      files.push({ name: path, size: entry.attrs.size, modified: entry.attrs.mtime * 1000, tag: '' });
      if (files.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} files`);
    }
  }
  return files;
}
