import { MAX_TOKEN_FILE_BYTES } from '../api/credentials.js';
import { tokenText } from '../api/token.js';
import { UsageError } from '../core/errors.js';
import { errnoWords } from '../core/words.js';
import type { ConfigSources } from '../deps.js';
import { checkToken } from '../rules/connection.js';

/**
 * Reads a file holding a secret (a token, a client secret); one that others can read gets a
 * warning pushed onto `warnings`. `what` names where the path came from (`--token-file`).
 */
export async function readSecretFile(
  path: string,
  what: string,
  sources: ConfigSources,
  warnings: string[],
): Promise<string> {
  let text: string;
  try {
    text = await sources.readTextFile(path, MAX_TOKEN_FILE_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EFBIG' ? 'larger than 64 KiB, which no secret is' : errnoWords(err);
    throw new UsageError(`${what}: cannot read ${JSON.stringify(path)} (${why})`);
  }
  const mode = await sources.fileMode(path).catch(() => undefined);
  if (mode !== undefined && (mode & 0o077) !== 0) {
    warnings.push(`the file ${JSON.stringify(path)} (${what}) can be read by other users; chmod 600 it`);
  }
  return checkToken(tokenText(text), `the content of ${JSON.stringify(path)}`);
}
