import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';

// In GitHub Actions: groups, annotations and the step summary.
const fx = useSimulator();
const { run, id } = fx;
let n = 0;
const dir = mkdtempSync(join(tmpdir(), 'export-status-gh-'));

describe('GitHub Actions', () => {
  const gh = (summary: string) => ({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });

  it('folds progress into a group, annotates failures and warnings, and writes the step summary', async () => {
    const summary = join(dir, `summary-${++n}.md`);
    writeFileSync(summary, '# earlier step\n');
    const ok = id('success');
    const bad = id('failure');
    const r = await run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '200ms', ok, bad], {
      env: gh(summary),
    });
    expect(r.code).toBe(1);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe('::group::Watching 2 export jobs');
    expect(out).toContain('::endgroup::');
    expect(out.indexOf('::endgroup::')).toBeLessThan(out.findIndex((l) => l.startsWith('✔')));
    expect(r.stdout).toContain(
      `::error title=Export ${bad}%3A failed::Connection timeout after processing 2700 items.`,
    );
    expect(r.stdout).toContain(`::warning title=Export ${ok}::finished with 10 warnings and 5 errors`);
    // each summary, and the tally, once
    expect(r.stdout.split(`✔ ${ok}`)).toHaveLength(2);
    expect(r.stdout.split(`✖ ${bad}`)).toHaveLength(2);
    expect(r.stdout.split('2 jobs: 1 succeeded, 1 failed')).toHaveLength(2);
    const table = readFileSync(summary, 'utf8');
    expect(table.startsWith('# earlier step\n### Content exports\n')).toBe(true);
    expect(table).toContain(`| ${ok} | succeeded |`);
    expect(table).toContain(`| ${bad} | failed: Connection timeout after processing 2700 items. |`);
  });

  it('leaves stdout to machines with --json: no annotations, no group, but the step summary', async () => {
    const summary = join(dir, `summary-${++n}.md`);
    const r = await run(
      ['watch', '--base-url', fx.sim.baseUrl, '--interval', '200ms', '--json', id('failure')],
      { env: gh(summary) },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('::');
    expect(JSON.parse(r.stdout).outcome).toBe('failed');
    expect(readFileSync(summary, 'utf8')).toContain('| failed: Connection timeout');
  });

  it('does nothing of the kind outside GitHub Actions', async () => {
    const r = await run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '200ms', id('failure')]);
    expect(r.stdout).not.toContain('::');
  });
});
