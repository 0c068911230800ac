#!/usr/bin/env node
// npm run bench [-- --quick]
// Measures start-up, the cost of waiting, scale, endurance and economy of the built CLI, each as a
// ratio against a baseline measured in the same run. CPU and memory come from the OS (/proc and
// /usr/bin/time), never from inside the measured process. Full runs write BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../build/bench/sim.js';

const QUICK = process.argv.includes('--quick');
/** --only=startup,waiting runs just those sections (and writes no BENCHMARKS.md). */
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const wanted = (section) => !ONLY || ONLY.includes(section);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/export-status.js');
const NODE = process.execPath;
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'en_US.UTF-8',
  TZ: 'UTC',
  TERM: 'xterm-256color',
};
const tmp = mkdtempSync(join(os.tmpdir(), 'export-status-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const rows = [];
const notes = [];
const row = (section, what, value, baseline, ratio, target) => {
  rows.push({ section, what, value, baseline, ratio, target });
  const verdict = target ? `  target ${target}` : '';
  console.log(
    `${section.padEnd(11)} ${what.padEnd(46)} ${String(value).padStart(12)}  ${String(baseline ?? '').padStart(14)}  ${ratio ?? ''}${verdict}`,
  );
};

/** utime+stime (ms) and peak RSS (kB) of a live process, from /proc. */
function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { cpuMs, hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

/** Runs a command to its end under /usr/bin/time: wall ms (measured here), CPU ms and peak RSS (from the OS). */
function timed(cmd, args, { env = ENV, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '@@TIME %U %S %M', cmd, ...args], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const m = /@@TIME ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (!m) return reject(new Error(`no timing from ${cmd} ${args.join(' ')}: ${err}`));
      resolve({ code, wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, maxRssKb: Number(m[3]) });
    });
    child.stdin.end(input ?? '');
  });
}

/** Wall time of one run, spawned directly (no wrapper in the way). */
function wall(cmd, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
    child.stdin.end();
  });
}

function spawnCli(args, env = ENV) {
  const child = spawn(NODE, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'ignore'] });
  return child;
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGTERM');
  await closed;
}

/** The pid of the node process that `script` runs (its only child, once it has exec'd). */
async function childPid(pid) {
  for (let i = 0; i < 100; i++) {
    try {
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (kids) return Number(kids.split(' ')[0]);
    } catch {}
    await sleep(20);
  }
  throw new Error('no child process');
}

// ---------------------------------------------------------------------------------------------
async function startup(sim) {
  const runs = QUICK ? 3 : 21;
  const small = join(tmp, 'small.json');
  writeFileSync(
    small,
    JSON.stringify({ status: 'In Progress', progress: { processed: 1500, total: 4500, percentage: 33.3 } }),
  );
  const samples = { base: [], version: [], parse: [], first: [] };
  for (let i = 0; i < runs; i++) {
    // Interleaved, so a noisy moment hurts every command alike.
    samples.base.push(await wall(NODE, ['-e', '0']));
    samples.version.push(await wall(NODE, [BIN, '--version']));
    samples.parse.push(await wall(NODE, [BIN, 'parse', small]));
    const job = `stuck-first-${i}`;
    const t0 = Date.now();
    const child = spawnCli(['watch', '--base-url', sim.baseUrl, job]);
    let first;
    for (let k = 0; k < 500 && !first; k++) {
      first = sim.requests.find((r) => r.path.endsWith(`/${job}/status`));
      if (!first) await sleep(2);
    }
    samples.first.push(first ? first.at - t0 : Number.NaN);
    await stop(child);
  }
  const base = median(samples.base);
  row('start-up', 'node -e 0 (baseline)', `${fmt(base, 0)} ms`, '', '1.00×');
  const ratio = (xs) => `${fmt(median(xs) / base)}×`;
  row(
    'start-up',
    'export-status --version',
    `${fmt(median(samples.version), 0)} ms`,
    `${fmt(base, 0)} ms`,
    ratio(samples.version),
    '≤ 1.2×',
  );
  row(
    'start-up',
    'export-status parse small.json',
    `${fmt(median(samples.parse), 0)} ms`,
    `${fmt(base, 0)} ms`,
    ratio(samples.parse),
    '≤ 1.6×',
  );
  row(
    'start-up',
    'watch: spawn → first request at the server',
    `${fmt(median(samples.first), 0)} ms`,
    `${fmt(base, 0)} ms`,
    ratio(samples.first),
    '≤ 1.6×',
  );
}

