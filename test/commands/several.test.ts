import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';

// Several jobs, and waiting for something other than the end.
const fx = useSimulator({ durationMs: 3000 });
const watch = (...args: string[]) =>
  fx.run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '100ms', ...args]);

describe('several jobs', () => {
  it('--fail-fast: a failing and a running job exit 1 within one interval of the failure; the other is not watched to the end', async () => {
    const failing = fx.id('failure');
    const stuck = fx.id('stuck');
    const r = await watch('--fail-fast', '--json', failing, stuck);
    expect(r.code).toBe(1);
    const docs = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const [first, other] = docs;
    expect(first).toMatchObject({ job: failing, outcome: 'failed', exitCode: 1 });
    // an outcome of its own: not Ctrl-C's `interrupted`
    expect(other).toMatchObject({ job: stuck, outcome: 'abandoned', exitCode: 1 });
    expect(other.error).toBe(`${failing} ended first, with exit code 1 (--fail-fast)`);
    expect(other.status.status).toBe('In Progress');
    // within one interval of the failure
    expect(other.elapsedMs - first.elapsedMs).toBeLessThanOrEqual(100);
  });

  it('--fail-fast in text: the jobs left share one line and one command; the failing summary ends stdout', async () => {
    const a = fx.id('stuck');
    const failing = fx.id('failure');
    const b = fx.id('stuck');
    const r = await watch('--fail-fast', a, failing, b);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    // the cause last, next to the prompt: its header and its rows, after the tally
    const header = lines.findIndex((line) => line.startsWith(`✖ ${failing}  Failed`));
    expect(header).toBeGreaterThan(0);
    expect(lines.slice(header + 1).every((line) => line.startsWith('  '))).toBe(true);
    expect(lines[header - 1]).toBe('3 jobs: 1 failed, 2 not watched to the end');
    expect(lines).toContain(`⚠ 2 jobs not watched to the end (--fail-fast): ${a}, ${b}`);
    expect(r.stdout).toContain(`check them with: export-status get ${a} ${b} --base-url`);
    // one line for the others, not a block each
    expect(r.stdout.split('Not watched to the end')).toHaveLength(1);
    expect(lines.length).toBeLessThan(14);
  });

  it('summaries come in the order the jobs were given, whatever order they ended in, then one tally line', async () => {
    const slow = fx.id('success');
    const quick = fx.id('failure');
    const third = fx.id('success');
    const r = await watch(slow, quick, third);
    expect(r.code).toBe(1);
    const headers = r.stdout.split('\n').filter((line) => /^[✔✖]/.test(line));
    expect(headers.map((h) => h.split(/\s+/)[1])).toEqual([slow, quick, third]);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('3 jobs: 2 succeeded, 1 failed');
  });

  it('jobs whose IDs share a long prefix are told apart in CI lines, summaries and JSON', async () => {
    const eu = `failure-nightly-2026-12-01-eu-${fx.id('x')}`;
    const us = `failure-nightly-2026-12-01-us-${fx.id('x')}`;
    const r = await watch(eu, us);
    expect(r.stderr).toContain(`Z ${eu} Pending`);
    expect(r.stderr).toContain(`Z ${us} Pending`);
    expect(r.stdout).toContain(`✖ ${eu}  Failed`);
    expect(r.stdout).toContain(`✖ ${us}  Failed`);
    const json = await watch('--json', eu, us);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).job)
        .sort(),
    ).toEqual([eu, us].sort());
  });
});

describe('waiting for something other than the end', () => {
  it('--until running exits 0 once the job has left Pending, the job still going', async () => {
    const r = await watch('--until', 'running', '--json', fx.id('stuck'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      outcome: 'running',
      exitCode: 0,
      status: { status: 'In Progress' },
    });
  });

  it('--until 50% exits 0 at half-way; a job that fails first exits as it ends', async () => {
    const half = await watch('--until', '50%', '--json', fx.id('success'));
    expect(half.code).toBe(0);
    expect(JSON.parse(half.stdout).status.progress.percentage).toBeGreaterThanOrEqual(50);
    const said = await watch('--until', '50%', fx.id('success'));
    expect(said.stdout).toMatch(/^ℹ \S+ {2}In Progress, reached --until 50%\n/);
    const failed = await watch('--until', '90%', fx.id('failure'));
    expect(failed.code).toBe(1);
    const bad = await watch('--until', 'soon', fx.id('success'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--until: expected done, running or a percentage like 50%, got "soon"');
  });

  it('watch - reads job IDs from stdin, one per line', async () => {
    const a = fx.id('success');
    const b = fx.id('success');
    const r = await fx.run(['watch', '--base-url', fx.sim.baseUrl, '--interval', '100ms', '--json', '-'], {
      stdin: `${a}\n\n${b}\n`,
    });
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).job)
        .sort(),
    ).toEqual([a, b].sort());
    const tty = await fx.run(['watch', '--base-url', fx.sim.baseUrl, '-'], { stdinIsTTY: true });
    expect(tty.code).toBe(2);
    expect(tty.stderr).toContain('stdin is a terminal');
  });

  it('--ndjson carries the events: polls with changed and eta, retries with their attempt, warnings, the result', async () => {
    const r = await watch('-o', 'ndjson', fx.id('flaky'));
    const types = new Set(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    );
    expect([...types].sort()).toEqual(['poll', 'result', 'retry']);
    const poll = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((d) => d.type === 'poll');
    expect(poll).toHaveProperty('changed');
    expect(poll).toHaveProperty('eta');
    const unknown = await watch('-o', 'ndjson', fx.id('unknown-status'));
    expect(unknown.stdout).toContain('"type":"warning"');
  });
});

