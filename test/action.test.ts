import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionInvocation, RESULT_OUTPUT_MAX_BYTES, runAction } from '../src/action/index.js';
import { UsageError } from '../src/core/errors.js';
import { inProcess } from './support/cli.js';
import { readOutputs } from './support/github-output.js';
import { scriptedServer, sendJson } from './support/servers.js';
import { useSimulator } from './support/simulator.js';

// The action's logic in this process: its inputs become the CLI's argv and environment, every
// input checked first and named when refused; runAction then runs the CLI and writes the step's
// outputs. (test/process/action.test.ts runs the committed bundle as a runner does.)

const RESULT = '/runner/temp/result.ndjson';
const inputs = (given: Record<string, string>) =>
  Object.fromEntries(Object.entries(given).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));

describe('actionInvocation: the CLI run each set of inputs becomes', () => {
  it.each([
    [
      'job IDs, split on any whitespace, after --',
      { 'job-id': ' J1  J2\nhttps://api.test/v4/content/export/J3/status\n' },
      ['watch', `--result-file=${RESULT}`, '--', 'J1', 'J2', 'https://api.test/v4/content/export/J3/status'],
    ],
    [
      'each setting as its flag, with its value in the same word',
      {
        'job-id': 'J1',
        'base-url': 'https://api.test/v4',
        interval: '30s',
        timeout: '4h',
        'stall-timeout': '30m',
        'wait-for-create': '2m',
        'fail-on': 'warnings',
        until: '50%',
        language: 'de-DE',
        profile: 'prod',
      },
      [
        'watch',
        '--base-url=https://api.test/v4',
        '--interval=30s',
        '--timeout=4h',
        '--stall-timeout=30m',
        '--wait-for-create=2m',
        '--fail-on=warnings',
        '--until=50%',
        '--language=de-DE',
        '--profile=prod',
        `--result-file=${RESULT}`,
        '--',
        'J1',
      ],
    ],
    [
      'interval auto, in any case; fail-fast true',
      { 'job-id': 'J1 J2', interval: 'AUTO', 'fail-fast': 'true' },
      ['watch', '--interval=AUTO', '--fail-fast', `--result-file=${RESULT}`, '--', 'J1', 'J2'],
    ],
    [
      'fail-fast false and empty inputs: nothing',
      { 'job-id': 'J1', 'fail-fast': 'false', timeout: '  ', 'base-url': '' },
      ['watch', `--result-file=${RESULT}`, '--', 'J1'],
    ],
    [
      'deadline: passed on as it is',
      { 'job-id': 'J1', deadline: '2099-01-01T00:00:00Z' },
      ['watch', '--deadline=2099-01-01T00:00:00Z', `--result-file=${RESULT}`, '--', 'J1'],
    ],
    [
      'body-file and state-file: started once',
      { 'body-file': 'export.json', 'state-file': '.export-state' },
      ['start', '--body', 'export.json', '--watch', '--state-file=.export-state', `--result-file=${RESULT}`],
    ],
    [
      'verify-delivery true with body-file; a destination with job-id',
      { 'body-file': 'export.json', 'verify-delivery': 'true' },
      ['start', '--body', 'export.json', '--watch', '--verify-delivery', `--result-file=${RESULT}`],
    ],
    [
      'verify-delivery: a destination for jobs watched',
      { 'job-id': 'J1', 'verify-delivery': 's3://exports/x' },
      ['watch', '--verify-delivery=s3://exports/x', `--result-file=${RESULT}`, '--', 'J1'],
    ],
    [
      'body-file: start it, then watch it',
      { 'body-file': 'export.json', timeout: '1h' },
      ['start', '--body', 'export.json', '--watch', '--timeout=1h', `--result-file=${RESULT}`],
    ],
  ])('%s', (_, given, argv) => {
    expect(actionInvocation(inputs(given), RESULT)).toEqual({ argv, env: {} });
  });

  it('credentials go to the environment, never to the argv', () => {
    const { argv, env } = actionInvocation(
      inputs({
        'job-id': 'J1',
        'client-id': 'me',
        'client-secret': 's3cret-value',
        'token-url': 'https://login.test/t',
        scope: 'x.default',
        'access-token': 'tok-123456',
      }),
      RESULT,
    );
    expect(env).toEqual({
      EGAIN_CLIENT_ID: 'me',
      EGAIN_CLIENT_SECRET: 's3cret-value',
      EGAIN_TOKEN_URL: 'https://login.test/t',
      EGAIN_SCOPE: 'x.default',
      EGAIN_ACCESS_TOKEN: 'tok-123456',
    });
    expect(argv.join(' ')).not.toMatch(/s3cret|tok-123456|login\.test|me\b/);
  });

  it.each([
    ['no job', {}, 'job-id: no job ID given (or body-file, to start one)'],
    [
      'both',
      { 'job-id': 'J1', 'body-file': 'x.json' },
      'job-id and body-file: give one (watch jobs, or start one)',
    ],
    ['--help', { 'job-id': '--help' }, "job-id: a word starts with '-': that is an option, not a job ID"],
    ['an option after an ID', { 'job-id': 'J1 --insecure-http' }, "job-id: a word starts with '-'"],
    ['-', { 'job-id': 'J1 -' }, "job-id: a word starts with '-'"],
    ['timeout', { 'job-id': 'J1', timeout: 'soon' }, 'timeout: expected a duration like 250ms'],
    ['stall-timeout', { 'job-id': 'J1', 'stall-timeout': '-5s' }, 'stall-timeout: '],
    ['wait-for-create', { 'job-id': 'J1', 'wait-for-create': 'x' }, 'wait-for-create: '],
    ['interval', { 'job-id': 'J1', interval: '5ms' }, 'interval: at least 100ms, got 5ms'],
    ['fail-on', { 'job-id': 'J1', 'fail-on': 'warning' }, 'fail-on: expected one of never, errors, warnings'],
    ['until', { 'job-id': 'J1', until: 'later' }, 'until: expected done, running or a percentage'],
    [
      'state-file',
      { 'job-id': 'J1', 'state-file': 's' },
      'state-file: it records a started export, so it goes with body-file',
    ],
    ['deadline', { 'job-id': 'J1', deadline: '6pm' }, 'deadline: expected a date and time in ISO 8601'],
    [
      'deadline passed',
      { 'job-id': 'J1', deadline: '2020-01-01T00:00:00Z' },
      'deadline: 2020-01-01T00:00:00.000Z has already passed',
    ],
    ['language', { 'job-id': 'J1', language: 'en' }, 'language: the export API takes en-US'],
    ['fail-fast', { 'job-id': 'J1', 'fail-fast': 'yes' }, 'fail-fast: expected true or false, got "yes"'],
  ])('%s: refused, naming the input', (_, given, says) => {
    let message = '';
    try {
      actionInvocation(inputs(given), RESULT);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      message = (err as Error).message;
    }
    expect(message.startsWith(says)).toBe(true);
  });
});

