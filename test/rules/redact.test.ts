import { describe, expect, it } from 'vitest';
import { formsOf, MIN_SECRET_LENGTH, redact } from '../../src/core/redact.js';

// Every form a secret takes when a server echoes it, and secrets that overlap.

const SECRET = 'p@ss wörd/"é"+1';

describe('redact: every form of a secret', () => {
  it.each([
    ['as it is', SECRET],
    ['percent-encoded, upper-case hex', encodeURIComponent(SECRET)],
    [
      'percent-encoded, lower-case hex',
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    ],
    ['form-encoded, a space as +', encodeURIComponent(SECRET).replace(/%20/g, '+')],
    ['form-encoded as URLSearchParams writes it', new URLSearchParams({ s: SECRET }).toString().slice(2)],
    ['escaped inside a JSON string', JSON.stringify(SECRET).slice(1, -1)],
    ['upper-cased', SECRET.toUpperCase()],
    ['in mixed case', 'P@SS wöRD/"é"+1'],
    ['in base64', Buffer.from(SECRET).toString('base64').replace(/=+$/, '')],
    ['in URL-safe base64', Buffer.from(SECRET).toString('base64url')],
  ])('%s', (_, form) => {
    const text = `invalid_client: got client_secret=${form} from you`;
    const out = redact(text, [SECRET]);
    expect(out).toBe('invalid_client: got client_secret=*** from you');
  });

  it.each([
    ['a space as + where ! stays as it is (encodeURIComponent, then +)', 'pa+ss!word(1)'],
    ['a space as + and ! encoded (URLSearchParams)', 'pa+ss%21word%281%29'],
  ])('form-encoded, %s', (_, form) => {
    expect(redact(`secret=${form}&x=1`, ['pa ss!word(1)'])).toBe('secret=***&x=1');
  });

  it('base64 with its padding: nothing of the secret is left', () => {
    const padded = Buffer.from('abcdefg').toString('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect(redact(`Basic ${padded}`, ['abcdefg'])).toMatch(/^Basic \*\*\*=*$/);
  });

  it('a secret with the characters of a pattern is matched as text', () => {
    expect(redact('a.b*c+d? a-b-c-d-', ['a.b*c+d?'])).toBe('*** a-b-c-d-');
    expect(redact('x(y)[z]{w}|^$\\', ['(y)[z]{w}|^$'])).toBe('x***\\');
  });

  it('every occurrence, not only the first', () => {
    expect(redact('abcdef-abcdef abcdef', ['abcdef'])).toBe('***-*** ***');
  });

  it(`a secret of ${MIN_SECRET_LENGTH} characters is redacted; a shorter one would mangle text and is not`, () => {
    expect(redact('token 123456 here', ['123456'])).toBe('token *** here');
    expect(redact('token 12345 here', ['12345'])).toBe('token 12345 here');
  });

  it('a form shorter than the minimum is left alone while the secret itself is redacted', () => {
    // JSON-escaping adds characters; percent-encoding of plain letters changes nothing
    expect(redact('abcdef and "abcdef"', ['abcdef'])).toBe('*** and "***"');
  });

  it('text without a secret is returned as it is, and no secrets redact nothing', () => {
    expect(redact('nothing to hide', ['abcdefgh'])).toBe('nothing to hide');
    expect(redact('nothing to hide', [])).toBe('nothing to hide');
  });
});

describe('redact: secrets that overlap', () => {
  it('a secret inside a longer one leaves no tail of the longer one, whichever comes first', () => {
    for (const secrets of [
      ['abcdefgh', 'abcdefghijkl'],
      ['abcdefghijkl', 'abcdefgh'],
    ]) {
      expect(redact('x abcdefghijkl y', secrets)).toBe('x *** y');
      expect(redact('x abcdefgh y', secrets)).toBe('x *** y');
    }
  });

  it('a secret whose percent-encoded form contains another secret is redacted whole', () => {
    const long = 'key/with/slashes';
    const inner = '2Fwith%2F';
    expect(redact(`u=${encodeURIComponent(long)}`, [inner, long])).toBe('u=***');
  });

  it('the same secret given twice is fine', () => {
    expect(redact('abcdefgh', ['abcdefgh', 'abcdefgh'])).toBe('***');
  });
});

// The forms themselves, not through redact's cache of patterns: a pattern made once is reused,
// so only a direct look proves each form is what the server would echo.
describe('redact: the forms of a secret', () => {
  it.each([
    ['as it is', 'ab cd!é+/', 'ab cd!é+/'],
    ['percent-encoded', 'ab cd!é+/', 'ab%20cd!%C3%A9%2B%2F'],
    ['form-encoded from encodeURIComponent', 'ab cd!é+/', 'ab+cd!%C3%A9%2B%2F'],
    ['form-encoded as URLSearchParams writes it', 'ab cd!é+/', 'ab+cd%21%C3%A9%2B%2F'],
    ['escaped inside a JSON string, without the quotes', 'say "hi"\\', 'say \\"hi\\"\\\\'],
    ['base64 of its UTF-8 bytes, two = of padding dropped', 'abcdéfgh', 'YWJjZMOpZmdo'],
    ['base64, padding dropped', 'abcdefghij', 'YWJjZGVmZ2hpag'],
    ['base64 with + in it', '\u00fb\u00ff\u00fe\u00ff', 'w7vDv8O+w78'],
    ['base64 with / in it', '\u00ff\u00ff', 'w7/Dvw'],
    ['URL-safe base64: - for +', '\u00fb\u00ff\u00fe\u00ff', 'w7vDv8O-w78'],
    ['URL-safe base64: _ for /', '\u00ff\u00ff', 'w7_Dvw'],
  ])('%s', (_, secret, form) => {
    expect(formsOf(secret)).toContain(form);
  });

  it('no form carries more than the secret: no quotes, no "s=", no padding', () => {
    for (const form of formsOf('say "hi" to abcdefghij')) {
      expect(form.startsWith('"')).toBe(false);
      expect(form.startsWith('s=')).toBe(false);
      expect(form.endsWith('=')).toBe(false);
    }
  });

  it('two secrets are not taken for one made of both', () => {
    expect(redact('abcdefgh', ['abcdefgh', 'ijklmnop'])).toBe('***');
    expect(redact('abcdefgh', ['abcdefghijklmnop'])).toBe('abcdefgh');
    expect(redact('abcdefghijklmnop', ['abcdefghijklmnop'])).toBe('***');
  });
});
