import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { readOutputs } from '../support/github-output.js';
import { collect, ROOT } from '../support/spawn.js';

// action.yml run the way a runner runs a JavaScript action: its `runs.main` with the runner's
// Node, each input in INPUT_<NAME> (its default when not given), GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY as files, GITHUB_ACTIONS=true, against the simulator.
const SECRET = 'action-secret-0b5d';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    durationMs: 1000,
    clientId: 'ci',
    clientSecret: SECRET,
    tokenTtlMs: 400,
  });
});
afterAll(() => sim.close());

interface ActionYml {
  inputs: Record<string, { default?: unknown }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

async function runAction(inputs: Record<string, string>, cwd?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'export-status-action-'));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: Record<string, string | undefined> = {
    // A PATH with no npm on it: the action installs nothing.
    PATH: '/nonexistent',
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: dir,
  };
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = inputs[name] ?? (spec.default === undefined ? '' : String(spec.default));
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  const r = await collect(process.execPath, [join(ROOT, action.runs.main)], { env, cwd, timeoutMs: 30_000 });
  const outputs = readOutputs(readFileSync(output, 'utf8'));
  return {
    status: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs,
    summary: readFileSync(summary, 'utf8'),
  };
}

const credentials = () => ({
  'client-id': 'ci',
  'client-secret': SECRET,
  'token-url': sim.tokenUrl,
  scope: 'ci.default',
});

describe('the GitHub Action', () => {
  it('is a JavaScript action: node24, one committed file, every output declared', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'action/main.cjs' });
    expect(Object.keys(action.outputs).sort()).toEqual([
      'exit-code',
      'job-id',
      'outcome',
      'result',
      'result-file',
    ]);
  });

  it('watches the jobs with the CLI’s GitHub log (groups, summaries), sets every output, writes the step summary', async () => {
    const r = await runAction({
      'job-id': 'success-a1\nsuccess-a2',
      'base-url': sim.baseUrl,
      interval: '200ms',
      ...credentials(),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('::group::Watching 2 export jobs');
    expect(r.stdout).toContain('::endgroup::');
    expect(r.stdout).toMatch(/✔ success-a1 {2}Successful in/);
    expect(r.stdout).toContain('2 jobs: 2 succeeded');
    expect(r.outputs).toMatchObject({
      'exit-code': '0',
      outcome: 'succeeded',
      'job-id': 'success-a1\nsuccess-a2',
    });
    const docs = (r.outputs.result ?? '').split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => d.job)).toEqual(['success-a1', 'success-a2']);
    expect(r.summary).toContain('| success-a1 | succeeded |');
    expect(r.stdout + r.stderr + JSON.stringify(r.outputs) + r.summary).not.toContain(SECRET);
  });

  it('body-file starts an export and watches it; job-id is the new job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-status-action-body-'));
    const body = join(dir, 'export.json');
    writeFileSync(
      body,
      JSON.stringify({
        portalID: 'PROD-1000',
        language: { code: 'en-US' },
        resourceTypes: ['articles'],
        dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://b/f' },
      }),
    );
    const r = await runAction({
      'body-file': body,
      'base-url': sim.baseUrl,
      interval: '200ms',
      ...credentials(),
    });
    expect(r.status).toBe(0);
    expect(r.outputs['job-id']).toMatch(/^[0-9A-F-]{36}$/);
    expect(JSON.parse(r.outputs.result ?? '')).toMatchObject({
      job: r.outputs['job-id'],
      outcome: 'succeeded',
    });
  });
});

// Every input's check, and the outcomes of the jobs, are held in this process by test/action.test.ts.
describe('the job-id input', () => {
  it.each([
    // the shell's ${IFS} in a word, as an attacker writes it to get spaces through
    [`JOB-1 --token-command=touch${'$'}{IFS}PWNED;echo${'$'}{IFS}tok`],
  ])('%s: the step fails before any request, creates no file, sends nothing', async (jobId) => {
    const cwd = mkdtempSync(join(tmpdir(), 'export-status-action-cwd-'));
    const before = sim.requests.length;
    const r = await runAction({ 'job-id': jobId, 'base-url': sim.baseUrl, ...credentials() }, cwd);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain("::error title=export-status::job-id: a word starts with '-'");
    expect(r.outputs).toMatchObject({ 'exit-code': '2', outcome: 'usage' });
    expect(sim.requests.length).toBe(before);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('the committed bundle', () => {
  it('is what the sources build (npm test builds first; CI checks git diff too)', () => {
    // The build that npm test ran wrote action/main.cjs; git says whether it matches the commit.
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'action/main.cjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(
      changed,
      'action/main.cjs differs from the build of the sources: run npm run build and commit it',
    ).toBe('');
  });
});
