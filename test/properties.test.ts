import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExportStatus, parseExportStatusText } from '../src/api/schema.js';
import { formatDuration, parseDuration } from '../src/core/duration.js';
import { sanitize } from '../src/core/sanitize.js';

const RUNS = { numRuns: 500 };

describe('properties', () => {
  it('the parser returns a result or a list of issues for any JSON value, and never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, strict) => {
        const r = parseExportStatus(value, { strict });
        if (r.ok) expect(typeof r.value.status).toBe('string');
        else expect(r.issues.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('the parser never throws on documents shaped like ExportStatus with arbitrary field values', () => {
    const anything = fc.oneof(fc.jsonValue(), fc.string(), fc.integer(), fc.double());
    const doc = fc.record(
      {
        status: anything,
        progress: fc.oneof(
          fc.record({ processed: anything, total: anything, percentage: anything }, { requiredKeys: [] }),
          anything,
        ),
        startTime: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          anything,
        ),
        start_time: anything,
        completionTime: anything,
        results: fc.oneof(
          fc.record({ successful: anything, warnings: anything, errors: anything }, { requiredKeys: [] }),
          anything,
        ),
        error: anything,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(doc, fc.boolean(), (value, strict) => {
        const r = parseExportStatus(value, { strict });
        if (typeof value.status === 'string' && !strict) expect(r.ok).toBe(true);
        if (r.ok) {
          // whatever was kept satisfies the strict schema's field rules
          const again = parseExportStatus(r.value, { strict: false });
          expect(again.ok && again.warnings).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('the text parser never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const r = parseExportStatusText(text);
        expect(typeof r.ok).toBe('boolean');
      }),
      RUNS,
    );
  });

  it('the duration parser accepts or rejects any string cleanly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const r = parseDuration(text);
        if (r.ok) {
          expect(Number.isInteger(r.ms)).toBe(true);
          expect(r.ms).toBeGreaterThanOrEqual(0);
        } else {
          expect(r.message.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('durations round-trip through their parts', () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(59), (h, m, s) => {
        expect(parseDuration(`${h}h${m}m${s}s`)).toEqual({ ok: true, ms: ((h * 60 + m) * 60 + s) * 1000 });
        expect(formatDuration(((h * 60 + m) * 60 + s) * 1000)).toMatch(
          /^\d+(ms|s|m \d\ds|h \d\dm|d \d+h)$|^\d+s$/,
        );
      }),
      RUNS,
    );
  });

  it('sanitised text never holds a control character or an escape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: checking none are left.
        expect(sanitize(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }),
      RUNS,
    );
  });
});
