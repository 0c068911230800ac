/** Node adapters: the files the CLI reads and writes (configuration, secrets, the result file). */
import * as fs from 'node:fs';
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

/** Writes `text` to a file beside `path`, then renames it over `path`: a reader never sees half. */
export async function writeFileWhole(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await promisify(fs.writeFile)(temporary, text, 'utf8');
  await promisify(fs.rename)(temporary, path);
}
