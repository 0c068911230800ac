/**
 * Why a token cannot go into an Authorization header (it must be one word of printable
 * characters), or undefined when it can: the one check of every token source.
 */
export function tokenFault(token: string): 'empty' | 'spaced' | undefined {
  if (token === '') return 'empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters.
  if (/[\u0000-\u001f\u007f-\u009f\s]/.test(token)) return 'spaced';
  return undefined;
}

/** A token as every source reads it: surrounding whitespace dropped (a byte-order mark is whitespace to trim). */
export function tokenText(text: string): string {
  return text.trim();
}
