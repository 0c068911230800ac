import { sanitize } from '../core/sanitize.js';

/**
 * A short, printable form of an ID for one-line displays: the first block of a UUID, else the
 * first 13 characters. IDs come from users and servers, so it is sanitised here, once for all callers.
 */
export function shortId(raw: string): string {
  const id = sanitize(raw, 100);
  const uuid = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(id);
  if (uuid?.[1]) return uuid[1];
  return id.length > 14 ? `${id.slice(0, 13)}…` : id;
}
