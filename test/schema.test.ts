import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  normaliseStatus,
  parseExportStatus,
  parseExportStatusText,
} from '../src/api/schema.js';

const full = {
  status: 'Successful',
  progress: { processed: 4500, total: 4500, percentage: 100 },
  startTime: '2025-09-15T10:00:00.000Z',
  estimatedCompletion: '2025-09-15T11:30:00.000Z',
  completionTime: '2025-09-15T11:25:00.000Z',
  results: { successful: 4485, warnings: 10, errors: 5 },
};

function ok(input: unknown, strict = false) {
  const r = parseExportStatus(input, { strict });
  if (!r.ok) throw new Error(`expected a valid document, got ${JSON.stringify(r.issues)}`);
  return r;
}

function issues(input: unknown, strict = false) {
  const r = parseExportStatus(input, { strict });
  if (r.ok) throw new Error('expected an invalid document');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('status normalisation', () => {
  it.each([
    ['Pending', 'Pending', 'pending'],
    ['PENDING', 'Pending', 'pending'],
    ['In Progress', 'In Progress', 'running'],
    ['in_progress', 'In Progress', 'running'],
    ['IN-PROGRESS', 'In Progress', 'running'],
    ['inprogress', 'In Progress', 'running'],
    ['Successful', 'Successful', 'succeeded'],
    ['Completed', 'Successful', 'succeeded'],
    ['completed', 'Successful', 'succeeded'],
    ['Failed', 'Failed', 'failed'],
    ['cancelled', 'Cancelled', 'cancelled'],
    ['Canceled', 'Cancelled', 'cancelled'],
    ['ABORTED', 'Cancelled', 'cancelled'],
    ['Archiving', 'Archiving', 'unknown'],
    ['', '', 'unknown'],
  ])('%j → %s (%s)', (raw, name, phase) => {
    expect(normaliseStatus(raw)).toEqual({ name, phase });
    expect(ok({ status: raw }).value.status).toBe(name);
  });
});

describe('parseExportStatus', () => {
  it('accepts the full document and keeps dates as ISO-8601 UTC', () => {
    const r = ok(full, true);
    expect(r.value).toEqual(full);
    expect(r.warnings).toEqual([]);
  });

  it('normalises dates with offsets to UTC', () => {
    expect(ok({ status: 'Pending', startTime: '2025-09-15T12:00:00+02:00' }).value.startTime).toBe(
      '2025-09-15T10:00:00.000Z',
    );
  });

  it('accepts the snake_case spellings of the Python SDK', () => {
    const r = ok({
      status: 'Failed',
      start_time: '2025-09-15T10:00:00Z',
      estimated_completion: '2025-09-15T11:30:00Z',
      completion_time: '2025-09-15T11:25:00Z',
      failure_time: '2025-09-15T10:45:00Z',
    });
    expect(r.value).toEqual({
      status: 'Failed',
      startTime: '2025-09-15T10:00:00.000Z',
      estimatedCompletion: '2025-09-15T11:30:00.000Z',
      completionTime: '2025-09-15T11:25:00.000Z',
      failureTime: '2025-09-15T10:45:00.000Z',
    });
  });

  it('prefers the camelCase key when both spellings are present', () => {
    expect(
      ok({ status: 'Pending', startTime: '2025-01-01T00:00:00Z', start_time: '2024-01-01T00:00:00Z' }).value
        .startTime,
    ).toBe('2025-01-01T00:00:00.000Z');
  });

  // Lenient: the value is dropped with a warning. Strict is the published schema: it rejects
  // what breaks a declared type, and takes what the schema allows (a negative count, 140 %).
  it.each([
    [
      { progress: { processed: 'abc' } },
      'progress.processed',
      'expected a non-negative integer, got "abc"',
      'expected an integer, got "abc"',
    ],
    [{ progress: { total: -1 } }, 'progress.total', 'expected a non-negative integer, got -1', null],
    [
      { progress: { processed: 1.5 } },
      'progress.processed',
      'expected a non-negative integer, got 1.5',
      'expected an integer, got 1.5',
    ],
    [
      { progress: { percentage: 140 } },
      'progress.percentage',
      'expected a number from 0 to 100, got 140',
      null,
    ],
    [{ progress: 'half' }, 'progress', 'expected an object, got "half"', 'expected an object, got "half"'],
    [
      { startTime: 'yesterday' },
      'startTime',
      'expected an ISO-8601 date-time with a time zone, got "yesterday"',
      'expected an ISO-8601 date-time with a time zone, got "yesterday"',
    ],
    [
      { completionTime: '2025-09-15T10:00:00' },
      'completionTime',
      'expected an ISO-8601 date-time with a time zone',
      'expected an ISO-8601 date-time with a time zone',
    ],
    [
      { failureTime: '2025-02-30T10:00:00Z' },
      'failureTime',
      'expected an ISO-8601 date-time with a time zone',
      'expected an ISO-8601 date-time with a time zone',
    ],
    [
      { results: { errors: '5' } },
      'results.errors',
      'expected a non-negative integer, got "5"',
      'expected an integer, got "5"',
    ],
    [{ error: 42 }, 'error', 'expected a string, got 42', 'expected a string, got 42'],
  ])(
    'drops a bad optional field %j with a warning; --strict holds it to the schema',
    (bad, path, message, strict) => {
      const input = { status: 'In Progress', progress: { processed: 10, total: 20 }, ...bad };
      const lenient = ok(input);
      expect(lenient.warnings.map((w) => w.path)).toEqual([path]);
      expect(lenient.warnings[0]?.message).toContain(message);
      expect(JSON.stringify(lenient.value)).not.toContain(JSON.stringify(Object.values(bad)[0]));
      if (strict === null) expect(ok(input, true).value).toMatchObject(bad);
      else expect(issues(input, true).join('\n')).toContain(`${path}: ${strict}`);
    },
  );

  it('--strict is exactly the published schema: its four status values as written, camelCase keys, any integer', () => {
    expect(ok({ status: 'In Progress', progress: { processed: -1 } }, true).value.progress).toEqual({
      processed: -1,
    });
    expect(ok({ status: 'Pending', results: { successful: 2 ** 60 } }, true).value.results?.successful).toBe(
      2 ** 60,
    );
    for (const status of ['Completed', 'successful', 'Cancelled', 'aborted']) {
      expect(issues({ status }, true)).toEqual([
        `status: expected Pending, In Progress, Successful, Failed, got ${JSON.stringify(status)}`,
      ]);
    }
    expect(issues({ status: 'Pending', start_time: '2025-01-01T00:00:00Z' }, true)).toEqual([
      '(document): unexpected field "start_time"',
    ]);
  });

  it('keeps the good siblings of a dropped field', () => {
    const r = ok({ status: 'In Progress', progress: { processed: 'x', total: 20, percentage: 5 } });
    expect(r.value.progress).toEqual({ total: 20, percentage: 5 });
  });

  it('ignores unknown fields but keeps them in raw; --strict rejects them', () => {
    const input = { status: 'Pending', jobName: 'nightly', progress: { processed: 1, eta: 3 } };
    const r = ok(input);
    expect(r.value).toEqual({ status: 'Pending', progress: { processed: 1 } });
    expect(r.raw).toEqual(input);
    const strict = issues(input, true);
    expect(strict).toContain('(document): unexpected field "jobName"');
    expect(strict).toContain('progress: unexpected field "eta"');
  });

  it('warns about an unknown status only in --strict (elsewhere it is kept)', () => {
    expect(ok({ status: 'Archiving' }).value.status).toBe('Archiving');
    expect(issues({ status: 'Archiving' }, true)).toEqual([
      'status: expected Pending, In Progress, Successful, Failed, got "Archiving"',
    ]);
  });

  it.each([
    [{}, 'status: required, missing'],
    [{ status: 3 }, 'status: expected a string, got 3'],
    [{ status: null }, 'status: expected a string, got null'],
    [{ status: ['Pending'] }, 'status: expected a string, got an array'],
  ])('a missing or non-string status is invalid: %j', (input, message) => {
    expect(issues(input)).toEqual([message]);
  });

  it('names every offending field when the status is missing', () => {
    expect(issues({ progress: { total: 'abc' } })).toEqual([
      'status: required, missing',
      'progress.total: expected a non-negative integer, got "abc"',
    ]);
  });

  it.each([[null], [[]], ['Pending'], [42]])('a body that is not an object is invalid: %j', (input) => {
    expect(issues(input)[0]).toMatch(/^\(document\): expected a JSON object, got /);
  });
});

describe('parseExportStatusText', () => {
  it('rejects text that is not JSON, quoting a snippet', () => {
    const r = parseExportStatusText('<html><body>Sign in</body></html>');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/^not JSON .*"<html><body>Sign in/);
  });

  it('refuses bodies over 1 MiB, and accepts one just under', () => {
    const pad = (n: number) => JSON.stringify({ status: 'Pending', pad: 'x'.repeat(n) });
    const overhead = pad(0).length;
    expect(parseExportStatusText(pad(MAX_BODY_BYTES - overhead)).ok).toBe(true);
    const r = parseExportStatusText(pad(MAX_BODY_BYTES - overhead + 1));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/larger than 1 MiB/);
  });

  it('survives deeply nested JSON', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseExportStatusText(`{"status":"Pending","x":${deep}}`).ok).toBe(true);
    expect(parseExportStatusText(`{"status":"Pending","progress":${deep}}`).ok).toBe(true);
  });
});

