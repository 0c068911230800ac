/**
 * Whether an SFTP server's host key is the one expected, as ssh judges it: a key pinned by its
 * SHA256 fingerprint, else the server's entry in known_hosts (plain or hashed host names,
 * `[host]:port` for a port other than 22). An unknown or changed key is refused. Pure.
 */
import { createHash, createHmac } from 'node:crypto';

/** "SHA256:…", as ssh-keygen -l prints it: base64 of the key's SHA-256, without padding. */
export function fingerprintOf(key: Buffer): string {
  // 32 bytes are 43 characters of base64 and one "=".
  return `SHA256:${createHash('sha256').update(key).digest('base64').slice(0, 43)}`;
}

export type HostKeyVerdict =
  | { ok: true; how: 'pinned' | 'known_hosts' }
  | { ok: false; why: 'unknown' | 'changed' | 'not-pinned'; fingerprint: string };

/** How a host is named in known_hosts: `host`, or `[host]:port` for another port. */
function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether a known_hosts host field (comma-separated names, or one hashed name) names `name`. */
function names(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt = '', hash] = field.split('|');
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return field.split(',').some((pattern) => pattern === name);
}

/**
 * The verdict on the `key` a server at `host`:`port` presented: pinned fingerprints decide when
 * given; else known_hosts' lines for that host (a line with the same key: known; lines for the
 * host with other keys only: changed; none: unknown). `@revoked` lines refuse; `@cert-authority`
 * lines are not understood and are skipped.
 */
export function judgeHostKey(
  key: Buffer,
  host: string,
  port: number,
  pinned: readonly string[],
  knownHosts: string | undefined,
): HostKeyVerdict {
  const fingerprint = fingerprintOf(key);
  if (pinned.length > 0) {
    return pinned.includes(fingerprint)
      ? { ok: true, how: 'pinned' }
      : { ok: false, why: 'not-pinned', fingerprint };
  }
  const name = hostName(host, port);
  const encoded = key.toString('base64');
  let seen = false;
  // A comment or a blank line names no host: it is passed over like a line for another.
  // Stryker disable next-line ArrayDeclaration: a line of no host changes nothing.
  for (const line of knownHosts?.split('\n') ?? []) {
    const fields = line.trim().split(/\s+/);
    const [first = ''] = fields;
    const marker = first.startsWith('@') ? fields.shift() : undefined;
    const [hosts, , base64] = fields;
    if (!hosts || !base64 || !names(hosts, name)) continue;
    if (marker === '@cert-authority') continue;
    if (marker === '@revoked') {
      if (base64 === encoded) return { ok: false, why: 'changed', fingerprint };
      continue;
    }
    if (base64 === encoded) return { ok: true, how: 'known_hosts' };
    seen = true;
  }
  return { ok: false, why: seen ? 'changed' : 'unknown', fingerprint };
}

/** What to say when a host key is refused, and how to accept one that is right. */
export function refusal(verdict: Extract<HostKeyVerdict, { ok: false }>, host: string, port: number): string {
  const where = hostName(host, port);
  switch (verdict.why) {
    case 'unknown':
      return `the host key of ${where} (${verdict.fingerprint}) is not in known_hosts; if it is right, pin it with --sftp-host-key ${verdict.fingerprint} or add it with ssh-keyscan`;
    case 'changed':
      return `the host key of ${where} (${verdict.fingerprint}) is not the one known_hosts has for it: it has CHANGED (someone may be in the middle), refused`;
    case 'not-pinned':
      return `the host key of ${where} (${verdict.fingerprint}) is not the one pinned with --sftp-host-key, refused`;
  }
}
