import { UsageError } from '../core/errors.js';
import { errnoWords } from '../core/words.js';
import type { ConfigSources } from '../deps.js';

/** Reads a token file; a file others can read gets a warning pushed onto `warnings`. */
export async function readTokenFile(
  path: string,
  sources: ConfigSources,
  warnings: string[],
): Promise<string> {
  let text: string;
  try {
    text = await sources.readTextFile(path);
  } catch (err) {
    throw new UsageError(`--token-file: cannot read ${JSON.stringify(path)} (${errnoWords(err)})`);
  }
  const mode = await sources.fileMode(path).catch(() => undefined);
  if (mode !== undefined && (mode & 0o077) !== 0) {
    warnings.push(`the token file ${JSON.stringify(path)} can be read by other users; chmod 600 it`);
  }
  return checkToken(text.replace(/\r?\n$/, ''), `the token in ${JSON.stringify(path)}`);
}

/** A token must be one line of printable characters: anything else would corrupt the header. */
export function checkToken(token: string, what: string): string {
  if (token === '') throw new UsageError(`${what} is empty`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u001f\u007f-\u009f\s]/.test(token)) {
    throw new UsageError(`${what} contains a newline, a space or a control character`);
  }
  return token;
}
