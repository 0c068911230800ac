import { stripVTControlCharacters } from 'node:util';

// C0 controls, DEL, C1 controls, and the Unicode bidi overrides/isolates that can make text
// display differently from what it is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const WHITESPACE_RUN = /\s+/g;
// Marks that show as nothing (a soft hyphen, zero-width spaces and joiners, the word joiner and
// invisible operators, a byte-order mark): removed, so that what is printed is what is seen, and a
// secret split by one is whole again for redaction.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]/g;

/**
 * Makes a string that came from a server safe to print on one terminal line: escape sequences
 * (CSI, OSC, …) and invisible marks removed, every other control character turned into a space,
 * runs of whitespace collapsed, and the result cut to `maxLength` characters with an ellipsis.
 */
export function sanitize(text: string, maxLength = 500): string {
  const clean = stripVTControlCharacters(text)
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .replace(WHITESPACE_RUN, ' ')
    .trim();
  return truncate(clean, maxLength);
}

export function truncate(text: string, maxLength: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxLength) return text;
  return `${chars.slice(0, Math.max(0, maxLength - 1)).join('')}…`;
}
