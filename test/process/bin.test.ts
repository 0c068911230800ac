import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/exit-codes.js';
import { BIN, cleanEnv, collect, ROOT, run } from '../support/spawn.js';

// What only the real bin shows: its start-up paths and the exit code it sets.
describe('the bin', () => {
  it('answers --version from package.json without loading the CLI', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('runs a command and sets its exit code', async () => {
    const r = await run(['parse', '-'], { input: '{"status":"Failed","error":"boom"}' });
    expect(r.code).toBe(ExitCode.failed);
    expect(r.stdout).toContain('boom');
  });

  it('writes numbers and dates one way whatever the locale, dates in the local zone with its offset', async () => {
    const input =
      '{"status":"In Progress","progress":{"processed":1234567,"total":2000000},"startTime":"2025-09-15T10:00:00Z"}';
    const seen: Record<string, string> = {};
    for (const [LANG, TZ] of [
      ['en_US.UTF-8', 'UTC'],
      ['de_DE.UTF-8', 'Asia/Tokyo'],
      ['en_IN.UTF-8', 'America/St_Johns'],
    ] as const) {
      const r = await run(['parse', '-'], { input, env: { LANG, TZ } });
      const processed = /Progress\s+(\S+) of/.exec(r.stdout)?.[1];
      const started = /Started\s+(.+)/.exec(r.stdout)?.[1];
      seen[`${LANG} ${TZ}`] = `${processed} | ${started}`;
    }
    expect(seen).toEqual({
      'en_US.UTF-8 UTC': '1,234,567 | 2025-09-15 10:00:00 UTC',
      'de_DE.UTF-8 Asia/Tokyo': '1,234,567 | 2025-09-15 19:00:00 +09:00',
      // half-hour zones, west of UTC
      'en_IN.UTF-8 America/St_Johns': '1,234,567 | 2025-09-15 07:30:00 -02:30',
    });
  });

  it('without a built CLI, says so and exits with the internal-error code', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'export-status-unbuilt-'));
    mkdirSync(join(pkg, 'bin'));
    copyFileSync(BIN, join(pkg, 'bin', 'export-status.js'));
    copyFileSync(join(ROOT, 'bin', 'package.json'), join(pkg, 'bin', 'package.json'));
    writeFileSync(join(pkg, 'package.json'), '{"type":"module","version":"0.0.0"}');
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'export-status.js'), 'parse', '-'], {
      env: cleanEnv(),
      input: '',
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('cannot load the CLI');
    expect(r.stderr).toContain('Run npm install');
    expect(r.status).toBe(ExitCode.internal);
  });

  it('keeps its compiled code between runs, and makes again a cache it cannot use', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'export-status-cache-'));
    cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), {
      recursive: true,
      filter: (source) => !source.endsWith('.v8cache'),
    });
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    const parse = () =>
      spawnSync(process.execPath, [join(pkg, 'bin', 'export-status.js'), 'parse', '-'], {
        env: cleanEnv(),
        input: '{"status":"In Progress","progress":{"processed":3,"total":4}}',
        encoding: 'utf8',
      });
    const caches = () => readdirSync(join(pkg, 'dist')).filter((name) => name.endsWith('.v8cache'));
    const first = parse();
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('3 of 4');
    if (typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function') {
      // Node >= 22.1 keeps it itself, elsewhere: nothing is written next to the bundle.
      expect(parse().stdout).toBe(first.stdout);
      expect(caches()).toEqual([]);
      return;
    }
    const [cache] = caches();
    expect(caches()).toEqual([`cli.cjs.${process.version}-${process.arch}.parse.v8cache`]);
    const made = readFileSync(join(pkg, 'dist', cache ?? ''));
    expect(made.length).toBeGreaterThan(10_000);
    // A file cut short, or made by another build: the run is the same, and the cache made again.
    writeFileSync(join(pkg, 'dist', cache ?? ''), made.subarray(0, 1000));
    const again = parse();
    expect([again.status, again.stdout, again.stderr]).toEqual([0, first.stdout, '']);
    expect(readFileSync(join(pkg, 'dist', cache ?? '')).length).toBeGreaterThan(10_000);
  });

  it('an output that cannot be written (a full disk) exits 74 with one line, never 1 and a stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [BIN, 'parse', '-'], {
        env: cleanEnv(),
        input: '{"status":"Successful"}',
        stdio: ['pipe', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(r.status).toBe(ExitCode.output);
      expect(r.stderr).toBe('export-status: cannot write to stdout (ENOSPC)\n');
    } finally {
      closeSync(full);
    }
  });
});

describe('--result-file to what the shell makes', () => {
  it('>(cat > f): exit 0 for a succeeded job, and one JSON line in f', async () => {
    const { startSimulator } = await import('../../src/sim/server.js');
    const sim = await startSimulator({ port: 0, durationMs: 200 });
    const dir = mkdtempSync(join(tmpdir(), 'export-status-substitution-'));
    const out = join(dir, 'f');
    try {
      const script = `'${process.execPath}' '${BIN}' watch --base-url '${sim.baseUrl}' --interval 100ms -q --result-file >(cat > '${out}') -- success-subst-1; code=$?; wait; exit $code`;
      // spawned without blocking: the simulator answers from this process
      const r = await collect('bash', ['-c', script], { env: cleanEnv(), timeoutMs: 20_000 });
      expect(r.code).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ job: 'success-subst-1', outcome: 'succeeded' });
    } finally {
      await sim.close();
    }
  });
});

describe('what a run loads', () => {
  it('parse loads no node:child_process (commander would load it at start, for subcommands this CLI has not)', () => {
    const hook = join(mkdtempSync(join(tmpdir(), 'export-status-loads-')), 'hook.cjs');
    writeFileSync(
      hook,
      "process.on('exit', () => process.stderr.write('loaded: ' + process.moduleLoadList.filter((m) => /child_process|tty/.test(m)).join(',') + '\\n'));",
    );
    const r = spawnSync(process.execPath, ['-r', hook, BIN, 'parse', '-'], {
      input: '{"status":"Pending"}',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^loaded: /m);
    expect(r.stderr).not.toMatch(/child_process/);
  });
});
