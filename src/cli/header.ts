import { UsageError } from '../core/errors.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
]);

/** `-H "Name: value"` → [name, value]; names the CLI sets itself are refused. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header: expected "Name: value", got ${JSON.stringify(text)}`);
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name))
    throw new UsageError(`--header: ${JSON.stringify(name)} is not a valid header name`);
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    const hint =
      name.toLowerCase() === 'authorization' ? '; the token goes in EGAIN_ACCESS_TOKEN or --token-file' : '';
    throw new UsageError(`--header: ${name} cannot be set with --header${hint}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new UsageError(`--header: the value of ${name} contains a control character`);
  }
  return [name, value];
}
