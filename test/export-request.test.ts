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
    const r = parseExportRequest({ portalID: 'PROD-12', language: 'en', resourceTypes: ['everything'] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        {
          path: 'portalID',
          message:
            'expected a portal ID like PROD-1000 (2–4 letters or digits, -, 4–15 digits), got "PROD-12"',
        },
        { path: 'language', message: 'required: an object like {"code": "en-US"}, got "en"' },
        {
          path: 'resourceTypes[0]',
          message: 'expected one of articles, topics, portals, all, got "everything"',
        },
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

describe('what the client leaves to the server', () => {
  const base = {
    portalID: 'PROD-1000',
    resourceTypes: ['articles'],
    dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://b/f' },
  };
  it('language.code is checked for its shape only: the body has its own list, which has changed between releases', () => {
    for (const code of ['en-GB', 'ja-JA', 'fil-PH', 'ja-JP', 'xx-XX']) {
      expect(parseExportRequest({ ...base, language: { code } }).ok).toBe(true);
    }
    for (const code of ['en', 'EN-us', 'english', 'en_US']) {
      const r = parseExportRequest({ ...base, language: { code } });
      expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['language.code']);
    }
  });

  it('an empty resourceTypes is sent: neither the API nor its SDKs forbid it', () => {
    expect(parseExportRequest({ ...base, language: { code: 'en-US' }, resourceTypes: [] }).ok).toBe(true);
  });
});
