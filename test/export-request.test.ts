import { describe, expect, it } from 'vitest';
import { parseExportRequest } from '../src/api/export-request.js';

describe('the export request', () => {
  it('accepts a documented body and keeps fields it does not know', () => {
    const body = {
      portalID: 'PROD-1000',
      language: { code: 'en-US' },
      resourceTypes: ['articles', 'topics'],
      dataDestination: { destinationType: 'SFTP server', path: '/exports', sftpDetails: { password: 'p' } },
      articleCategories: 'all',
      x: 1,
    };
    expect(parseExportRequest(body)).toEqual({ ok: true, value: body });
  });

  it('names every offending field', () => {
    const r = parseExportRequest({ portalID: 'PROD-12', language: 'en', resourceTypes: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        {
          path: 'portalID',
          message:
            'expected a portal ID like PROD-1000 (2–4 letters or digits, -, 4–15 digits), got "PROD-12"',
        },
        { path: 'language', message: 'required: an object like {"code": "en-US"}, got "en"' },
        { path: 'resourceTypes', message: 'expected at least one resource type, got an array' },
        {
          path: 'dataDestination',
          message: 'required: an object with destinationType and path, got nothing',
        },
      ]);
    }
    expect(parseExportRequest([1])).toEqual({
      ok: false,
      issues: [{ path: '(body)', message: 'expected a JSON object' }],
    });
  });
});