interface ActionYml {
  inputs: Record<string, { default?: unknown }>;
}
const ACTION = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as ActionYml;

describe('runAction, in this process against the simulator', () => {
  const fixture = useSimulator({ durationMs: 1000 });

  /** A step: the inputs (and action.yml's defaults) as the runner passes them, its files, the CLI's run. */
  async function step(given: Record<string, string>, runner: Record<string, string> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'export-status-action-'));
    const output = join(dir, 'output');
    const summary = join(dir, 'summary.md');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const env: Record<string, string> = {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: dir,
      ...runner,
    };
    for (const [name, spec] of Object.entries(ACTION.inputs))
      env[`INPUT_${name.toUpperCase()}`] =
        given[name] ?? (spec.default === undefined ? '' : String(spec.default));
    const run = inProcess({ clock: fixture.clock, env });
    const code = await run.drive(runAction(env, run.deps));
    const written = env.GITHUB_OUTPUT === output ? readFileSync(output, 'utf8') : '';
    return { code, stdout: run.stdout.text, outputs: readOutputs(written), outputFile: output };
  }

  it.each([
    ['succeeds', { 'job-id': 'success' }, 0, 'succeeded'],
    ['fails', { 'job-id': 'failure' }, 1, 'failed'],
    ['runs out of time', { 'job-id': 'stuck', timeout: '1s' }, 3, 'timeout'],
    ['stalls', { 'job-id': 'stuck', 'stall-timeout': '1s' }, 6, 'stalled'],
    ['is unknown', { 'job-id': 'not-found' }, 4, 'error'],
  ])('a job that %s: the step’s exit code and outputs', async (_, given, code, outcome) => {
    const id = fixture.id(given['job-id']);
    const r = await step({ ...given, 'job-id': id, 'base-url': fixture.sim.baseUrl, interval: '200ms' });
    expect(r.code).toBe(code);
    expect(r.outputs).toMatchObject({ 'exit-code': String(code), outcome, 'job-id': id });
    expect(JSON.parse(r.outputs.result ?? '')).toMatchObject({ job: id, outcome, exitCode: code });
    if (code !== 0) expect(r.stdout).toMatch(/::error title=Export \S+%3A /);
  });

  it('a status with a 700 kB unknown field: result stays within its limit; result-file has every document whole', async () => {
    const big = 'x'.repeat(700_000);
    const server = await scriptedServer((_req, res) =>
      sendJson(res, 200, {
        status: 'Successful',
        progress: { processed: 1, total: 1, percentage: 100 },
        bulk: big,
      }),
    );
    try {
      const r = await step({ 'job-id': 'J1 J2', 'base-url': server.url, interval: '200ms' });
      expect(r.code).toBe(0);
      const result = r.outputs.result ?? '';
      expect(Buffer.byteLength(result)).toBeLessThanOrEqual(RESULT_OUTPUT_MAX_BYTES);
      // both jobs are there, without their raw field
      expect(result.split('\n').map((line) => JSON.parse(line).job)).toEqual(['J1', 'J2']);
      expect(r.stdout).toContain('::warning title=export-status::the result output is cut to 256 KiB');
      const whole = readFileSync(r.outputs['result-file'] ?? '', 'utf8')
        .trim()
        .split('\n');
      expect(whole.map((line) => JSON.parse(line).raw.bulk.length)).toEqual([700_000, 700_000]);
    } finally {
      await server.close();
    }
  });

  it('fail-fast: the step’s outcome is the failing job’s, whatever the order of the IDs', async () => {
    for (const order of [
      ['failure', 'stuck'],
      ['stuck', 'failure'],
    ]) {
      const ids = order.map((scenario) => fixture.id(scenario));
      const given = { 'job-id': ids.join(' '), 'fail-fast': 'true', interval: '200ms' };
      const r = await step({ ...given, 'base-url': fixture.sim.baseUrl });
      expect(r.code).toBe(1);
      expect(r.outputs).toMatchObject({ 'exit-code': '1', outcome: 'failed' });
      // the job left is a warning, not a second error
      expect(r.stdout.match(/::error /g)).toHaveLength(1);
      expect(r.stdout).toMatch(/::warning title=Export \S+%3A abandoned::/);
    }
  });

  it.each([
    [
      'no credential input, for an API that is not this machine',
      { 'job-id': 'J1', 'base-url': 'https://api.remote.test/v4' },
      'no credential for api.remote.test: set the client-id, client-secret, token-url and scope inputs, or access-token',
    ],
    [
      'a body file that is not there',
      { 'body-file': '/nonexistent/export.json', 'base-url': 'http://127.0.0.1:9/v4' },
      'body-file: cannot read "/nonexistent/export.json" (',
    ],
    [
      'an ftp:// base URL',
      { 'job-id': 'J1', 'base-url': 'ftp://files.test/v4' },
      'base-url: expected an http:// or https:// URL, got "ftp://files.test/v4"',
    ],
    [
      'an unknown profile',
      { 'job-id': 'J1', profile: 'nope' },
      'profile "nope" (from profile) does not exist',
    ],
    [
      'a client secret for a token URL over plain http',
      {
        'job-id': 'J1',
        'base-url': 'https://api.remote.test/v4',
        'client-id': 'me',
        'client-secret': 'action-secret-1',
        'token-url': 'http://login.remote.test/token',
      },
      'refusing to send the client secret over plain http:// to login.remote.test; use https://, or insecure-http',
    ],
  ])(
    '%s: the CLI refuses it in the action’s words, an ::error, exit 2, outputs written',
    async (_, given, says) => {
      const config = mkdtempSync(join(tmpdir(), 'export-status-action-config-'));
      mkdirSync(join(config, 'export-status'));
      writeFileSync(
        join(config, 'export-status', 'config.json'),
        JSON.stringify({ profiles: { prod: {} } }),
        {
          mode: 0o600,
        },
      );
      const r = await step(given, { XDG_CONFIG_HOME: config });
      expect(r.code).toBe(2);
      expect(r.stdout.split('\n').filter(Boolean)).toEqual([
        expect.stringMatching(/^::error title=export-status::/),
      ]);
      expect(decodeURIComponent(r.stdout)).toContain(`::error title=export-status::${says}`);
      expect(r.stdout).not.toMatch(/--[a-z]|EGAIN_/);
      expect(r.outputs).toEqual({
        'exit-code': '2',
        outcome: 'usage',
        result: '',
        'result-file': '',
        'job-id': '',
      });
    },
  );

  it('its temporary directory is removed after the step, the result file kept; an unusable RUNNER_TEMP is not a crash', async () => {
    const id = fixture.id('success');
    const ok = await step({ 'job-id': id, 'base-url': fixture.sim.baseUrl, interval: '200ms' });
    expect(ok.code).toBe(0);
    // step() points RUNNER_TEMP at the directory that also holds the output files: nothing else is
    // left but the result file its output names
    const kept = ok.outputs['result-file'] ?? '';
    expect(dirname(kept)).toBe(dirname(ok.outputFile));
    const r = await step(
      { 'job-id': fixture.id('success'), 'base-url': fixture.sim.baseUrl, interval: '200ms' },
      { RUNNER_TEMP: '/nonexistent/runner/temp' },
    );
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ 'exit-code': '0', outcome: 'succeeded' });
    expect(readdirSync(dirname(ok.outputFile)).sort()).toEqual(
      [basename(kept), 'output', 'summary.md'].sort(),
    );
  });

  it('a GITHUB_OUTPUT that cannot be written: an ::error naming it, exit 74, not a crash', async () => {
    const r = await step(
      { 'job-id': fixture.id('success'), 'base-url': fixture.sim.baseUrl, interval: '200ms' },
      { GITHUB_OUTPUT: '/nonexistent/dir/output' },
    );
    expect(r.code).toBe(74);
    expect(r.stdout).toContain(
      "::error title=export-status::cannot write the step's outputs to GITHUB_OUTPUT /nonexistent/dir/output (ENOENT)",
    );
  });

  it('an invalid input: an ::error naming it, exit 2, outputs written, nothing sent', async () => {
    const before = fixture.sim.requests.length;
    const r = await step({ 'job-id': 'J1', 'fail-on': 'warning', 'base-url': fixture.sim.baseUrl });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      '::error title=export-status::fail-on: expected one of never, errors, warnings, got "warning"\n',
    );
    expect(r.outputs).toEqual({
      'exit-code': '2',
      outcome: 'usage',
      result: '',
      'result-file': '',
      'job-id': '',
    });
    expect(fixture.sim.requests.length).toBe(before);
  });
});
