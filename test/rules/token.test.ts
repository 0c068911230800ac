import { describe, expect, it } from 'vitest';
import { MIN_USEFUL_LIFETIME_MS, renewAt } from '../../src/api/credentials.js';
import { tokenFault, tokenText } from '../../src/api/token.js';

// The one check of a bearer token, and when a token is renewed.

describe('tokenFault: one word of printable characters', () => {
  it.each(['abc', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'a-b_c.d~e+f/g=', 'ünïcødé', '!#$%&*'])(
    '%j can be sent',
    (token) => {
      expect(tokenFault(token)).toBeUndefined();
    },
  );

  it.each([
    ['', 'empty'],
    ['abc def', 'spaced'],
    ['abc\tdef', 'spaced'],
    ['abc\ndef', 'spaced'],
    ['abc\rdef', 'spaced'],
    ['abc\u0007', 'spaced'],
    ['\u0000abc', 'spaced'],
    ['abc\u001f', 'spaced'],
    ['abc\u007f', 'spaced'],
    ['abc\u0085def', 'spaced'],
    ['abc\u009fdef', 'spaced'],
    ['abc\u00a0def', 'spaced'],
    ['abc\u2028def', 'spaced'],
    ['abc\u3000def', 'spaced'],
    ['abc\ufeffdef', 'spaced'],
  ])('%j cannot: %s', (token, fault) => {
    expect(tokenFault(token)).toBe(fault);
  });

  it('the first printable characters past the control ranges are fine', () => {
    expect(tokenFault('a\u0020')).toBe('spaced');
    expect(tokenFault('a\u0021')).toBeUndefined();
    expect(tokenFault('a\u007e')).toBeUndefined();
    expect(tokenFault('a\u00a1')).toBeUndefined();
  });
});

describe('tokenText: what every source reads', () => {
  it.each([
    ['abc', 'abc'],
    ['  abc \n', 'abc'],
    ['\uFEFFabc\r\n', 'abc'],
    ['\uFEFF\uFEFFabc', 'abc'],
    ['a\uFEFF', 'a'],
    ['abc def\n', 'abc def'],
    ['\n', ''],
  ])('%j → %j', (text, token) => {
    expect(tokenText(text)).toBe(token);
  });
});

describe('renewAt: a minute before the end, or a fifth of a short life', () => {
  it.each([
    [3_600_000, 3_540_000],
    [300_000, 240_000],
    [300_001, 240_001],
    [299_999, 239_999.2],
    [2000, 1600],
    [MIN_USEFUL_LIFETIME_MS, 800],
  ])('a token of %d ms obtained at 1,000 is renewed at 1,000 + %d', (lifetime, after) => {
    expect(renewAt(1000, lifetime)).toBe(1000 + after);
  });

  it.each([undefined, MIN_USEFUL_LIFETIME_MS - 1, 0, -5, Number.NaN])(
    'a lifetime of %s: only when refused',
    (lifetime) => {
      expect(renewAt(1000, lifetime)).toBeUndefined();
    },
  );
});
