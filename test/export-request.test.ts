import { describe, expect, it } from 'vitest';
import { parseExportRequest } from '../src/api/export-request.js';

describe('the export request', () => {
  it('accepts a documented body and keeps fields it does not know', () => {
    const body = {
      portalID: 'P1',
      language: { code: 'en-US' },
      resourceTypes: ['articles'],
      dataDestination: { type: 's3' },
      x: 1,
    };
    expect(parseExportRequest(body)).toEqual({ ok: true, value: body });
  });

  it('names every offending field', () => {
    const r = parseExportRequest({ portalID: '', language: 'en', resourceTypes: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        { path: 'portalID', message: 'expected a non-empty string, got ""' },
        { path: 'language', message: 'expected an object like {"code": "en-US"}, got "en"' },
        { path: 'resourceTypes', message: 'expected at least one resource type, got an array' },
      ]);
    }
    expect(parseExportRequest([1])).toEqual({
      ok: false,
      issues: [{ path: '(body)', message: 'expected a JSON object' }],
    });
  });
});
