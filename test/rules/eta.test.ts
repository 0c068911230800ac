import { describe, expect, it } from 'vitest';
import type { ExportStatus } from '../../src/api/schema.js';
import { EtaTracker, RATE_WINDOW_MS } from '../../src/poll/eta.js';
import { Pace, STOPPED_AFTER_POLLS } from '../../src/poll/pace.js';

// When a job will finish, and whether it moves: the rules behind the live line's ETA and its
// "no progress for …".

const T0 = Date.parse('2026-01-01T10:00:00Z');
const S = 1000;
const MIN = 60 * S;
const running = (pct: number, extra: Partial<ExportStatus> = {}): ExportStatus => ({
  status: 'In Progress',
  progress: { percentage: pct },
  ...extra,
});

/** Observes `points` ([seconds after T0, percentage]) and returns the tracker. */
function track(points: ReadonlyArray<readonly [number, number]>, extra: Partial<ExportStatus> = {}) {
  const eta = new EtaTracker();
  for (const [sec, pct] of points) eta.observe(T0 + sec * S, running(pct, extra));
  return eta;
}

describe('ETA: the rate of recent progress', () => {
  it.each([
    // [what, observations, expected finish in seconds after T0 (undefined: no estimate)]
    ['one answer: no rate yet', [[0, 10]], undefined],
    [
      'nothing moved',
      [
        [0, 10],
        [60, 10],
      ],
      undefined,
    ],
    [
      'less than half a point: too little to measure',
      [
        [0, 10],
        [60, 10.4],
      ],
      undefined,
    ],
    [
      'half a point is enough',
      [
        [0, 10],
        [60, 10.5],
      ],
      60 + (89.5 / 0.5) * 60,
    ],
    [
      '10 points a minute, 80 to go: 8 minutes after the last answer',
      [
        [0, 10],
        [60, 20],
      ],
      60 + 8 * 60,
    ],
    [
      'steady progress on every answer',
      [
        [0, 10],
        [30, 15],
        [60, 20],
        [90, 25],
      ],
      90 + 75 * 6,
    ],
    // 30 s at 1 point/s, then 0.05 points/s for 4 minutes: the window sees only the slow part
    [
      'a job that slowed down is estimated at its new pace, not its average',
      [
        [0, 0],
        [30, 30],
        ...Array.from({ length: 16 }, (_, i) => [30 + (i + 1) * 15, 30 + (i + 1) * 0.75] as const),
      ],
      270 + 58 / 0.05,
    ],
    // measured from when 0 % was first seen: a job that moves in bursts is not taken at its burst
    [
      'answers that bring nothing do not move the start of the measure',
      [
        [0, 0],
        [50, 0],
        [100, 0],
        [250, 10],
      ],
      250 + 90 * 25,
    ],
    [
      'progress that went backwards starts the measure again',
      [
        [0, 50],
        [60, 60],
        [120, 10],
        [180, 20],
      ],
      180 + 80 * 6,
    ],
  ] as const)('%s', (_, points, finish) => {
    const eta = track(points);
    expect(eta.rateEta()).toEqual(finish === undefined ? undefined : { at: T0 + finish * S, source: 'rate' });
  });

  it('the window is about two minutes: older progress stops counting once newer spans enough', () => {
    // 1 point/s for a minute, then 0.1 point/s: after the window, only the slow part counts
    const points: Array<[number, number]> = [
      [0, 0],
      [60, 60],
    ];
    for (let sec = 70; sec <= 60 + RATE_WINDOW_MS / S + 20; sec += 10)
      points.push([sec, 60 + (sec - 60) / 10]);
    const last = points.at(-1) as [number, number];
    const eta = track(points);
    expect(eta.rateEta()?.at).toBe(T0 + (last[0] + (100 - last[1]) * 10) * S);
  });

  it.each([
    // the window reaches back to 140 s before the last answer: the point at 140 s is its start
    [
      'the window starts at the last change point at least two minutes old',
      [
        [0, 0],
        [60, 30],
        [100, 40],
        [140, 45],
        [200, 50],
        [260, 52],
      ],
      [140, 45],
    ],
    [
      'a point later than two minutes back is not the start',
      [
        [0, 0],
        [100, 40],
        [141, 45],
        [260, 52],
      ],
      [100, 40],
    ],
    // from the point at 10 s there is exactly half a point to the last: enough to measure on
    [
      'half a point from a point is enough to start there',
      [
        [0, 0],
        [10, 10],
        [200, 10.5],
      ],
      [10, 10],
    ],
    [
      'less than half a point from it is not',
      [
        [0, 0],
        [10, 10.1],
        [200, 10.5],
      ],
      [0, 0],
    ],
  ] as const)('%s', (_, points, [sec, pct]) => {
    const [lastSec, lastPct] = points.at(-1) as readonly [number, number];
    const rate = (lastPct - pct) / (lastSec - sec);
    expect(track(points).rateEta()?.at).toBe(Math.round(T0 + (lastSec + (100 - lastPct) / rate) * S));
  });

  it('a job that stops sees its rate fall with every answer that brings nothing', () => {
    const eta = track([
      [0, 10],
      [60, 20],
    ]);
    const moving = eta.rateEta()?.at ?? 0;
    eta.observe(T0 + 5 * MIN, running(20));
    const stopped = eta.rateEta()?.at ?? 0;
    expect(stopped).toBeGreaterThan(moving);
    // 10 points over 5 minutes now: 40 more minutes from the last answer
    expect(stopped).toBe(T0 + 5 * MIN + 40 * MIN);
  });

  it('a job found running is measured from its startTime: an estimate from the first answer', () => {
    const eta = track([[0, 40]], { startTime: new Date(T0 - 60 * MIN).toISOString() });
    // 40 % in an hour: 1.5 hours to go
    expect(eta.rateEta()).toEqual({ at: T0 + 90 * MIN, source: 'rate' });
  });

  it.each([
    ['Pending, not running', { status: 'Pending', startTime: new Date(T0 - MIN).toISOString() }],
    ['a startTime after the answer', { startTime: new Date(T0 + MIN).toISOString() }],
    ['a startTime at the very moment of the answer', { startTime: new Date(T0).toISOString() }],
    ['a startTime that is not a date', { startTime: 'yesterday' }],
  ])('no start to measure from: %s', (_, extra) => {
    const eta = new EtaTracker();
    eta.observe(T0, { ...running(40), ...extra });
    expect(eta.rateEta()).toBeUndefined();
  });

  it('the startTime counts only for the first answer: later ones are measured on their own', () => {
    const startTime = new Date(T0 - 60 * MIN).toISOString();
    // 40 % in the hour before the watch, then 10 points a minute for four minutes
    const eta = track(
      [
        [0, 40],
        [60, 50],
        [120, 60],
        [180, 70],
        [240, 80],
      ],
      { startTime },
    );
    expect(eta.rateEta()).toEqual({ at: T0 + 6 * MIN, source: 'rate' });
  });

  it('a job found at 0 % has made no progress since its start: no estimate', () => {
    expect(track([[0, 0]], { startTime: new Date(T0 - MIN).toISOString() }).rateEta()).toBeUndefined();
  });
});

