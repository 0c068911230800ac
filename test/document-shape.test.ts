import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { type ExportStatus, knownStatusKeys, SNAKE_ALIASES, statusSchema } from '../src/api/schema.js';
import { exportStatusDocument } from '../src/render/document-schemas.js';
import { resultDocument } from '../src/render/json.js';
import type * as Declared from '../types/index.js';
import { jobResult } from './support/results.js';

// The status document is declared once, by the input schema (api/schema.ts). What follows it —
// the known keys (what is not one lands in `raw`), the output schema of --json (the source of
// schemas/*.json) and the shipped types — is held to it here: a new field that is not followed
// everywhere fails this file.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(_proof: Same<A, B>) => true;

/** The keys of an object schema, nested objects as `parent.child`, optional wrappers seen through. */
function keysOf(schema: unknown, prefix = ''): string[] {
  const s = schema as {
    _zod: { def: { type: string; shape?: Record<string, unknown>; innerType?: unknown } };
  };
  const def = s._zod.def;
  if (def.type === 'optional' || def.type === 'nullable') return keysOf(def.innerType, prefix);
  if (def.type !== 'object' || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([key, value]) => [
    `${prefix}${key}`,
    ...keysOf(value, `${prefix}${key}.`),
  ]);
}

describe('the status document, declared once', () => {
  it('the output schema of --json has exactly the keys of the input schema, nested ones too', () => {
    expect(keysOf(exportStatusDocument).sort()).toEqual(keysOf(statusSchema(false)).sort());
    expect(keysOf(statusSchema(true)).sort()).toEqual(keysOf(statusSchema(false)).sort());
  });

  it('the known keys are the schema’s and their snake_case spellings: nothing else lands in raw', () => {
    const top = keysOf(statusSchema(false)).filter((k) => !k.includes('.'));
    expect([...knownStatusKeys()].sort()).toEqual([...top, ...Object.keys(SNAKE_ALIASES)].sort());
    for (const camel of Object.values(SNAKE_ALIASES)) expect(top).toContain(camel);
    const raw = Object.fromEntries([...top, ...Object.keys(SNAKE_ALIASES), 'region'].map((k) => [k, 1]));
    expect(resultDocument(jobResult({ raw })).raw).toEqual({ region: 1 });
  });

  it('the shipped type and the output schema say what the input schema says', () => {
    expect(same<Declared.ExportStatus, ExportStatus>(true)).toBe(true);
    expect(same<z.output<typeof exportStatusDocument>, ExportStatus>(true)).toBe(true);
  });
});

describe('the output schema describes every document the parsers give', () => {
  it('a strict document the published schema allows (a negative count, 2^60, 140 %) is a valid output document', async () => {
    const { parseExportStatus } = await import('../src/api/schema.js');
    const parsed = parseExportStatus(
      { status: 'In Progress', progress: { processed: -1, total: 2 ** 60, percentage: 140 } },
      { strict: true },
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(exportStatusDocument.safeParse(parsed.value).success).toBe(true);
  });
});
