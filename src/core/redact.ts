/** The shortest secret worth redacting: shorter values would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 6;

const MASK = '***';

/**
 * The forms a secret takes when a server echoes it back: as it is, percent-encoded (as in a URL,
 * upper- or lowercase hex), form-encoded (spaces as `+`), escaped inside a JSON string, and in
 * base64 (standard and URL-safe, padded or not: a `Basic` header, a token echoed as bytes).
 * Matched in any case: a server may echo a secret upper-cased.
 */
export function formsOf(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  // base64url is written without padding; the standard alphabet differs in two characters.
  const urlSafe = Buffer.from(secret).toString('base64url');
  return [
    secret,
    percent,
    percent.replace(/%20/g, '+'),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    urlSafe.replace(/-/g, '+').replace(/_/g, '/'),
    urlSafe,
  ];
}

const patterns = new Map<string, RegExp | null>();

/** One pattern for every form of every secret, longest first, so no part of a longer one survives. */
function patternOf(secrets: readonly string[]): RegExp | null {
  // The key is all a call makes when the pattern is known (a watch redacts every answer). It only
  // names a cached pattern, built from the usable secrets whatever the key says:
  // Stryker disable next-line StringLiteral: the key's start changes no result.
  let key = '';
  // Stryker disable next-line ConditionalExpression: a key with short secrets too changes no result.
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) key += `${s}\u0000`;
  let pattern = patterns.get(key);
  // Stryker disable next-line ConditionalExpression: the cache saves work, never changes a result.
  if (pattern === undefined) {
    const usable = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH);
    const forms = [...new Set(usable.flatMap(formsOf))].sort((a, b) => b.length - a.length);
    pattern = forms.length ? new RegExp(forms.map(literal).join('|'), 'giu') : null;
    // A run has a handful of secret sets; a process of the library, perhaps more: kept bounded.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound changes no result.
    if (patterns.size >= 64) patterns.clear();
    patterns.set(key, pattern);
  }
  return pattern;
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every form of every secret replaced by ***, in any case. */
export function redact(text: string, secrets: readonly string[]): string {
  const pattern = patternOf(secrets);
  return pattern ? text.replace(pattern, MASK) : text;
}
