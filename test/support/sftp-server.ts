import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';

// ssh2's own server, for a password login (sshd would need an account with a password): it
// serves one folder of files, given by name, size and age, over SFTP on a loopback port.
const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface SftpServer {
  port: number;
  /** The host key's fingerprint, as ssh-keygen -l prints it. */
  hostFingerprint: string;
  /** The files the folder holds: name → [size, modified (epoch ms)]. */
  files: Map<string, [number, number]>;
  close(): Promise<void>;
}

/**
 * A new ed25519 host key, and its parse. ssh2's generator drops the leading zero byte of a public
 * key that starts with one (about one key in 256; mscdex/ssh2#1390), and its parser then refuses
 * the key: such a key is made again, so the suite does not fail at random once in a few hundred.
 */
function hostKey(): {
  keys: ReturnType<typeof utils.generateKeyPairSync>;
  parsed: ReturnType<typeof utils.parseKey>;
} {
  for (let attempt = 1; ; attempt++) {
    const keys = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(keys.private);
    if (!(parsed instanceof Error) && !(utils.parseKey(keys.public) instanceof Error))
      return { keys, parsed };
    if (attempt === 20) throw parsed instanceof Error ? parsed : new Error('no ed25519 host key parses');
  }
}

export async function startSftpServer(user: string, password: string, folder: string): Promise<SftpServer> {
  const { keys, parsed } = hostKey();
  const publicKey = (Array.isArray(parsed) ? parsed[0] : parsed)?.getPublicSSH() as Buffer;
  const files = new Map<string, [number, number]>();
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    client
      .on('authentication', (ctx) => {
        if (ctx.method === 'password' && ctx.username === user && ctx.password === password) ctx.accept();
        else ctx.reject(['password']);
      })
      .on('ready', () => {
        client.on('session', (accept) => {
          accept().on('sftp', (acceptSftp) => {
            const sftp = acceptSftp();
            const open = new Map<string, boolean>();
            let next = 0;
            sftp
              .on('OPENDIR', (id, path) => {
                if (path !== folder) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
                const handle = Buffer.from(String(next++));
                open.set(handle.toString(), false);
                sftp.handle(id, handle);
              })
              .on('READDIR', (id, handle) => {
                const key = handle.toString();
                if (open.get(key) !== false) return sftp.status(id, STATUS_CODE.EOF);
                open.set(key, true);
                sftp.name(
                  id,
                  [...files].map(([filename, [size, modified]]) => ({
                    filename,
                    longname: filename,
                    attrs: {
                      mode: 0o100644,
                      uid: 0,
                      gid: 0,
                      size,
                      atime: modified / 1000,
                      mtime: Math.floor(modified / 1000),
                    },
                  })),
                );
              })
              .on('CLOSE', (id, handle) => {
                open.delete(handle.toString());
                sftp.status(id, STATUS_CODE.OK);
              });
          });
        });
      })
      .on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hostFingerprint: `SHA256:${createHash('sha256').update(publicKey).digest('base64').slice(0, 43)}`,
    files,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