describe('ETA: the server’s estimate', () => {
  const estimatedCompletion = '2026-01-01T11:30:00.000Z';

  it('is the estimate while no rate is known', () => {
    const eta = track([[0, 10]], { estimatedCompletion });
    expect(eta.eta()).toEqual({ at: Date.parse(estimatedCompletion), source: 'server' });
  });

  it('gives way to the rate once there is one, and is still there as a hint', () => {
    const eta = track(
      [
        [0, 10],
        [60, 20],
      ],
      { estimatedCompletion },
    );
    expect(eta.eta()).toEqual({ at: T0 + 9 * MIN, source: 'rate' });
    expect(eta.serverEta()).toEqual({ at: Date.parse(estimatedCompletion), source: 'server' });
  });

  it('is forgotten when the server stops sending one, and ignored when it is not a date', () => {
    const eta = new EtaTracker();
    eta.observe(T0, running(10, { estimatedCompletion }));
    eta.observe(T0 + S, running(10));
    expect(eta.serverEta()).toBeUndefined();
    eta.observe(T0 + 2 * S, running(10, { estimatedCompletion: 'soon' }));
    expect(eta.eta()).toBeUndefined();
  });

  it('a status without a percentage keeps the estimate and measures nothing', () => {
    const eta = new EtaTracker();
    eta.observe(T0, { status: 'Pending', estimatedCompletion });
    eta.observe(T0 + MIN, { status: 'Pending', estimatedCompletion });
    expect(eta.eta()).toEqual({ at: Date.parse(estimatedCompletion), source: 'server' });
    expect(eta.rateEta()).toBeUndefined();
  });
});

describe('Pace: stopped, or only slow', () => {
  /** Answers at `seconds` after T0; those in `changes` brought a change. */
  function pace(answers: readonly number[], changes: readonly number[]): Pace {
    const p = new Pace(T0);
    for (const sec of answers) p.observe(T0 + sec * S, changes.includes(sec));
    return p;
  }

  it.each([
    // [what, answers, of which changed, now (s), stopped for (s) or undefined]
    ['moving on every answer', [0, 5, 10, 15, 20], [0, 5, 10, 15, 20], 21, undefined],
    ['two answers without change are not yet a stop', [0, 5, 10, 15], [0, 5], 16, undefined],
    [
      `${STOPPED_AFTER_POLLS} answers without change after steady moves`,
      [0, 5, 10, 15, 20, 25],
      [0, 5, 10],
      26,
      16,
    ],
    ['never moved at all, three answers', [0, 5, 10, 15], [0], 15, 15],
    ['three answers, none a change: still since the watch began', [5, 10, 15], [], 20, 20],
    ['nothing answered yet', [], [], 60, undefined],
    // changes every 3 minutes: still 5 minutes after the last is not yet twice the usual gap
    ['a bursty job between its bursts', [0, 180, 360, 400, 500, 600, 660], [0, 180, 360], 660, undefined],
    [
      'a bursty job twice its usual gap after its last burst',
      [0, 180, 360, 400, 500, 600, 720],
      [0, 180, 360],
      720,
      360,
    ],
    ['a bursty job long after its last burst', [0, 180, 360, 400, 500, 600, 730], [0, 180, 360], 730, 370],
  ] as const)('%s', (_, answers, changes, now, stopped) => {
    expect(pace(answers, changes).stoppedFor(T0 + now * S)).toBe(
      stopped === undefined ? undefined : stopped * S,
    );
  });

  it('one quick change does not make the usual gap quick', () => {
    // gaps of 100 s, then one of 10 s: 100 s of stillness is still within the usual
    const answers = [0, 100, 200, 300, 310, 330, 350, 370, 390, 410];
    expect(pace(answers, [0, 100, 200, 300, 310]).stoppedFor(T0 + 410 * S)).toBeUndefined();
  });

  it('the usual gap follows the job: recent gaps weigh more than old ones', () => {
    // gaps of 100 s, then of 10 s: after a few, a stop of 60 s is a stop
    const answers = [0, 100, 200, 300, 310, 320, 330, 340, 350, 360, 370, 380, 390, 400, 420, 440, 460];
    const p = pace(
      answers,
      answers.filter((sec) => sec <= 400),
    );
    expect(p.stoppedFor(T0 + 460 * S)).toBe(60 * S);
  });
});
