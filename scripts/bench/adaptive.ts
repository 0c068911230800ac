// --interval auto against a fixed 5 s interval, on a simulated 1-hour job replayed in virtual time
// with the real poller and the simulator's own timeline.
import type { StatusOutcome } from '../../src/api/client.js';
import type { ExportStatus } from '../../src/api/schema.js';
import { CLI_WORDING } from '../../src/cli/words.js';
import { Limiter } from '../../src/poll/limiter.js';
import { watchJob } from '../../src/poll/poller.js';
import type { WatchRules } from '../../src/poll/rules.js';
import { type Scenario, statusAt } from '../../src/sim/scenarios.js';
import { VirtualClock } from '../../test/support/virtual-clock.js';
import { fmt } from './measure.js';
import type { Context } from './targets.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

type Transform = (s: ExportStatus) => ExportStatus;

function shiftEstimate(s: ExportStatus, ms: number): ExportStatus {
  return s.estimatedCompletion
    ? { ...s, estimatedCompletion: new Date(Date.parse(s.estimatedCompletion) + ms).toISOString() }
    : s;
}

const VARIANTS: Array<[string, Scenario, Transform, number]> = [
  ['accurate estimate', 'success', (s) => s, HOUR],
  ['estimate 30 % too late', 'success', (s) => shiftEstimate(s, 0.3 * HOUR), HOUR],
  ['no estimate (observed rate)', 'success', ({ estimatedCompletion: _e, ...s }) => s, HOUR],
  // Pending for 30 s (a tenth of the job, at most 30 s), then failing at 60 % of the work.
  ['fails at 60 % of the work', 'failure', (s) => s, 30_000 + (HOUR - 30_000) * 0.6],
];

const BASE: Extract<WatchRules, { once: false }> = {
  once: false,
  intervalMs: 5000,
  maxRetries: 10,
  requestTimeoutMs: 30_000,
  failOn: 'never',
};

interface Replayed {
  polls: number;
  endedAt: number;
}

async function replay(
  scenario: Scenario,
  transform: Transform,
  rules: WatchRules,
  offsetMs: number,
): Promise<Replayed> {
  const clock = new VirtualClock(T0 + offsetMs);
  const job = { id: 'J', scenario, createdAt: T0, durationMs: HOUR, total: 4500, requests: 0 };
  let polls = 0;
  const fetch = async (): Promise<StatusOutcome> => {
    polls++;
    const status = transform(statusAt(job, clock.now()));
    return { kind: 'status', status, raw: status, warnings: [] };
  };
  const ctx = {
    clock,
    random: Math.random,
    limiter: new Limiter(4),
    signal: new AbortController().signal,
    fetch,
    words: CLI_WORDING,
  };
  await clock.run(watchJob({ id: 'J', url: 'http://sim/content/export/J/status' }, rules, ctx, () => {}));
  return { polls, endedAt: clock.now() - T0 };
}

export async function adaptive(ctx: Context): Promise<void> {
  // The watch starts at ten different moments of a 5 s cycle, so a fixed interval's luck (or bad
  // luck) in lining up with the end is averaged out and the worst case shows.
  const offsets = Array.from({ length: 10 }, (_, i) => i * 500);
  const auto: WatchRules = { ...BASE, intervalMs: 2000, adaptive: { minMs: 2000, maxMs: 60_000 } };
  for (const [name, scenario, transform, terminalAt] of VARIANTS) {
    const fixed: Replayed[] = [];
    const adaptive: Replayed[] = [];
    for (const offset of offsets) {
      fixed.push(await replay(scenario, transform, BASE, offset));
      adaptive.push(await replay(scenario, transform, auto, offset));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const requests = (runs: Replayed[]) => mean(runs.map((r) => r.polls));
    const worst = (runs: Replayed[]) => Math.max(...runs.map((r) => r.endedAt - terminalAt)) / 1000;
    ctx.report.add({
      section: 'adaptive',
      what: `1-hour job, ${name}: requests, auto vs fixed 5 s`,
      value: fmt(requests(adaptive), 0),
      baseline: fmt(requests(fixed), 0),
      ratio: `${fmt(requests(adaptive) / requests(fixed))}×`,
      target: '≤ 0.15× fixed',
      met: requests(adaptive) <= 0.15 * requests(fixed),
    });
    ctx.report.add({
      section: 'adaptive',
      what: `1-hour job, ${name}: worst delay to notice the end`,
      value: `${fmt(worst(adaptive), 1)} s`,
      baseline: `${fmt(worst(fixed), 1)} s`,
      target: '≤ fixed',
      met: worst(adaptive) <= worst(fixed),
    });
  }
}
