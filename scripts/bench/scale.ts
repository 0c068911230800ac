// How the cost of a watch grows with its jobs, and whether it stays flat over many polls.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIN,
  background,
  fmt,
  NODE,
  pidOf,
  procStats,
  sleep,
  spawnCli,
  stop,
  tmp,
  until,
} from './measure.js';
import type { Context } from './targets.js';

/** Checks that no job ever had two requests in flight, from the simulator's log. */
function overlaps(requests: ReadonlyArray<{ path: string; at: number; end: number }>): number {
  const byJob = new Map<string, Array<{ at: number; end: number }>>();
  for (const r of requests) byJob.set(r.path, [...(byJob.get(r.path) ?? []), r]);
  let count = 0;
  for (const list of byJob.values()) {
    for (let i = 1; i < list.length; i++) if ((list[i]?.at ?? 0) < (list[i - 1]?.end ?? 0)) count++;
  }
  return count;
}

export async function scale(ctx: Context): Promise<void> {
  const { report, quick } = ctx;
  const sizes = quick ? [1, 10] : [1, 10, 50, 200];
  const seconds = quick ? 5 : 20;
  let basePerPoll: number | undefined;
  for (const jobs of sizes) {
    const sim = await ctx.startSimulator({ port: 0, durationMs: 3_600_000, maxRecorded: 1_000_000 });
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
    try {
      await sleep(3000);
      const a = procStats(pidOf(child));
      const before = sim.requests.length;
      await sleep(seconds * 1000);
      const b = procStats(pidOf(child));
      const polls = sim.requests.length - before;
      const perPoll = (b.cpuMs - a.cpuMs) / Math.max(1, polls);
      basePerPoll ??= perPoll;
      const bad = overlaps(sim.requests);
      report.add({
        section: 'scale',
        what: `${jobs} job(s), 1 s interval, --concurrency 8: CPU per poll`,
        value: `${fmt(perPoll, 2)} ms`,
        baseline: `${fmt(basePerPoll, 2)} ms`,
        ratio: basePerPoll > 0 ? `${fmt(perPoll / basePerPoll)}×` : 'n/a (below the clock tick)',
      });
      report.add({
        section: 'scale',
        what: `${jobs} job(s): peak RSS; polls; overlapping requests`,
        value: `${fmt(b.hwmKb / 1024, 1)} MB`,
        baseline: `${polls} polls`,
        ratio: `${bad} overlaps`,
      });
      if (bad > 0) report.problems.push(`scale: ${bad} overlapping requests with ${jobs} jobs`);
    } finally {
      await stop(child);
      await sim.close();
    }
  }
}

/**
 * Many polls in one process (50 jobs at 100 ms). Run twice: once left alone, for RSS and CPU;
 * once with a heap snapshot (on SIGWINCH, which starts with a full collection; not SIGUSR2,
 * which ends a watch) at each mark, so that --trace-gc shows the live heap at the same moments
 * in every run.
 */
export async function endurance(ctx: Context): Promise<void> {
  const { report, quick } = ctx;
  const target = quick ? 1000 : 10_000;
  const marks = [0.2, 0.6, 1].map((f) => Math.round(f * target));
  // 50 jobs at 100 ms make about 500 polls a second; four times that is plenty.
  const markLimitMs = Math.max(30_000, (target / 500) * 4 * 1000);
  async function once(withSnapshots: boolean) {
    const sim = await ctx.startSimulator({ port: 0, durationMs: 3_600_000, maxRecorded: 1_000_000 });
    const ids = Array.from({ length: 50 }, (_, i) => `stuck-endurance-${i}`);
    const flags = withSnapshots ? ['--trace-gc', '--heapsnapshot-signal=SIGWINCH'] : [];
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
    const child = background(NODE, args, { cwd: mkdtempSync(join(tmp, 'heap-')), stdout: 'pipe' });
    const fullGcs: Array<[number, number]> = []; // [polls so far, MB live after a full collection]
    let buffered = '';
    child.stdout?.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /Mark-Compact[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
        if (m) fullGcs.push([sim.requests.length, Number(m[1])]);
      }
    });
    const samples = [];
    const atMarks: Array<[number, number]> = [];
    try {
      for (const mark of marks) {
        await until(() => sim.requests.length >= mark, markLimitMs, `${mark} polls`);
        samples.push({ polls: sim.requests.length, ...procStats(pidOf(child)) });
        if (withSnapshots) {
          const seen = fullGcs.length;
          child.kill('SIGWINCH');
          for (let i = 0; i < 400 && fullGcs.length === seen; i++) await sleep(25);
          const gc = fullGcs[seen];
          if (gc) atMarks.push(gc);
        }
      }
    } finally {
      await stop(child);
      await sim.close();
    }
    return { samples, atMarks };
  }

  const { samples } = await once(false);
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return;
  for (const s of samples) {
    report.add({
      section: 'endurance',
      what: `RSS after ${s.polls} polls (50 jobs, 100 ms)`,
      value: `${fmt(s.rssKb / 1024, 1)} MB`,
      baseline: `${fmt(first.rssKb / 1024, 1)} MB`,
      ratio: `${fmt(s.rssKb / first.rssKb)}×`,
    });
  }
  report.add({
    section: 'endurance',
    what: `CPU per poll over ${last.polls - first.polls} polls`,
    value: `${fmt((last.cpuMs - first.cpuMs) / (last.polls - first.polls), 2)} ms`,
  });
  const { atMarks } = await once(true);
  const firstGc = atMarks[0];
  if (!firstGc || atMarks.length < 2) {
    report.note('endurance: no full GC could be observed');
    return;
  }
  for (const [polls, mb] of atMarks) {
    report.add({
      section: 'endurance',
      what: `live heap after a full GC at ${polls} polls`,
      value: `${fmt(mb, 1)} MB`,
      baseline: `${fmt(firstGc[1], 1)} MB`,
      ratio: `${fmt(mb / firstGc[1])}×`,
      target: 'flat',
    });
  }
}