describe('--result-file', () => {
  it('writes each job’s --json document, one a line in the order given, while stdout keeps the text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-status-result-'));
    const file = join(dir, 'result.ndjson');
    const a = fx.id('success');
    const b = fx.id('failure');
    const r = await watch('--result-file', file, a, b);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✔ ${a}  Successful`);
    const docs = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs.map((d) => [d.job, d.outcome])).toEqual([
      [a, 'succeeded'],
      [b, 'failed'],
    ]);
    // written whole: no temporary file is left beside it
    expect(readdirSync(dir)).toEqual(['result.ndjson']);
  });
});

describe('--result-file, wherever it points', () => {
  const fresh = () => mkdtempSync(join(tmpdir(), 'export-status-result-'));
  const oneDoc = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('a link planted at the temporary name the file was once written under leaves its target untouched', async () => {
    const dir = fresh();
    const file = join(dir, 'result.ndjson');
    const victim = join(fresh(), 'victim');
    writeFileSync(victim, 'precious\n');
    // the names an attacker who can create files here would guess (a pid), any pid of this run
    for (const pid of [process.pid, process.ppid, 1, 2]) symlinkSync(victim, `${file}.${pid}.tmp`);
    const r = await watch('--result-file', file, fx.id('success'));
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(oneDoc(readFileSync(file, 'utf8'))).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => !f.endsWith('.tmp'))).toEqual(['result.ndjson']);
  });

  it('a symlink is written through (the link stays), an existing file keeps its mode', async () => {
    const dir = fresh();
    const target = join(dir, 'target.ndjson');
    writeFileSync(target, 'old\n', { mode: 0o600 });
    chmodSync(target, 0o600);
    symlinkSync(target, join(dir, 'link.ndjson'));
    const r = await watch('--result-file', join(dir, 'link.ndjson'), fx.id('success'));
    expect(r.code).toBe(0);
    expect(lstatSync(join(dir, 'link.ndjson')).isSymbolicLink()).toBe(true);
    expect(oneDoc(readFileSync(target, 'utf8'))[0]).toMatchObject({ outcome: 'succeeded' });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['link.ndjson', 'target.ndjson']);
  });

  it('a FIFO with a reader gets the document and stays a FIFO', async () => {
    const dir = fresh();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('sh', ['-c', `cat '${fifo}' > '${join(dir, 'read')}'`]);
    const read = new Promise((resolve) => reader.on('exit', resolve));
    const r = await watch('--result-file', fifo, fx.id('success'));
    await read;
    expect(r.code).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(oneDoc(readFileSync(join(dir, 'read'), 'utf8'))[0]).toMatchObject({ outcome: 'succeeded' });
  });

  it('a directory: exit 74, saying so, and nothing is left in it', async () => {
    const dir = fresh();
    const r = await watch('--result-file', dir, fx.id('success'));
    expect(r.code).toBe(74);
    expect(r.stderr).toContain(`cannot write --result-file ${dir} (EISDIR)`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('watch - with a stdin left open', () => {
  it('ends at its --timeout: reading the IDs counts against it', async () => {
    const stuck = fx.id('stuck');
    const started = fx.clock.monotonic();
    const r = await fx.run(['watch', '--base-url', fx.sim.baseUrl, '--timeout', '2s', '-'], {
      stdin: `${stuck}\n`,
      stdinStaysOpen: true,
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`✖ ${stuck}  Timed out`);
    // 2 s of waiting for stdin, then the deadline's last poll (within its 2 s grace)
    expect(fx.clock.monotonic() - started).toBeLessThanOrEqual(4000);
  });

  it('with no ID before the deadline: exit 3, saying so', async () => {
    const r = await fx.run(['watch', '--base-url', fx.sim.baseUrl, '--timeout', '2s', '-'], {
      stdin: '',
      stdinStaysOpen: true,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('job "-": no job ID came on stdin within 2s (--timeout)');
  });
});
