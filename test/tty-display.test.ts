import { describe, expect, it } from 'vitest';
import type { ExportStatus } from '../src/api/schema.js';
import type { JobRef } from '../src/api/urls.js';
import { makeChalk } from '../src/io/color.js';
import type { JobResult } from '../src/poll/job.js';
import type { PollEvent } from '../src/poll/poller.js';
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

/** A write without the marks that begin and end a frame. */
const withoutFrameMarks = (write: string) =>
  write.replaceAll('\u001b[?2026h', '').replaceAll('\u001b[?2026l', '');

/** An answer for `job`: In Progress, 40 %. */
function pollOf(job: JobRef | undefined): PollEvent {
  if (!job) throw new Error('no job');
  const status = { status: 'In Progress', processedCount: 40, totalCount: 100 } as ExportStatus;
  return { type: 'poll', job, at: 0, status, changed: true, eta: undefined };
}

/** The end of `job`: failed after 3 s. */
function endOf(job: JobRef | undefined): PollEvent {
  if (!job) throw new Error('no job');
  return { type: 'result', job, at: 0, result: failedAfter3s(job, 'refused') };
}

function display(jobs: number, ids = Array.from({ length: jobs }, (_, i) => `job-${i}`)) {
  const writes: string[] = [];
  const resizeListeners = new Set<() => void>();
  const terminal = {
    isTTY: true,
    columns: 100,
    rows: 30,
    write: (text: string) => writes.push(text),
    /** The terminal's width now, when the process has not heard of it yet (its SIGWINCH to come). */
    screenColumns: undefined as number | undefined,
    on: (event: string, listener: () => void) => {
      if (event === 'resize') resizeListeners.add(listener);
    },
    off: (_event: string, listener: () => void) => resizeListeners.delete(listener),
    /** As node's tty stream: reads the size again, and says 'resize' if it changed. */
    _refreshSize() {
      if (terminal.screenColumns === undefined || terminal.screenColumns === terminal.columns) return;
      terminal.columns = terminal.screenColumns;
      for (const listener of resizeListeners) listener();
    },
  };
  let t = Date.parse('2026-01-01T00:00:00Z');
  let turn: (() => void) | undefined;
  const exitHandlers = new Set<() => void>();
  let suspension: { suspend: () => void; resume: () => void } | undefined;
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
      onSuspend: (suspend, resume) => {
        suspension = { suspend, resume };
        return () => {
          suspension = undefined;
        };
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
    /** Ctrl-Z, as the process would hear it; undefined once the display no longer listens. */
    get suspension() {
      return suspension;
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

  it('Ctrl-Z: erased and the cursor shown before the process stops; fg hides it and draws again, for the size then', () => {
    const d = display(2, ['a'.repeat(60), 'b'.repeat(60)]);
    d.terminal.columns = 200;
    d.frame(1000);
    d.suspension?.suspend();
    expect(d.writes.at(-1)).toBe(`\r${ERASE_LINE}${UP(1)}${ERASE_LINE}${SHOW}`);
    // resized while stopped (a stopped job hears no SIGWINCH), then fg: the shell's lines are
    // above the cursor now, and none of them is erased
    d.terminal.screenColumns = 40;
    d.suspension?.resume();
    const [hide, frame] = d.writes.slice(-2);
    expect(hide).toBe(HIDE);
    expect(frame).not.toContain(ERASE_LINE);
    const rows = withoutFrameMarks(frame ?? '').split('\n');
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(40);
    // after the display stops, Ctrl-Z is the shell's own again
    d.progress.stop();
    expect(d.suspension).toBeUndefined();
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

  describe('a terminal narrowed before the process hears of it: what is erased counts the re-wrapped rows', () => {
    /** The widths of the rows of the block in a write: what follows its last erase (a job's end line is not the block's). */
    const rowWidths = (write: string) =>
      withoutFrameMarks(write.split(ERASE_LINE).at(-1) ?? '')
        .split('\n')
        .filter((row) => !row.startsWith('✖'))
        .map((row) => row.length);
    const erasedRows = (write: string) => write.split(ERASE_LINE).length - 1;
    const cases: Array<[string, (d: ReturnType<typeof display>) => void]> = [
      ['the spinner turns', (d) => d.frame()],
      ['an answer comes', (d) => d.progress.event(pollOf(d.refs[1]))],
      ['a job of two ends', (d) => d.progress.event(endOf(d.refs[0]))],
      ['a line is logged above the block', (d) => d.progress.log('a warning')],
      ['stdout is written', (d) => d.progress.writeOut('{}\n')],
      ['the display stops', (d) => d.progress.stop()],
    ];
    it.each(cases)('when %s', (_when, act) => {
      const d = display(2, ['a'.repeat(60), 'b'.repeat(60)]);
      d.terminal.columns = 200;
      d.terminal.screenColumns = 200;
      // rows some 45 columns wide, drawn at 200
      const widths = rowWidths(d.frame(1000));
      // the terminal re-wraps them at 40 columns; node would say so at its next SIGWINCH
      d.terminal.screenColumns = 40;
      const before = d.writes.length;
      act(d);
      const expected = widths.reduce((rows, w) => rows + Math.ceil(w / 40), 0);
      expect(expected).toBeGreaterThan(2);
      expect(erasedRows(d.writes[before] ?? '')).toBe(expected);
      // what is drawn again fits the terminal as it is: a row each, no new re-wrapping
      for (const write of d.writes.slice(before))
        for (const w of rowWidths(write)) expect(w).toBeLessThanOrEqual(40);
    });

    it('the frame is drawn once, not once more for the resize it found', () => {
      const d = display(2, ['a'.repeat(60), 'b'.repeat(60)]);
      d.terminal.screenColumns = 40;
      const before = d.writes.length;
      d.frame();
      expect(d.writes.length).toBe(before + 1);
    });
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
