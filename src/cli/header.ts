import { UsageError } from '../core/errors.js';
import { checkHeader } from '../rules/settings.js';
import type { Vocabulary } from '../rules/vocabulary.js';

/** `-H "Name: value"` → [name, value], checked as every front end's headers are. */
export function parseHeader(text: string, v: Vocabulary): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0)
    throw new UsageError(`${v.name.header}: expected "Name: value", got ${JSON.stringify(text)}`);
  return checkHeader(text.slice(0, colon).trim(), text.slice(colon + 1), v);
}
