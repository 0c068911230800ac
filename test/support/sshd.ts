import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './servers.js';

// Debian's OpenSSH server on a loopback port, with its own host key and configuration in a
// temporary directory: key login for this user, SFTP served by internal-sftp. (.ci/run installs
// openssh-server where it is missing.)
export const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  user: string;
  directory: string;
  /** The client's private key file, whose public key may log in. */
  userKey: string;
  /** The host key's fingerprint, as ssh-keygen -l prints it. */
  hostFingerprint: string;
  /** A known_hosts line for this server. */
  knownHostsLine: string;
  close(): Promise<void>;
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
}

export async function startSshd(): Promise<Sshd> {
  const directory = mkdtempSync(join(tmpdir(), 'export-status-sshd-'));
  keygen(join(directory, 'host_key'));
  keygen(join(directory, 'user_key'));
  writeFileSync(join(directory, 'authorized_keys'), readFileSync(join(directory, 'user_key.pub')));
  // Running as root, sshd wants its privilege separation directory.
  try {
    mkdirSync('/run/sshd', { recursive: true });
  } catch {
    // not root: sshd runs without privilege separation
  }
  const port = await freePort();
  const config = join(directory, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(directory, 'host_key')}`,
      `AuthorizedKeysFile ${join(directory, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${join(directory, 'sshd.pid')}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`sshd exited: ${log}`)));
  });
  const hostFingerprint =
    execFileSync('ssh-keygen', ['-lf', join(directory, 'host_key.pub')], { encoding: 'utf8' }).split(
      ' ',
    )[1] ?? '';
  const [type, key] = readFileSync(join(directory, 'host_key.pub'), 'utf8').trim().split(' ');
  return {
    port,
    user: userInfo().username,
    directory,
    userKey: join(directory, 'user_key'),
    hostFingerprint,
    knownHostsLine: `[127.0.0.1]:${port} ${type} ${key}`,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
