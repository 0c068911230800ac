import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { BIN, cleanEnv } from '../support/spawn.js';

// What a real terminal keeps: tmux, whose scrollback a live display must not fill. (tmux is
// Debian's package; .ci/run installs it where it is missing.)
let sim: Simulator;
const socket = `export-status-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: cleanEnv() }).trim();

beforeAll(async () => {
  sim = await startSimulator({ port: 0, durationMs: 4000 });
});
afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await sim.close();
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
    const command = `"${process.execPath}" "${BIN}" watch --base-url ${sim.baseUrl} ${ids.join(' ')} --interval 200ms --timeout 8s; sleep 60`;
    tmux('new-session', '-d', '-x', '100', '-y', '24', '-s', 'resize', command);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(1500);
    tmux('resize-window', '-t', 'resize', '-x', '40');
    await sleep(1200);
    tmux('resize-window', '-t', 'resize', '-x', '100');
    await sleep(1200);
    const screen = tmux('capture-pane', '-p', '-t', 'resize');
    // each job's line once: nothing left over from the frames drawn at the other widths
    for (const id of ids) expect(screen.split('\n').filter((line) => line.includes(id))).toHaveLength(1);
    expect(screen.split('\n').filter((line) => line.includes('In Progress'))).toHaveLength(3);
  });
});
