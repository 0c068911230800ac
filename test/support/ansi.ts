// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences is the point.
export const ESCAPE = /\u001b/;
