import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.js';

// The README's reference of `watch` lists exactly the flags --help lists.
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function readmeFlags(heading: string): Set<string> {
  const start = README.indexOf(heading);
  const end = README.indexOf('\n### ', start + heading.length);
  const section = README.slice(start, end);
  const firstColumns = section
    .split('\n')
    .filter((line) => line.startsWith('| `-'))
    .map((line) => line.split(' | ')[0] ?? '');
  return new Set(firstColumns.flatMap((cell) => [...cell.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0])));
}

describe('the README', () => {
  it('lists every flag of watch that --help lists, and no other', () => {
    const program = buildProgram('0', { out: () => {}, err: () => {} }, () => {});
    const watch = program.commands.find((c) => c.name() === 'watch');
    const helpFlags = new Set(watch?.options.map((o) => o.long).filter((f): f is string => Boolean(f)));
    expect([...readmeFlags('### `export-status watch <job...>`')].sort()).toEqual([...helpFlags].sort());
  });
});

describe('the README’s example export bodies', () => {
  it('are valid requests, as start checks them', async () => {
    const { parseExportRequest } = await import('../src/api/export-request.js');
    const bodies = [...README.matchAll(/```json\n(\{\n {2}"portalID"[\s\S]*?)```/g)].map((m) =>
      JSON.parse(m[1] ?? ''),
    );
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(parseExportRequest(body).ok).toBe(true);
  });
});
