import { sanitize } from '../core/sanitize.js';

/** An ID as printed in logs, summaries and JSON: whole, and only ever sanitised. */
export function printableId(raw: string): string {
  return sanitize(raw, 200);
}

/** Live lines show at least this much of an ID. */
const MIN_LABEL = 8;
/** …and the whole ID when it is at most this long. */
const WHOLE_UP_TO = 14;

/**
 * The labels of the live display, one per watched ID: the whole ID when it is short, else the
 * shortest prefix (at least 8 characters) that no other watched ID shares, cut with "…". Two
 * UUIDs that share their first 8 digits, or `…-eu` and `…-us`, are told apart.
 */
export function labelsFor(ids: readonly string[]): Map<string, string> {
  const shown = ids.map((id) => printableId(id));
  const labels = new Map<string, string>();
  shown.forEach((id, i) => {
    const raw = ids[i] ?? id;
    if (id.length <= WHOLE_UP_TO) {
      labels.set(raw, id);
      return;
    }
    let length = MIN_LABEL;
    for (const other of shown) {
      if (other === id) continue;
      let common = 0;
      while (common < id.length && id[common] === other[common]) common++;
      length = Math.max(length, common + 1);
    }
    // A cut that would save a character or two shows the whole ID instead.
    labels.set(raw, length + 1 >= id.length ? id : `${id.slice(0, length)}…`);
  });
  return labels;
}
