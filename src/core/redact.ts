/** The shortest secret worth redacting: shorter values would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 6;

const MASK = '***';

/**
 * The forms a secret takes when a server echoes it back: as it is, percent-encoded (as in a URL,
 * upper- or lowercase hex), form-encoded (spaces as `+`), and escaped inside a JSON string.
 */
function formsOf(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const forms = new Set([
    secret,
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    percent.replace(/%20/g, '+'),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ]);
  // Each form is at least as long as the secret: none is too short to redact.
  return [...forms];
}

/** `text` with every form of every secret replaced by ***. Longest first, so no part survives. */
export function redact(text: string, secrets: Iterable<string>): string {
  const forms = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(formsOf))].sort(
    (a, b) => b.length - a.length,
  );
  let out = text;
  for (const form of forms) out = out.split(form).join(MASK);
  return out;
}