async function waiting(sim) {
  const seconds = QUICK ? 8 : 120;
  const warmupMs = 3000;
  async function measure(child, pid) {
    await sleep(warmupMs);
    const a = procStats(pid);
    await sleep(seconds * 1000);
    const b = procStats(pid);
    await stop(child);
    return { cpuPerMin: ((b.cpuMs - a.cpuMs) / 1000) * (60 / seconds), hwmMb: b.hwmKb / 1024 };
  }
  const plain = spawnCli(['watch', '--base-url', sim.baseUrl, 'stuck-plain', '--interval', '5s']);
  const p = await measure(plain, plain.pid);
  row('waiting', `plain watch, 5 s interval: CPU per minute`, `${fmt(p.cpuPerMin, 3)} s`, '', '', '≤ 0.05 s');
  row('waiting', 'plain watch, one job: peak RSS', `${fmt(p.hwmMb, 1)} MB`, '', '', '≤ 60 MB');

  const command = `stty cols 120 rows 30; exec "${NODE}" "${BIN}" watch --base-url ${sim.baseUrl} stuck-tty --interval 5s`;
  const tty = spawn('script', ['-qfec', command, '/dev/null'], {
    env: ENV,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const nodePid = await childPid(tty.pid);
  const t = await measure(tty, nodePid);
  row(
    'waiting',
    'TTY watch with spinner, 5 s interval: CPU per minute',
    `${fmt(t.cpuPerMin, 3)} s`,
    '',
    '',
    '≤ 0.5 s',
  );
  row('waiting', 'TTY watch, one job: peak RSS', `${fmt(t.hwmMb, 1)} MB`, '', '', '≤ 60 MB');
}

/** Checks that no job ever had two requests in flight, from the simulator's log. */
function overlaps(requests) {
  const byJob = new Map();
  for (const r of requests) byJob.set(r.path, [...(byJob.get(r.path) ?? []), r]);
  let count = 0;
  for (const list of byJob.values()) {
    for (let i = 1; i < list.length; i++) if (list[i].at < list[i - 1].end) count++;
  }
  return count;
}

async function scale() {
  const sizes = QUICK ? [1, 10] : [1, 10, 50, 200];
  const seconds = QUICK ? 5 : 20;
  let basePerPoll;
  for (const jobs of sizes) {
    const sim = await startSimulator({ port: 0, durationMs: 3_600_000, maxRecorded: 1_000_000 });
    const ids = Array.from({ length: jobs }, (_, i) => `stuck-scale-${jobs}-${i}`);
    const child = spawnCli([
      'watch',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '1s',
      '--concurrency',
      '8',
      ...ids,
    ]);
    await sleep(3000);
    const a = procStats(child.pid);
    const before = sim.requests.length;
    await sleep(seconds * 1000);
    const b = procStats(child.pid);
    const polls = sim.requests.length - before;
    await stop(child);
    const perPoll = (b.cpuMs - a.cpuMs) / Math.max(1, polls);
    basePerPoll ??= perPoll;
    const bad = overlaps(sim.requests);
    row(
      'scale',
      `${jobs} job(s), 1 s interval, --concurrency 8: CPU per poll`,
      `${fmt(perPoll, 2)} ms`,
      `${fmt(basePerPoll, 2)} ms`,
      basePerPoll > 0 ? `${fmt(perPoll / basePerPoll)}×` : 'n/a (below the clock tick)',
    );
    row(
      'scale',
      `${jobs} job(s): peak RSS; polls; overlapping requests`,
      `${fmt(b.hwmKb / 1024, 1)} MB`,
      `${polls} polls`,
      `${bad} overlaps`,
    );
    if (bad > 0) notes.push(`scale: ${bad} overlapping requests with ${jobs} jobs`);
    await sim.close();
  }
}

/**
 * 10,000 polls in one process (50 jobs at 100 ms). Run twice: once left alone, for RSS and CPU;
 * once with a heap snapshot (SIGUSR2, which starts with a full collection) at each mark, so that
 * --trace-gc shows the live heap at the same moments in every run.
 */
async function endurance() {
  const target = QUICK ? 1000 : 10_000;
  const marks = [0.2, 0.6, 1].map((f) => Math.round(f * target));
  async function once(withSnapshots) {
    const sim = await startSimulator({ port: 0, durationMs: 3_600_000, maxRecorded: 1_000_000 });
    const ids = Array.from({ length: 50 }, (_, i) => `stuck-endurance-${i}`);
    const flags = withSnapshots ? ['--trace-gc', '--heapsnapshot-signal=SIGUSR2'] : [];
    const args = [
      ...flags,
      BIN,
      'watch',
      '-q',
      '--base-url',
      sim.baseUrl,
      '--interval',
      '100ms',
      '--concurrency',
      '8',
      ...ids,
    ];
    const child = spawn(NODE, args, {
      env: ENV,
      cwd: mkdtempSync(join(tmp, 'heap-')),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const fullGcs = []; // [polls so far, MB live after a full collection]
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /Mark-Compact[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
        if (m) fullGcs.push([sim.requests.length, Number(m[1])]);
      }
    });
    const samples = [];
    const atMarks = [];
    for (const mark of marks) {
      while (sim.requests.length < mark) await sleep(50);
      samples.push({ polls: sim.requests.length, ...procStats(child.pid) });
      if (withSnapshots) {
        const seen = fullGcs.length;
        child.kill('SIGUSR2');
        for (let i = 0; i < 400 && fullGcs.length === seen; i++) await sleep(25);
        if (fullGcs.length > seen) atMarks.push(fullGcs[seen]);
      }
    }
    await stop(child);
    await sim.close();
    return { samples, atMarks };
  }

  const { samples } = await once(false);
  const [first, , last] = samples;
  for (const s of samples) {
    row(
      'endurance',
      `RSS after ${s.polls} polls (50 jobs, 100 ms)`,
      `${fmt(s.rssKb / 1024, 1)} MB`,
      `${fmt(first.rssKb / 1024, 1)} MB`,
      `${fmt(s.rssKb / first.rssKb)}×`,
    );
  }
  row(
    'endurance',
    `CPU per poll over ${last.polls - first.polls} polls`,
    `${fmt((last.cpuMs - first.cpuMs) / (last.polls - first.polls), 2)} ms`,
    '',
    '',
  );
  const { atMarks } = await once(true);
  if (atMarks.length >= 2) {
    for (const [polls, mb] of atMarks) {
      row(
        'endurance',
        `live heap after a full GC at ${polls} polls`,
        `${fmt(mb, 1)} MB`,
        `${fmt(atMarks[0][1], 1)} MB`,
        `${fmt(mb / atMarks[0][1])}×`,
        'flat',
      );
    }
  } else {
    notes.push('endurance: no full GC could be observed');
  }
}

async function economy() {
  const durationMs = QUICK ? 12_000 : 60_000;
  const sim = await startSimulator({ port: 0, durationMs, maxRecorded: 1_000_000 });
  const countFor = (id) => sim.requests.filter((r) => r.path.endsWith(`/${id}/status`)).length;
  const loop = `u="$1"; while :; do s=$(curl -s "$u" | jq -r .status); case "$s" in Successful|Failed) break;; esac; sleep 5; done`;
  const ours = await timed(NODE, [
    BIN,
    'watch',
    '--base-url',
    sim.baseUrl,
    'success-ours',
    '--interval',
    '5s',
  ]);
  const theirs = await timed('bash', [
    '-c',
    loop,
    'loop',
    `${sim.baseUrl}/content/export/success-theirs/status`,
  ]);
  await sim.close();
  row(
    'economy',
    'curl + jq + sleep 5 loop: CPU for one job',
    `${fmt(theirs.cpuMs / 1000, 3)} s`,
    '',
    '1.00×',
  );
  row(
    'economy',
    'export-status watch --interval 5s: CPU for one job',
    `${fmt(ours.cpuMs / 1000, 3)} s`,
    `${fmt(theirs.cpuMs / 1000, 3)} s`,
    `${fmt(ours.cpuMs / theirs.cpuMs)}×`,
    '< 1×',
  );
  row(
    'economy',
    'requests: export-status vs the loop',
    `${countFor('success-ours')}`,
    `${countFor('success-theirs')}`,
    '',
    '≤ the loop',
  );
}

/**
 * --interval auto against a fixed 5 s interval on a simulated 1-hour job, replayed in virtual time
 * with the real poller and the simulator's own timeline: requests made, and the delay between the
 * server's terminal status and the end of the watch.
 */
async function adaptive() {
  const { VirtualClock, pollJob, Limiter, statusAt } = await import('../build/bench/bench-kit.js');
  const HOUR = 3_600_000;
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const variants = [
    ['accurate estimate', 'success', (s) => s, HOUR],
    ['estimate 30 % too late', 'success', (s) => shiftEstimate(s, 0.3 * HOUR), HOUR],
    ['no estimate (observed rate)', 'success', ({ estimatedCompletion: _e, ...s }) => s, HOUR],
    ['fails at 60 % of the work', 'failure', (s) => s, 0.1 * HOUR + 0.9 * HOUR * 0.6],
  ];
  function shiftEstimate(s, ms) {
    return s.estimatedCompletion
      ? { ...s, estimatedCompletion: new Date(Date.parse(s.estimatedCompletion) + ms).toISOString() }
      : s;
  }
  async function replay(scenario, transform, settings, offsetMs) {
    const clock = new VirtualClock(T0 + offsetMs);
    const job = { id: 'J', scenario, createdAt: T0, durationMs: HOUR, total: 4500, requests: 0 };
    let polls = 0;
    const fetch = async () => {
      polls++;
      const status = transform(statusAt(job, clock.now()));
      return { kind: 'status', status, raw: status, warnings: [] };
    };
    const deps = {
      clock,
      random: Math.random,
      limiter: new Limiter(4),
      signal: new AbortController().signal,
      fetch,
    };
    const base = { intervalMs: 5000, maxRetries: 10, requestTimeoutMs: 30_000, once: false, failOn: 'never' };
    await clock.run(
      (async () => {
        for await (const _ of pollJob(
          { id: 'J', url: 'http://sim/content/export/J/status' },
          { ...base, ...settings },
          deps,
        )) {
        }
      })(),
    );
    return { polls, endedAt: clock.now() - T0 };
  }
  // The watch starts at ten different moments of a 5 s cycle, so a fixed interval's luck (or bad
  // luck) in lining up with the end is averaged out and the worst case shows.
  const offsets = Array.from({ length: 10 }, (_, i) => i * 500);
  for (const [name, scenario, transform, terminalAt] of variants) {
    const runs = { fixed: [], auto: [] };
    for (const offset of offsets) {
      runs.fixed.push(await replay(scenario, transform, {}, offset));
      runs.auto.push(
        await replay(
          scenario,
          transform,
          { intervalMs: 2000, adaptive: { minMs: 2000, maxMs: 60_000 } },
          offset,
        ),
      );
    }
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const requests = (k) => mean(runs[k].map((r) => r.polls));
    const worst = (k) => Math.max(...runs[k].map((r) => r.endedAt - terminalAt)) / 1000;
    row(
      'adaptive',
      `1-hour job, ${name}: requests, auto vs fixed 5 s`,
      fmt(requests('auto'), 0),
      fmt(requests('fixed'), 0),
      `${fmt(requests('auto') / requests('fixed'))}×`,
    );
    row(
      'adaptive',
      `1-hour job, ${name}: worst delay to notice the end`,
      `${fmt(worst('auto'), 1)} s`,
      `${fmt(worst('fixed'), 1)} s`,
      '',
    );
  }
}

// ---------------------------------------------------------------------------------------------
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
console.log(
  `export-status benchmark${QUICK ? ' (quick: checks that it works, figures not meaningful)' : ''}\n${machine}\n`,
);
const shared = await startSimulator({ port: 0, durationMs: 3_600_000, maxRecorded: 1_000_000 });
if (wanted('startup')) await startup(shared);
if (wanted('waiting')) await waiting(shared);
await shared.close();
if (wanted('scale')) await scale();
if (wanted('endurance')) await endurance();
if (wanted('economy')) await economy();
if (wanted('adaptive')) await adaptive();

const table = [
  '| section | measurement | median / value | baseline | ratio | target |',
  '|---|---|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.section} | ${r.what} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} |`,
  ),
].join('\n');
if (notes.length > 0) console.log(`\nproblems:\n${notes.join('\n')}`);
if (!QUICK && !ONLY) {
  const text =
    `# Benchmarks\n\nMade by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.\n\n` +
    'Start-up figures are medians of interleaved runs; CPU and RSS are read from /proc and /usr/bin/time.\n\n' +
    `${table}\n`;
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), text);
  console.log('\nwritten to BENCHMARKS.md');
}
process.exitCode = notes.length > 0 ? 1 : 0;
