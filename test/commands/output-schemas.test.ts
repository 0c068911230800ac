import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  documentJsonSchemas,
  eventDocumentSchema,
  exportStatusDocument,
  resultDocumentSchema,
} from '../../src/render/document-schemas.js';
import { runCli } from '../support/cli.js';
import { scriptedServer, sendJson } from '../support/servers.js';
import { useSimulator } from '../support/simulator.js';

// The JSON Schemas shipped in schemas/ describe what the CLI really prints.
const fx = useSimulator({ durationMs: 1500 });
const { run, id } = fx;

function expectValid(schema: z.ZodMiniType, line: string): void {
  const parsed = schema.safeParse(JSON.parse(line));
  expect(parsed.success ? 'valid' : JSON.stringify(parsed.error.issues)).toBe('valid');
}
const lines = (text: string) => text.trim().split('\n');

describe('the shipped JSON Schemas', () => {
  it('are the ones the zod schemas generate (npm run schemas writes them)', () => {
    for (const [name, schema] of Object.entries(documentJsonSchemas())) {
      const shipped = JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
      expect(shipped, `schemas/${name} is out of date: run npm run schemas`).toEqual(schema);
    }
  });

  it('--json output of every outcome validates against result.schema.json', async () => {
    const watch = (...args: string[]) =>
      run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '200ms', '--json', ...args]);
    const outputs = [
      await watch(id('success'), id('failure'), id('not-found')),
      await watch(id('garbage')),
      await watch(id('stuck'), '--timeout', '1s'),
      await run(['get', '--base-url', fx.sim.baseUrl, '--json', id('stuck')]),
    ];
    const docs = outputs.flatMap((r) => lines(r.stdout));
    expect(docs.map((d) => JSON.parse(d).outcome).sort()).toEqual(
      ['error', 'failed', 'invalid', 'running', 'succeeded', 'timeout'].sort(),
    );
    for (const doc of docs) expectValid(resultDocumentSchema, doc);
  });

  it('ndjson events, a document with unknown fields kept under raw, and parse --json validate too', async () => {
    const flaky = await run([
      'watch',
      '--base-url',
      fx.sim.baseUrl,
      '--interval',
      '200ms',
      '-o',
      'ndjson',
      id('flaky'),
    ]);
    const events = lines(flaky.stdout);
    expect(new Set(events.map((e) => JSON.parse(e).type))).toEqual(new Set(['poll', 'retry', 'result']));
    for (const event of events) expectValid(eventDocumentSchema, event);
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 200, { status: 'Successful', region: 'eu' }),
    );
    try {
      const extra = await runCli(['get', '--base-url', server.url, 'J1', '--json']);
      expect(JSON.parse(extra.stdout).raw).toEqual({ region: 'eu' });
      expectValid(resultDocumentSchema, extra.stdout);
    } finally {
      await server.close();
    }
    const parsed = await runCli(['parse', '--json', '-'], {
      stdin: '{"status":"in progress","start_time":"2025-09-15T10:00+0000"}',
    });
    expectValid(exportStatusDocument, parsed.stdout);
  });

  it('an unknown field nested 20,000 levels deep: a --json line valid against its schema, its depth bounded', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const body = `{"status":"Successful","deep":${deep},"progress":{"percentage":100,"phase":"upload"}}`;
    expect(body.length).toBeGreaterThan(100_000);
    const server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    try {
      const r = await runCli(['get', '--base-url', server.url, 'J1', '--json']);
      expect(r.code).toBe(0);
      expectValid(resultDocumentSchema, r.stdout);
      const { raw } = JSON.parse(r.stdout);
      // kept to 64 levels, then a note; and the unknown field inside progress is kept under raw too
      expect(JSON.stringify(raw.deep)).toContain('nested deeper than 64 levels');
      expect(raw.progress).toEqual({ phase: 'upload' });
    } finally {
      await server.close();
    }
  });
});