describe('warnings for snake_case fields', () => {
  it('quote the value that was dropped', () => {
    const r = parseExportStatus({ status: 'Pending', start_time: 'noon' });
    expect(r.ok && r.warnings).toEqual([
      { path: 'startTime', message: 'expected an ISO-8601 date-time with a time zone, got "noon"' },
    ]);
  });
});

describe('date-times as the real service sends them', () => {
  it.each([
    ['2025-09-15T10:00:00.000+0000', '2025-09-15T10:00:00.000Z'],
    ['2025-09-15T12:00:00+0200', '2025-09-15T10:00:00.000Z'],
    ['2025-09-15T10:00Z', '2025-09-15T10:00:00.000Z'],
    ['2025-09-15T05:30-0430', '2025-09-15T10:00:00.000Z'],
  ])('%s is accepted, lenient and strict, and normalised to %s', (input, output) => {
    for (const strict of [false, true]) {
      const r = parseExportStatus({ status: 'Successful', completionTime: input }, { strict });
      expect(r.ok && r.value.completionTime).toBe(output);
    }
  });

  it.each(['2025-09-15T10:00:00', '2025-02-30T10:00:00Z', '2025-09-15T10Z', '15/09/2025'])(
    '%s is still not a date-time (strict: invalid; lenient: dropped)',
    (input) => {
      expect(parseExportStatus({ status: 'Pending', startTime: input }, { strict: true }).ok).toBe(false);
      const lenient = parseExportStatus({ status: 'Pending', startTime: input });
      expect(lenient.ok && lenient.value.startTime).toBe(undefined);
    },
  );
});

describe('status names that are also property names', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    '%s is an unknown status, not Object',
    (name) => {
      expect(normaliseStatus(name)).toEqual({ name, phase: 'unknown' });
      expect(parseExportStatus({ status: name }, { strict: true }).ok).toBe(false);
      const lenient = parseExportStatus({ status: name });
      expect(lenient.ok && lenient.value.status).toBe(name);
    },
  );
});
