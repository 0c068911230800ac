import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { runCli as run } from '../support/cli.js';

// Flags, help and mistakes: parsed in-process, answered before any request.
describe('usage', () => {
  it('--version prints the version and exits 0', async () => {
    const top = await run(['--version']);
    expect(top.code).toBe(0);
    expect(top.stdout).toBe(`${VERSION}\n`);
  });

  it('--help lists the commands and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['watch', 'get|status', 'parse', 'serve', 'demo', 'Exit codes:', '130'])
      expect(r.stdout).toContain(word);
  });

  it('watch --help lists its flags', async () => {
    const r = await run(['watch', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--interval',
      '--timeout',
      '--stall-timeout',
      '--fail-on',
      '--output',
      '--token-file',
      '--concurrency',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it.each([
    [['watch', '--bogus', 'x'], "unknown option '--bogus'"],
    [['watch'], "missing required argument 'job'"],
    [['watch', 'x', '--interval', '50ms'], '--interval: at least 100ms, got 50ms'],
    [['watch', 'x', '--interval', 'soon'], 'expected a duration like 250ms'],
    [['watch', 'x', '--max-retries', '-1'], 'expected a whole number'],
    [['watch', 'x', '--fail-on', 'sometimes'], 'Allowed choices are never, errors, warnings'],
    [['watch', 'x', '-o', 'yaml'], 'Allowed choices are text, json, ndjson'],
    [['watch', 'x', '--base-url', 'ftp://example.com'], 'expected an http:// or https:// URL'],
    [['watch', 'x', '--base-url', 'not a url'], 'not a URL'],
    [
      ['watch', 'x', '-H', 'Authorization: Bearer x'],
      '--header: Authorization cannot be set this way; give the token as EGAIN_ACCESS_TOKEN',
    ],
    [['watch', 'x', '--json', '-o', 'ndjson'], '--json contradicts --output ndjson'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['wacth', 'x'], '(Did you mean watch?)'],
    [[], 'Usage: export-status'],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('help', () => {
  it.each([[['help']], [['help', 'watch']], [['watch', '--help']], [['version']]])(
    '%j exits 0',
    async (args) => {
      const r = await run(args);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toBe('');
    },
  );

  it('each command shows examples, defaults in the units people type, and (watch) the exit codes and environment', async () => {
    const watch = (await run(['watch', '--help'])).stdout;
    expect(watch).toContain('Examples:\n  $ export-status watch');
    expect(watch).toContain('(default: 5s)');
    expect(watch).toContain('(default: 30s)');
    expect(watch).not.toMatch(/default: \d{4,}\)/);
    expect(watch).not.toContain('(default: [])');
    expect(watch).toContain('Exit codes:');
    expect(watch).toContain('EGAIN_CLIENT_ID');
    for (const command of ['get', 'start', 'parse', 'serve', 'demo', 'config', 'completion']) {
      expect((await run([command, '--help'])).stdout, command).toContain('Examples:');
    }
  });

  it('parse offers only what applies to a document', async () => {
    const parse = (await run(['parse', '--help'])).stdout;
    expect(parse).not.toContain('ndjson');
    expect(parse).not.toContain('log each request');
    expect(parse).not.toContain('--quiet');
  });
});
