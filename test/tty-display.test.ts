import { describe, expect, it } from 'vitest';
import type { JobRef } from '../src/api/urls.js';
import { makeChalk } from '../src/io/color.js';
import type { JobResult } from '../src/poll/job.js';
import { makeFormatters } from '../src/render/format.js';
import {
  createTtyProgress,
  ERASE_LINE,
  FRAME_MS,
  HIDE_CURSOR as HIDE,
  SHOW_CURSOR as SHOW,
  cursorUp as UP,
} from '../src/render/tty.js';

// The terminal display's frames, written to a fake terminal on a hand-turned clock. (The real
// terminal is test/process/tty.test.ts.)

/** A job that failed after 3 s with `error`, as the poller ends it. */
function failedAfter3s(job: JobRef, error: string): JobResult {
  return {
    job,
    outcome: 'failed',
    exitCode: 1,
    status: { status: 'Failed' },
    raw: null,
    error,
    polls: 1,
    elapsedMs: 3000,
  };
}

function display(jobs: number, ids = Array.from({ length: jobs }, (_, i) => `job-${i}`)) {
  const writes: string[] = [];
  const terminal = { isTTY: true, columns: 100, rows: 30, write: (text: string) => writes.push(text) };
  let t = Date.parse('2026-01-01T00:00:00Z');
  let turn: (() => void) | undefined;
  const exitHandlers = new Set<() => void>();
  const progress = createTtyProgress(
    terminal,
    { write: () => {} },
    { color: makeChalk(false), format: makeFormatters({ utc: true }), unicode: true },
    {
      clock: {
        now: () => t,
        every: (ms, fn) => {
          expect(ms).toBe(FRAME_MS);
          turn = fn;
          return () => {
            turn = undefined;
          };
        },
      },
      onExit: (handler) => {
        exitHandlers.add(handler);
        return () => exitHandlers.delete(handler);
      },
    },
  );
  const refs = ids.map((id) => ({ id, url: `http://h/${id}` }));
  progress.start(refs, t);
  return {
    progress,
    writes,
    terminal,
    refs,
    exitHandlers,
    /** Moves the clock on by `ms` and turns the spinner, as its timer would. */
    frame(ms = FRAME_MS) {
      t += ms;
      turn?.();
      return writes.at(-1) ?? '';
    },
    get ticking() {
      return turn !== undefined;
    },
  };
}

