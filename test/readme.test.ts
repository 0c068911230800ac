import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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

// The README's workflows run as written: a CI author copies them.
describe('the README’s GitHub Actions workflows', () => {
  const ACTION = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
    outputs: Record<string, unknown>;
  };
  type Step = {
    id?: string;
    uses?: string;
    run?: string;
    env?: Record<string, string>;
    with?: Record<string, string>;
  };
  /** Each yaml block's steps: a list of steps, or a workflow's jobs' steps. */
  const snippets = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => {
    const doc = parse(m[1] ?? '') as Step[] | { jobs: Record<string, { steps: Step[] }> };
    return Array.isArray(doc) ? doc : Object.values(doc.jobs).flatMap((job) => job.steps);
  });

  it('there are some', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(3);
  });

  it.each(snippets.map((steps, i) => [i + 1, steps] as const))(
    'workflow %i: no expression inside run (script injection)',
    (_, steps) => {
      for (const step of steps) expect(step.run ?? '').not.toContain('${{');
    },
  );

  it.each(snippets.map((steps, i) => [i + 1, steps] as const))(
    'workflow %i: installs the CLI in a way that works before it runs it, never from the registry',
    (_, steps) => {
      const text = JSON.stringify(steps);
      // not on the npm registry: npx would fail, or run another package with the secrets in its environment
      expect(text).not.toMatch(/npx (-y )?export-status/);
      const runs = steps.findIndex((s) => /(^|\s)export-status /.test(s.run ?? ''));
      if (runs === -1) return;
      const installs = steps.findIndex((s) =>
        /npm install -g "?(git\+https:|\.\/export-status-)/.test(s.run ?? ''),
      );
      expect(installs).toBeGreaterThanOrEqual(0);
      expect(installs).toBeLessThan(runs);
    },
  );

  it.each(snippets.map((steps, i) => [i + 1, steps] as const))(
    'workflow %i: the action is pinned to a release, not a branch',
    (_, steps) => {
      for (const step of steps.filter((s) => s.uses?.includes('/export-status@'))) {
        expect(step.uses).not.toMatch(/@(main|master)$/);
      }
    },
  );

  it.each(snippets.map((steps, i) => [i + 1, steps] as const))(
    'workflow %i: names only steps and outputs that exist',
    (_, steps) => {
      const text = JSON.stringify(steps);
      for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const step = steps.find((s) => s.id === id);
        expect(step, `step ${id}`).toBeDefined();
        if (step?.uses?.includes('/export-status@')) expect(Object.keys(ACTION.outputs)).toContain(output);
        else expect(step?.run ?? '', `${id} sets ${output}`).toContain(`${output}=`);
      }
    },
  );
});

describe('CONTRACT', () => {
  it('lists every flag of every command that --help lists, and no other', () => {
    const contract = readFileSync(new URL('../docs/CONTRACT.md', import.meta.url), 'utf8');
    const start = contract.indexOf('## Flags');
    const section = contract.slice(start, contract.indexOf('\n## ', start + 1));
    const listed = new Set(
      section
        .split('\n')
        .filter((line) => line.startsWith('| `-'))
        .flatMap((line) => [...(line.split(' | ')[0] ?? '').matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0])),
    );
    const program = buildProgram('0', { out: () => {}, err: () => {} }, () => {});
    const help = new Set(
      program.commands.flatMap((c) => c.options.map((o) => o.long).filter((f): f is string => Boolean(f))),
    );
    expect([...listed].sort()).toEqual([...help].sort());
  });
});
