import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/core/sanitize.js';

// Server text as it may reach a terminal: one line, nothing hidden, nothing that moves the cursor.

describe('sanitize', () => {
  it.each([
    ['plain text', 'Connection timeout', 'Connection timeout'],
    ['an escape sequence', 'red \u001b[31mtext\u001b[0m', 'red text'],
    ['a title-setting OSC', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['a newline and a tab', 'one\ntwo\tthree', 'one two three'],
    ['a bell and a DEL', 'a\u0007b\u007fc', 'a b c'],
    ['a C1 control', 'a\u0085b', 'a b'],
    ['a bidi override', 'abc\u202edcba', 'abc dcba'],
    ['a zero-width space inside a word', 'sec\u200bret', 'secret'],
    ['a soft hyphen and a word joiner', 'se\u00adc\u2060ret', 'secret'],
    ['a byte-order mark', '\ufeffsecret', 'secret'],
    ['runs of spaces', '  a   b  ', 'a b'],
  ])('%s', (_, text, clean) => {
    expect(sanitize(text)).toBe(clean);
  });

  it('cuts at the length asked for, with an ellipsis', () => {
    expect(sanitize('abcdef', 4)).toBe('abc…');
    expect(sanitize('abcd', 4)).toBe('abcd');
  });
});