describe('the terminal display', () => {
  it('hides the cursor, then draws the spinner and one line per job in one write a frame', () => {
    const d = display(1);
    expect(d.writes[0]).toBe(HIDE);
    expect(d.writes[1]).toContain('⠋ job-0');
    const before = d.writes.length;
    const next = d.frame();
    expect(d.writes.length).toBe(before + 1);
    expect(next).toContain('⠙ job-0');
  });

  it('within a second only the spinner turns; the lines are made again when the second changes', () => {
    const d = display(1);
    const strip = (frame: string) => frame.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, '*');
    const first = d.frame(100);
    const second = d.frame(100);
    expect(second).not.toBe(first);
    expect(strip(second)).toBe(strip(first));
    // Made at the start and not since: 200 ms on, it still says what it said then.
    expect(second).toContain('  0ms');
    expect(d.frame(1000)).toContain('  1s');
  });

  it('erases exactly the rows it drew, each on its own, from the last up to the first; never erase-down', () => {
    const d = display(3);
    const frame = d.frame();
    expect(frame).toContain(`\r${ERASE_LINE}${UP(1)}${ERASE_LINE}${UP(1)}${ERASE_LINE}`);
    expect(frame).not.toContain('\u001b[J');
    const single = display(1).frame();
    expect(single).toContain(`\r${ERASE_LINE}`);
    expect(single).not.toContain(UP(1));
  });

  it('stops for good: erased, the cursor shown, no timer, no exit hook left', () => {
    const d = display(2);
    expect(d.exitHandlers.size).toBe(1);
    d.progress.stop();
    expect(d.writes.at(-1)).toBe(`\r${ERASE_LINE}${UP(1)}${ERASE_LINE}${SHOW}`);
    expect(d.ticking).toBe(false);
    expect(d.exitHandlers.size).toBe(0);
  });

  it('shows the cursor again if the process exits while it runs', () => {
    const d = display(1);
    for (const handler of d.exitHandlers) handler();
    expect(d.writes.at(-1)).toBe(SHOW);
  });

  it('keeps its own time: the watch starts no second timer for it', () => {
    expect(display(1).progress.tickMs).toBeUndefined();
  });

  it('a job of several that ends says so above the block at that moment, and its row leaves the block', () => {
    const d = display(2);
    const [failing] = d.refs;
    if (!failing) throw new Error('no job');
    const result = failedAfter3s(failing, 'the export failed: destination refused\nsecond line');
    d.progress.event({ type: 'result', job: failing, at: 0, result });
    const write = d.writes.at(-1) ?? '';
    // erased, the line, then the block of the job left
    const said = '✖ job-0  Failed after 3s  the export failed: destination refused';
    expect(write.startsWith(`\r${ERASE_LINE}${UP(1)}${ERASE_LINE}${said}\n⠋ job-1`)).toBe(true);
    expect(write).not.toContain('second line');
    expect(d.frame()).not.toContain('job-0');
  });

  it('the end line sanitises the error it shows: no escape sequence from the server reaches the terminal', () => {
    const d = display(2);
    const [failing] = d.refs;
    if (!failing) throw new Error('no job');
    const result = failedAfter3s(failing, 'refused \u001b]0;owned\u0007\u001b[31mred');
    d.progress.event({ type: 'result', job: failing, at: 0, result });
    const write = d.writes.at(-1) ?? '';
    expect(write).toContain('refused');
    expect(write).not.toContain('\u001b]0;');
    expect(write).not.toContain('\u001b[31m');
  });

  it('a single job gets no such line: its summary comes next', () => {
    const d = display(1);
    const [only] = d.refs;
    if (!only) throw new Error('no job');
    const result = {
      job: only,
      outcome: 'succeeded' as const,
      exitCode: 0,
      status: { status: 'Successful' },
      raw: null,
      error: null,
      polls: 1,
      elapsedMs: 1,
    };
    d.progress.event({ type: 'result', job: only, at: 0, result });
    expect(d.writes.join('')).not.toContain('✔');
  });

  it('a terminal made narrower re-wraps the rows: that many rows are erased', () => {
    const d = display(2, ['a'.repeat(60), 'b'.repeat(60)]);
    d.terminal.columns = 200;
    d.frame(1000);
    // rows some 45 columns wide, drawn at 200: at 40 each takes 2 rows
    d.terminal.columns = 40;
    const widths =
      (d.writes.at(-1) ?? '')
        .split(ERASE_LINE)
        .at(-1)
        ?.replace('\u001b[?2026l', '')
        .split('\n')
        .map((row) => row.length) ?? [];
    const expected = widths.reduce((rows, w) => rows + Math.ceil(w / 40), 0);
    expect(expected).toBeGreaterThan(2);
    const frame = d.frame();
    expect(frame.split(ERASE_LINE).length - 1).toBe(expected);
  });

  it('whole IDs when they fit; at 80 columns, the shortest prefixes that tell them apart', () => {
    const ids = ['nightly-export-2026-12-01-eu-1', 'nightly-export-2026-12-01-us-1'];
    const d = display(2, ids);
    d.terminal.columns = 200;
    const wide = d.frame(1000);
    for (const id of ids) expect(wide).toContain(`${id}  `);
    d.terminal.columns = 80;
    const narrow = d.frame(1000);
    expect(narrow).toContain('nightly-export-2026-12-01-e…');
    expect(narrow).not.toContain(ids[0]);
  });
});
