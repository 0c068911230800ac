import { stripVTControlCharacters } from 'node:util';

/** Columns a string takes on a terminal: escape sequences take none; every other character one. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const _ of stripVTControlCharacters(text)) width++;
  return width;
}

/**
 * Cuts `text` to `width` columns with "…", keeping its escape sequences (so colours still close)
 * and dropping only visible characters.
 */
export function truncateTo(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is kept.
  const tokens = text.match(/\u001b\[[0-9;]*m|[\s\S]/gu) ?? [];
  let out = '';
  let used = 0;
  for (const token of tokens) {
    if (token.startsWith('\u001b')) {
      out += token;
      continue;
    }
    if (used < width - 1) {
      out += token;
      used++;
    }
  }
  return `${out}…`;
}

/**
 * Word-wraps `text` to `width` columns, keeping its leading spaces; lines after the first start
 * with `indent` spaces. A word longer than a line (a long ID, a URL) is broken across lines, never
 * cut: it is text people copy. Escape sequences take no room.
 */
export function wrap(text: string, width: number, indent: number): string {
  const room = Math.max(indent + 8, width);
  const lead = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = lead;
  let used = lead.length;
  let empty = true;
  const newLine = () => {
    lines.push(line);
    line = ' '.repeat(indent);
    used = indent;
    empty = true;
  };
  for (const word of text.slice(lead.length).split(' ')) {
    const w = visibleWidth(word);
    if (!empty && used + 1 + w > room) newLine();
    if (!empty) {
      line += ' ';
      used += 1;
    }
    let rest = word;
    // A word too long for any line is broken where the line ends.
    while (visibleWidth(rest) > room - used) {
      const [head, tail] = splitAt(rest, room - used);
      line += head;
      newLine();
      rest = tail;
    }
    line += rest;
    used += visibleWidth(rest);
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** `text` split after `columns` visible characters (escape sequences go with the head). */
function splitAt(text: string, columns: number): [string, string] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences take no room.
  const tokens = text.match(/\u001b\[[0-9;]*m|[\s\S]/gu) ?? [];
  let head = '';
  let used = 0;
  let i = 0;
  for (; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (!token.startsWith('\u001b')) {
      if (used === columns) break;
      used++;
    }
    head += token;
  }
  return [head, tokens.slice(i).join('')];
}
