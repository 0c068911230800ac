import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { scriptedServer, sendJson } from '../support/servers.js';
import { BIN, cleanEnv } from '../support/spawn.js';

// What a real terminal keeps: tmux, whose scrollback a live display must not fill. (tmux is
// Debian's package; .ci/run installs it where it is missing.)
let sim: Simulator;
/** Jobs of a minute: they move for the whole of a test. */
let long: Simulator;
const socket = `export-status-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: cleanEnv() }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const screenOf = (session: string) => tmux('capture-pane', '-p', '-t', session);

/** Reads the screen every 100 ms until `done` says so or 20 s pass; returns the last screen. */
async function screenUntil(session: string, done: (screen: string) => boolean): Promise<string> {
  const deadline = Date.now() + 20_000;
  let screen = screenOf(session);
  while (Date.now() < deadline && !done(screen)) {
    await sleep(100);
    screen = screenOf(session);
  }
  return screen;
}

function watchIn(session: string, size: { x: number; y: number }, base: string, args: string) {
  const command = `"${process.execPath}" "${BIN}" watch --base-url ${base} ${args}; sleep 60`;
  tmux('new-session', '-d', '-x', String(size.x), '-y', String(size.y), '-s', session, command);
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 4000 });
  long = await startSimulator({ port: 0, durationMs: 60_000 });
});
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await sim.close();
  await long.close();
});

describe('in tmux', () => {
  it('a live display that starts on the top row adds nothing to the scrollback', async () => {
    const command = `"${process.execPath}" "${BIN}" watch --base-url ${sim.baseUrl} success-tmux-1 --interval 200ms; sleep 60`;
    tmux('new-session', '-d', '-x', '100', '-y', '24', '-s', 'watch', command);
    const deadline = Date.now() + 20_000;
    let screen = '';
    while (Date.now() < deadline && !screen.includes('Successful in')) {
      await new Promise((r) => setTimeout(r, 200));
      screen = tmux('capture-pane', '-p', '-t', 'watch');
    }
    expect(screen).toContain('Successful in');
    // A display redrawn with erase-down at the top row pushed ~4 lines a second into the history.
    expect(Number(tmux('display-message', '-p', '-t', 'watch', '#{history_size}'))).toBeLessThanOrEqual(2);
  });

  it('three jobs, resized 100 → 40 → 100 columns: no stale frame is left on screen', async () => {
    const ids = ['stuck-tmux-a', 'stuck-tmux-b', 'stuck-tmux-c'];
    watchIn('resize', { x: 100, y: 24 }, sim.baseUrl, `${ids.join(' ')} --interval 200ms --timeout 30s`);
    // the display is up (however long the process took to start on a busy machine)
    await screenUntil('resize', (screen) => (screen.match(/In Progress/g) ?? []).length === 3);
    tmux('resize-window', '-t', 'resize', '-x', '40');
    await sleep(1200);
    tmux('resize-window', '-t', 'resize', '-x', '100');
    await sleep(1200);
    const screen = tmux('capture-pane', '-p', '-t', 'resize');
    // each job's line once: nothing left over from the frames drawn at the other widths
    for (const id of ids) expect(screen.split('\n').filter((line) => line.includes(id))).toHaveLength(1);
    expect(screen.split('\n').filter((line) => line.includes('In Progress'))).toHaveLength(3);
  });

  it('ten moving jobs, resized 200 → 80 → 40 → 200 columns: exactly one frame on the screen', async () => {
    // 30-character IDs: whole at 200 columns; lines of some 130 columns, which re-wrap when narrowed
    const ids = Array.from({ length: 10 }, (_, i) => `success-resize-${i}-${'x'.repeat(14)}`);
    watchIn('ten', { x: 200, y: 24 }, long.baseUrl, `${ids.join(' ')} --interval 200ms --timeout 50s`);
    const wide = await screenUntil('ten', (screen) => (screen.match(/In Progress/g) ?? []).length === 10);
    for (const id of ids) expect(wide).toContain(`${id}  In Progress`);
    for (const columns of [80, 40, 200]) {
      tmux('resize-window', '-t', 'ten', '-x', String(columns));
      await sleep(1500);
      if (columns === 80) {
        // each line keeps a bar, shrunk or not
        const rows = screenOf('ten')
          .split('\n')
          .filter((row) => row.includes('In Progress'));
        expect(rows).toHaveLength(10);
        for (const row of rows) expect(row).toMatch(/[█░]{8}/);
      }
    }
    const rows = screenOf('ten')
      .split('\n')
      .filter((row) => row.trim() !== '');
    // one row a job, each whole again, and nothing else: no half line of an older frame
    expect(rows).toHaveLength(10);
    for (const id of ids) expect(rows.filter((row) => row.includes(`${id}  In Progress`))).toHaveLength(1);
  });

  it('Ctrl-Z takes the display away and shows the cursor; fg in a narrower terminal draws it to fit', async () => {
    const ids = ['stuck-suspend-a', 'stuck-suspend-b', 'stuck-suspend-c'];
    const jobRows = (screen: string, id: string) =>
      screen.split('\n').filter((row) => row.includes(`${id}  In Progress`));
    const cursorShown = () => tmux('display-message', '-p', '-t', 'suspend', '#{cursor_flag}') === '1';
    tmux('new-session', '-d', '-x', '100', '-y', '24', '-s', 'suspend', 'bash --norc --noprofile -i');
    const watch = `"${process.execPath}" "${BIN}" watch --base-url ${sim.baseUrl} ${ids.join(' ')}`;
    tmux('send-keys', '-t', 'suspend', `${watch} --interval 200ms --timeout 50s`, 'Enter');
    // rows with their bars, wider than the 40 columns to come
    const wide = await screenUntil('suspend', (screen) => (screen.match(/░ /g) ?? []).length === 3);
    for (const id of ids) expect(jobRows(wide, id)[0]?.length).toBeGreaterThan(40);
    expect(cursorShown()).toBe(false);

    tmux('send-keys', '-t', 'suspend', 'C-z');
    const stopped = await screenUntil('suspend', (screen) => screen.includes('Stopped'));
    for (const id of ids) expect(jobRows(stopped, id)).toHaveLength(0);
    expect(cursorShown()).toBe(true);

    // a job stopped while its terminal is resized hears no SIGWINCH, then or after fg
    tmux('resize-window', '-t', 'suspend', '-x', '40');
    tmux('send-keys', '-t', 'suspend', 'fg', 'Enter');
    await sleep(1500);
    const resumed = screenOf('suspend');
    for (const id of ids) {
      // once, in one row of its own: cut to 40 columns, nothing wrapped onto a row below
      const [row, ...more] = jobRows(resumed, id);
      expect(more).toHaveLength(0);
      expect(row).toMatch(/(\d+(ms|s)|…)$/);
    }
    expect(cursorShown()).toBe(false);

    // and the summary is laid out for 40 columns: no line of it wraps (-J joins what wrapped)
    tmux('send-keys', '-t', 'suspend', 'C-c');
    await screenUntil('suspend', (screen) => screen.includes('3 jobs: 3 interrupted'));
    const joined = tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'suspend').split('\n');
    const first = joined.indexOf('⚠ stuck-suspend-a  Stopped watching');
    const last = joined.findIndex((line) => line.startsWith('3 jobs:'));
    expect(first).toBeGreaterThan(0);
    const summary = joined.slice(first, last + 1);
    expect(summary.length).toBeGreaterThan(20);
    for (const line of summary) expect(line.length).toBeLessThanOrEqual(40);
  });

  it('a job of two that fails is on the screen, Failed, while the other still runs', async () => {
    // failure-… fails at 60 % of the simulator's 4 s; success-… is a job of a minute on another
    const failing = `${sim.baseUrl}/content/export/failure-shown-a/status`;
    watchIn(
      'ends',
      { x: 120, y: 20 },
      long.baseUrl,
      `${failing} success-shown-b --interval 200ms --timeout 50s`,
    );
    const screen = await screenUntil('ends', (text) => text.includes('Failed'));
    const failedRow = screen.split('\n').find((row) => row.includes('failure-shown-a'));
    expect(failedRow).toMatch(/✖ failure-shown-a {2}Failed after \S+ {2}Connection timeout/);
    expect(screen).toMatch(/success-shown-b\s+(Pending|In Progress)/);
  });

  it('a job whose progress stops says "no progress" within five intervals, at 80 columns', async () => {
    watchIn('stops', { x: 80, y: 20 }, sim.baseUrl, 'stuck-shown-1 --interval 200ms --timeout 30s');
    const screen = await screenUntil('stops', (text) => text.includes('no progress for'));
    // how long nothing had moved when the display first said so: at most five intervals of 200 ms
    const still = /no progress for (\d+)(ms|s)/.exec(screen);
    expect(still).not.toBeNull();
    const ms = Number(still?.[1]) * (still?.[2] === 's' ? 1000 : 1);
    expect(ms).toBeLessThanOrEqual(1000);
    expect(screen).toContain('42%');
  });

  it('a 503 with Retry-After: 2 shows a retry note next to the job’s percentage', async () => {
    const server = await scriptedServer((_req, res, n) => {
      if (n === 1)
        return sendJson(res, 200, {
          status: 'In Progress',
          progress: { processed: 1800, total: 4500, percentage: 40 },
        });
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end(JSON.stringify({ code: '503-100', developerMessage: 'Service temporarily unavailable.' }));
    });
    try {
      watchIn('retry', { x: 80, y: 20 }, server.url, 'J-retry --interval 200ms --timeout 30s');
      const screen = await screenUntil('retry', (text) => text.includes('retry in'));
      const row = screen.split('\n').find((line) => line.includes('J-retry')) ?? '';
      expect(row).toMatch(/HTTP 503, retry in \d/);
      expect(row).toContain('40%');
    } finally {
      await server.close();
    }
  });

  it('a moving job whose server estimate is long past never reads "overdue"', async () => {
    // the API's own example documents carry estimates in 2025
    const server = await scriptedServer((_req, res, n) =>
      sendJson(res, 200, {
        status: 'In Progress',
        progress: { processed: n * 45, total: 4500, percentage: n },
        estimatedCompletion: '2025-06-01T10:00:00Z',
      }),
    );
    try {
      watchIn('stale', { x: 120, y: 20 }, server.url, 'J-stale --interval 200ms --timeout 30s');
      const screens: string[] = [];
      await screenUntil('stale', (text) => {
        screens.push(text);
        return /J-stale.*\b(1[5-9]|[2-9]\d)%/.test(text);
      });
      expect(screens.some((text) => text.includes('ETA'))).toBe(true);
      for (const text of screens) expect(text).not.toMatch(/overdue|no progress/);
    } finally {
      await server.close();
    }
  });
});
