import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { collect, ROOT } from '../support/spawn.js';

// action.yml run the way a workflow runs it: each composite step's script in bash, its `env:`
// filled from the inputs as the runner expands ${{ inputs.… }}, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY as files, against the simulator.
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

interface Step {
  env: Record<string, string>;
  run: string;
}

/** The composite steps of action.yml, read as YAML: each one's env mapping and run script. */
function steps(): { defaults: Record<string, string>; steps: Step[] } {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
    runs: { using: string; steps: Array<{ env?: Record<string, unknown>; run?: string }> };
  };
  expect(action.runs.using).toBe('composite');
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    if (input.default !== undefined) defaults[name] = String(input.default);
  }
  const found = action.runs.steps.map((step) => ({
    env: Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v)])),
    run: step.run ?? '',
  }));
  return { defaults, steps: found };
}

/** Runs a script in bash, without blocking: the simulator answers from this very process. */
async function bash(script: string, env: NodeJS.ProcessEnv, cwd?: string) {
  const r = await collect('bash', ['-e', '-c', script], { env, cwd, timeoutMs: 30_000 });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

async function runAction(inputs: Record<string, string>, cwd?: string) {
  const { defaults, steps: all } = steps();
  const dir = mkdtempSync(join(tmpdir(), 'export-status-action-'));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary.md');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const runs = [];
  for (const step of all) {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(step.env)) {
      env[name] = value.replace(
        /\$\{\{ inputs\.([a-z-]+) \}\}/g,
        (_m, key: string) => inputs[key] ?? defaults[key] ?? '',
      );
    }
    runs.push(
      await bash(
        step.run,
        {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GITHUB_ACTIONS: 'true',
          GITHUB_ACTION_PATH: ROOT,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: summary,
          RUNNER_TEMP: dir,
          ...env,
        },
        cwd,
      ),
    );
  }
  const outputs: Record<string, string> = {};
  const text = readFileSync(output, 'utf8').split('\n');
  for (let i = 0; i < text.length; i++) {
    const heredoc = /^([a-z-]+)<<(\S+)$/.exec(text[i] ?? '');
    if (heredoc?.[1] && heredoc[2]) {
      const end = text.indexOf(heredoc[2], i + 1);
      outputs[heredoc[1]] = text.slice(i + 1, end).join('\n');
      i = end;
    } else {
      const [key, ...value] = (text[i] ?? '').split('=');
      if (key) outputs[key] = value.join('=');
    }
  }
  return { runs, outputs, summary: readFileSync(summary, 'utf8') };
}

const credentials = () => ({
  'client-id': 'ci',
  'client-secret': SECRET,
  'token-url': sim.tokenUrl,
  scope: 'ci.default',
});

describe('the GitHub Action', () => {
  it('watches the jobs, sets outcome, exit-code and result, and writes the step summary', async () => {
    const { runs, outputs, summary } = await runAction({
      'job-id': 'success-a1\nsuccess-a2',
      'base-url': sim.baseUrl,
      interval: '200ms',
      ...credentials(),
    });
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    expect(outputs).toMatchObject({ 'exit-code': '0', outcome: 'succeeded' });
    const docs = (outputs.result ?? '').split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => d.job).sort()).toEqual(['success-a1', 'success-a2']);
    expect(summary).toContain('| success-a1 | succeeded |');
    for (const r of runs) expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(JSON.stringify(outputs)).not.toContain(SECRET);
  });

  it('fails the step with the exit code of the worst job, and says which outcome', async () => {
    const { runs, outputs } = await runAction({
      'job-id': 'success-a3 failure-a4',
      'base-url': sim.baseUrl,
      interval: '200ms',
      'fail-on': 'errors',
      ...credentials(),
    });
    expect(runs[1]?.status).toBe(1);
    expect(outputs).toMatchObject({ 'exit-code': '1', outcome: 'failed' });
  });
});

describe('the job-id input', () => {
  it.each([
    ['--help'],
    ['--version'],
    // the shell's ${IFS} in a word, as an attacker writes it to get spaces through
    [`JOB-1 --token-command=touch${'$'}{IFS}PWNED;echo${'$'}{IFS}tok`],
    ['JOB-1 --base-url=http://127.0.0.1:9/v4 --insecure-http'],
  ])('%s: the step fails before any request, creates no file, sends nothing', async (jobId) => {
    const cwd = mkdtempSync(join(tmpdir(), 'export-status-action-cwd-'));
    const before = sim.requests.length;
    const { runs, outputs } = await runAction(
      { 'job-id': jobId, 'base-url': sim.baseUrl, ...credentials() },
      cwd,
    );
    expect(runs.at(-1)?.status).toBe(2);
    expect(runs.at(-1)?.stdout).toContain("::error title=export-status::job-id: a word starts with '-'");
    expect(outputs).toMatchObject({ 'exit-code': '2', outcome: 'error' });
    expect(sim.requests.length).toBe(before);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
