import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import * as implementation from '../src/library/index.js';
import type { resultDocumentSchema } from '../src/render/document-schemas.js';
import type * as Declared from '../types/index.js';

// The shipped declarations (types/index.d.ts) are written by hand so they stand alone; the type
// checker holds them to the implementation here: each line fails to compile if the two drift.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(_proof: Same<A, B>) => true;

describe('the shipped declarations', () => {
  it('match the implementation', () => {
    expect(same<Declared.ExportStatus, implementation.ExportStatus>(true)).toBe(true);
    expect(same<Declared.WatchOptions, implementation.WatchOptions>(true)).toBe(true);
    expect(same<Declared.ConnectionOptions, implementation.ConnectionOptions>(true)).toBe(true);
    const watch: typeof Declared.watchExport = implementation.watchExport;
    const get: typeof Declared.getExportStatus = implementation.getExportStatus;
    const parse: typeof Declared.parseExportStatus = implementation.parseExportStatus;
    const start: typeof Declared.startExport = implementation.startExport;
    expect(same<Declared.WatchResult, implementation.WatchResult>(true)).toBe(true);
    expect(same<Declared.WatchEvent, implementation.WatchEvent>(true)).toBe(true);
    // …and the JSON Schema's source says the same of the --json document
    expect(same<z.output<typeof resultDocumentSchema>, implementation.WatchResult>(true)).toBe(true);
    expect([watch, get, parse, start]).toHaveLength(4);
    expect(new implementation.ExportStatusError('x', 4, 404, '404-101')).toMatchObject({
      exitCode: 4,
      httpStatus: 404,
      code: '404-101',
    } satisfies Partial<Declared.ExportStatusError>);
  });
});
