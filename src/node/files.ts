/** Node adapters: the files the CLI reads and writes (configuration, secrets, the result file). */
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

// node:fs's callbacks, promised: node:fs/promises costs every start a few more built-in modules.
export const open = promisify(fs.open);
const read = promisify(fs.read);
export const close = promisify(fs.close);
const fstat = promisify(fs.fstat);

function fileError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * A small file the CLI reads (configuration, a token, a secret), as text: a regular file only (a
 * FIFO, /dev/zero or a directory is refused at once: opening does not wait for a writer), and at
 * most `maxBytes` (EFBIG beyond it, without reading the rest).
 */
export async function readSmallFile(path: string, maxBytes: number): Promise<string> {
  const fd = await open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const info = await fstat(fd);
    if (!info.isFile()) throw fileError('ENOTFILE', `${path} is not a regular file`);
    if (info.size > maxBytes) throw fileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    const bytes = await readUpTo(fd, maxBytes);
    if (!bytes) throw fileError('EFBIG', `${path} is larger than ${maxBytes} bytes`);
    return bytes.toString('utf8');
  } finally {
    await close(fd);
  }
}

/** What an open file holds, or null when it holds more than `maxBytes` (never read past that). */
export async function readUpTo(fd: number, maxBytes: number): Promise<Buffer | null> {
  const buffer = Buffer.alloc(maxBytes + 1);
  let size = 0;
  while (size <= maxBytes) {
    const { bytesRead } = await read(fd, buffer, size, buffer.length - size, null);
    if (bytesRead === 0) break;
    size += bytesRead;
  }
  return size > maxBytes ? null : buffer.subarray(0, size);
}

/** Temporary files being written now: removed if the process ends before they are renamed. */
const temporaries = new Set<string>();
let cleaning = false;

/**
 * Writes `text` to `path` so that a reader sees the old content or the new, never half: a regular
 * file (or a new path) is written beside it under an unpredictable name, created exclusively with
 * mode 0600 (a link planted there makes the write fail, never go elsewhere), given the mode the
 * file had (or a new file's), then renamed over it; a symlink is written through to its target,
 * which keeps the link. Anything else (a FIFO with its reader, /dev/fd/N of a `>(…)`, a terminal)
 * is written to directly. A temporary file is removed on failure and when the process ends first.
 */
export async function writeFileWhole(path: string, text: string): Promise<void> {
  const info = await promisify(fs.stat)(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (info?.isDirectory()) throw fileError('EISDIR', `${path} is a directory`);
  const link = await promisify(fs.lstat)(path).then(
    (l) => l.isSymbolicLink(),
    () => false,
  );
  if ((info && !info.isFile()) || (link && !info)) {
    // A FIFO, a /dev/fd/N, a terminal, a link to nowhere yet: written to where it leads.
    await promisify(fs.writeFile)(path, text, 'utf8');
    return;
  }
  const target = link ? await promisify(fs.realpath)(path) : path;
  const mode = info ? info.mode & 0o7777 : 0o666 & ~process.umask();
  const temporary = join(dirname(target), `.${basename(target)}.${random(9)}.tmp`);
  if (!cleaning) {
    cleaning = true;
    process.once('exit', () => {
      for (const file of temporaries) fs.rmSync(file, { force: true });
    });
  }
  temporaries.add(temporary);
  try {
    const fd = await open(
      temporary,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
      0o600,
    );
    try {
      await promisify(fs.writeFile)(fd, text, 'utf8');
      await promisify(fs.fchmod)(fd, mode);
    } finally {
      await close(fd);
    }
    await promisify(fs.rename)(temporary, target);
  } catch (err) {
    await promisify(fs.rm)(temporary, { force: true });
    throw err;
  } finally {
    temporaries.delete(temporary);
  }
}

/**
 * Who other than this user (and root) could change what `path` says, or undefined: the file
 * writable by group or others, or owned by another user; a directory on its path (its own path,
 * or the one a symlink leads to) that others can write without the sticky bit, or that another
 * user owns. As ssh judges ~/.ssh/config. Undefined where that means nothing (Windows).
 */
export async function whoCanChange(path: string): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  const uid = process.getuid?.() ?? 0;
  const stat = promisify(fs.stat);
  const ownerOk = (owner: number) => owner === uid || owner === 0;
  const real = await promisify(fs.realpath)(path);
  const file = await stat(real);
  if ((file.mode & 0o022) !== 0) return `others can write it (mode ${(file.mode & 0o777).toString(8)})`;
  if (!ownerOk(file.uid)) return `it belongs to another user (uid ${file.uid})`;
  const directories = new Set<string>();
  for (const each of [dirname(path), dirname(real)]) {
    for (let dir = each; ; dir = dirname(dir)) {
      directories.add(dir);
      if (dirname(dir) === dir) break;
    }
  }
  for (const dir of directories) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) continue;
    const sticky = (info.mode & 0o1000) !== 0;
    if ((info.mode & 0o022) !== 0 && !sticky)
      return `others can replace it: the directory ${dir} is writable by them (mode ${(info.mode & 0o777).toString(8)})`;
    if (!ownerOk(info.uid))
      return `others can replace it: the directory ${dir} belongs to another user (uid ${info.uid})`;
  }
  return undefined;
}

/**
 * `bytes` random bytes in hex. node:crypto is loaded here, when a file is written, not by every
 * command that loads this module: it costs ~8 ms of a start-up.
 */
function random(bytes: number): string {
  return process.getBuiltinModule('node:crypto').randomBytes(bytes).toString('hex');
}
