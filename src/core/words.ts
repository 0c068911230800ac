/** "1 error", "1,500 errors": a count and its noun, in the singular only for exactly one. */
export function plural(count: number, noun: string, formatNumber: (n: number) => string = String): string {
  return `${formatNumber(count)} ${count === 1 ? noun : `${noun}s`}`;
}

const ERRNO_WORDS: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTFILE: 'not a regular file',
  EFBIG: 'larger than the limit for it',
});

/** Why a file could not be read, in words: "no such file" for ENOENT, else the code itself. */
export function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return 'unreadable';
  return ERRNO_WORDS[code] ?? code;
}

/** A word a POSIX shell takes as it is: quoted only when it has to be. */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9._~:/@%+=,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
