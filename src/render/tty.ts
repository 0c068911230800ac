import type { JobRef } from '../api/urls.js';
import type { Clock } from '../core/clock.js';
import { sanitize } from '../core/sanitize.js';
import { askSize, type Sink } from '../io/streams.js';
import type { JobResult } from '../poll/job.js';
import type { PollEvent } from '../poll/poller.js';
import { truncateTo, visibleWidth } from './fit.js';
import { jobLine, type LineStyle } from './job-line.js';
import { JobState } from './job-state.js';
import type { Progress } from './progress.js';
import { labelsFor, printableId } from './short-id.js';
import { headline } from './summary.js';
import { symbolsFor } from './symbols.js';

const ESC = '\u001b[';
/** The control sequences the display writes; the tests look for these very strings. */
export const HIDE_CURSOR = `${ESC}?25l`;
export const SHOW_CURSOR = `${ESC}?25h`;
export const cursorUp = (rows: number) => `${ESC}${rows}A`;
/** Terminals that know it draw a frame at once instead of line by line; others ignore it. */
const BEGIN_FRAME = `${ESC}?2026h`;
const END_FRAME = `${ESC}?2026l`;
/** Erases the row the cursor is on (and nothing else: no screen clear, no scrollback). */
export const ERASE_LINE = `${ESC}2K`;

export const FRAMES = {
  unicode: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
  ascii: ['-', '\\', '|', '/'],
};
/**
 * The display's one timer: the spinner turns, and the lines are made again when the second they
 * show (elapsed times, ETA countdowns) has changed. Each wake-up of an idle process costs CPU,
 * far more than the write, so the spinner turns three times a second: plainly alive, at a
 * quarter of the wake-ups of ora's 80 ms (the figures behind this are in BENCHMARKS.md).
 */
export const FRAME_MS = 333;
const DEFAULT_ROWS = 24;

/** What the live display needs from the process: time, and a last word when it exits. */
export interface TtyEnvironment {
  clock: Pick<Clock, 'now' | 'every'>;
  /** Calls `handler` when the process exits, however it exits; returns the function that stops it. */
  onExit(handler: () => void): () => void;
  /** Ctrl-Z: `suspend` before the process stops, `resume` when fg continues it; returns the function that stops it. */
  onSuspend(suspend: () => void, resume: () => void): () => void;
}

/**
 * Progress in an interactive terminal: a spinner on stderr and one line per running job below
 * it, redrawn in place. When one of several jobs ends, a line saying how goes above the block at
 * that moment, and stays there.
 *
 * The lines are made when something they show changes (an event, the elapsed second, the
 * terminal's size); in between, a turn of the spinner rewrites the same lines with a new frame
 * in one write. Every line is cut to the terminal's width when it is made, so the block is
 * exactly as many rows as it has lines. A terminal made narrower re-wraps what it shows (tmux,
 * iTerm2, VTE, Windows Terminal and xterm.js do): a row drawn N columns wide then takes
 * ceil(N / columns) rows, and that is how many are erased.
 */
export function createTtyProgress(
  err: Sink,
  out: Sink,
  style: LineStyle,
  environment: TtyEnvironment,
): Progress {
  const progress = new TtyProgress(err, out, style, environment);
  // A terminal that is resized gets lines that fit its new width at once.
  const stream = err as Partial<NodeJS.WriteStream>;
  if (typeof stream.on === 'function') {
    const redraw = () => progress.resized();
    stream.on('resize', redraw);
    progress.onStop(() => stream.off?.('resize', redraw));
  }
  return progress;
}

class TtyProgress implements Progress {
  /** The display keeps its own time: see FRAME_MS. */
  readonly tickMs = undefined;
  readonly interactive = true;
  private readonly jobs = new Map<string, JobState>();
  /** Each job's label: its whole ID, and the shortest prefix told apart from the others. */
  private readonly labels = new Map<string, { whole: string; short: string }>();
  /** More than one job: each one's end gets a line of its own as it happens. */
  private several = false;
  private readonly frames: readonly string[];
  private frame = 0;
  /** The job lines, as drawn after the spinner frame, how many rows they take, and when made. */
  private lines = '';
  /** The visible width of each row of the block (the spinner's frame included). */
  private lineWidths: number[] = [];
  private linesSecond = 0;
  /** When the watch started: elapsed times turn over on its seconds. */
  private origin = 0;
  /** The widths of the rows on screen now (none: nothing drawn). */
  private drawn: readonly number[] = [];
  private running = false;
  private stopped = false;
  /** The display is asking the terminal its size: a resize that this finds is handled there. */
  private measuring = false;
  private readonly stopHooks: Array<() => void> = [];

  constructor(
    private readonly err: Sink,
    private readonly out: Sink,
    private readonly style: LineStyle,
    private readonly environment: TtyEnvironment,
  ) {
    // Coloured once: a frame is drawn three times a second.
    this.frames = (style.unicode ? FRAMES.unicode : FRAMES.ascii).map((frame) => style.color.cyan(frame));
  }

  start(jobs: readonly JobRef[], now: number): void {
    const short = labelsFor(jobs.map((job) => job.id));
    for (const job of jobs) {
      const whole = printableId(job.id);
      this.labels.set(job.url, { whole, short: short.get(job.id) ?? whole });
      this.jobs.set(job.url, new JobState(job, now));
    }
    this.several = jobs.length > 1;
    this.origin = now;
    this.running = true;
    // However the process ends (a closed pipe exits at once), the cursor comes back.
    this.stopHooks.push(this.environment.onExit(() => this.err.write(SHOW_CURSOR)));
    // Ctrl-Z gives the shell a clean terminal, its cursor shown; fg draws the display again below
    // what the shell printed meanwhile, for the terminal's size then.
    this.stopHooks.push(
      this.environment.onSuspend(
        () => this.suspend(),
        () => this.resume(),
      ),
    );
    this.stopHooks.push(
      this.environment.clock.every(FRAME_MS, () => {
        this.frame = (this.frame + 1) % this.frames.length;
        const now = this.environment.clock.now();
        if (!this.measure() && this.secondOf(now) !== this.linesSecond) this.setLines(this.text(now), now);
        this.draw();
      }),
    );
    askSize(this.err);
    this.setLines(this.text(now), now);
    this.err.write(HIDE_CURSOR);
    this.draw();
  }

  event(event: PollEvent): void {
    const state = this.jobs.get(event.job.url);
    if (!state) return;
    state.apply(event);
    if (event.type === 'result') this.jobs.delete(event.job.url);
    if (event.type !== 'result' || !this.several) {
      this.refresh();
      return;
    }
    // The job's row leaves the block and its end is said above it, in the same write.
    const line = this.endLine(event.result);
    if (this.jobs.size === 0) {
      this.refresh();
      this.err.write(`${line}\n`);
      return;
    }
    const now = this.environment.clock.now();
    this.setLines(this.text(now), now);
    this.log(line);
  }

  log(line: string): void {
    this.measure();
    this.err.write(`${this.erase()}${line}\n${this.block()}`);
    this.drawn = this.running ? this.lineWidths : [];
  }

  writeOut(text: string): void {
    this.measure();
    if (this.drawn.length > 0) this.err.write(this.erase());
    this.drawn = [];
    this.out.write(text);
    this.draw();
  }

  tick(): void {
    this.refresh();
  }

  private suspend(): void {
    if (!this.running) return;
    this.measure();
    this.err.write(`${this.erase()}${SHOW_CURSOR}`);
    this.drawn = [];
  }

  private resume(): void {
    if (!this.running) return;
    this.err.write(HIDE_CURSOR);
    this.tick();
  }

  /** The terminal said it was resized: lines that fit it, at once. */
  resized(): void {
    if (!this.measuring) this.refresh();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.measure();
    this.running = false;
    this.err.write(`${this.erase()}${SHOW_CURSOR}`);
    this.drawn = [];
    for (const hook of this.stopHooks) hook();
  }

  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  private refresh(): void {
    if (!this.running) return;
    this.measure();
    if (this.jobs.size === 0) {
      // Every job has its result: the display goes; the summary is next.
      this.err.write(this.erase());
      this.drawn = [];
      this.running = false;
      return;
    }
    const now = this.environment.clock.now();
    this.setLines(this.text(now), now);
    this.draw();
  }

  /**
   * Asks the terminal its size before anything is erased or drawn: a frame drawn for a width the
   * terminal no longer has (its SIGWINCH not handled yet, or never sent) would erase too few of
   * the rows the terminal had re-wrapped, and leave parts of old frames on the screen.
   * True when the size changed: the lines are then made again for it.
   */
  private measure(): boolean {
    const { columns, rows } = this.err;
    this.measuring = true;
    try {
      askSize(this.err);
    } finally {
      this.measuring = false;
    }
    if (this.err.columns === columns && this.err.rows === rows) return false;
    if (this.running) {
      const now = this.environment.clock.now();
      this.setLines(this.text(now), now);
    }
    return true;
  }

  private draw(): void {
    if (!this.running) return;
    this.err.write(`${BEGIN_FRAME}${this.erase()}${this.block()}${END_FRAME}`);
    this.drawn = this.lineWidths;
  }

  private block(): string {
    if (!this.running) return '';
    return `${this.frames[this.frame] ?? ''} ${this.lines}`;
  }

  private setLines(lines: string, now: number): void {
    this.lines = lines;
    // The first row follows the spinner's frame and a space; the others carry their indent.
    this.lineWidths = lines.split('\n').map((row, i) => visibleWidth(row) + (i === 0 ? 2 : 0));
    this.linesSecond = this.secondOf(now);
  }

  private secondOf(now: number): number {
    return Math.floor((now - this.origin) / 1000);
  }

  /**
   * The display's own rows erased, one by one from its last up to its first, where the cursor is
   * left. Never "erase down" from the start of a row: tmux takes that at the top of the screen
   * for a screen clear and pushes the whole screen into its scrollback, every frame.
   */
  private erase(): string {
    const rows = rowsOnScreen(this.drawn, this.err.columns);
    if (rows === 0) return '';
    return `\r${ERASE_LINE}${`${cursorUp(1)}${ERASE_LINE}`.repeat(rows - 1)}`;
  }

  /** "✖ failure-a  Failed after 3s  <the first line of its error>". */
  private endLine(result: JobResult): string {
    const { color: c } = this.style;
    const head = headline(result, { color: c, symbols: symbolsFor(this.style.unicode) });
    // The error may carry the server's words: only ever printed sanitised.
    const error = result.error ? `  ${c.dim(sanitize(result.error.split('\n')[0] ?? '', 300))}` : '';
    return `${head.replaceAll('\u00a0', ' ')}${error}`;
  }

  private text(now: number): string {
    // A display taller than the terminal cannot be redrawn in place: show what fits, then a count.
    const room = Math.max(1, (this.err.rows || DEFAULT_ROWS) - 2);
    const states = [...this.jobs.values()];
    const shown = states.length > room ? states.slice(0, room - 1) : states;
    // Each line fits the terminal: the spinner frame and a space (or the indent) come before it.
    const width = Math.max(10, (this.err.columns || 80) - 2);
    this.label(states, width);
    const lines = shown.map((s) => jobLine(s, now, this.style, width));
    if (shown.length < states.length)
      lines.push(truncateTo(this.style.color.dim(`… and ${states.length - shown.length} more jobs`), width));
    // The spinner frame precedes the first line; later lines are indented to match.
    return lines.join('\n  ');
  }

  /**
   * Whole IDs (someone may copy one off the screen) when the longest takes at most a quarter of
   * the line; else the shortest prefixes that tell them apart. Padded alike, so the columns after
   * them line up across jobs.
   */
  private label(states: readonly JobState[], width: number): void {
    const labels = states.map((s) => this.labels.get(s.job.url) ?? { whole: s.job.id, short: s.job.id });
    const longest = Math.max(0, ...labels.map((l) => l.whole.length));
    const whole = longest <= Math.max(WHOLE_ID_MIN, Math.floor(width / 4));
    const chosen = labels.map((l) => (whole ? l.whole : l.short));
    const pad = Math.max(0, ...chosen.map((l) => l.length));
    states.forEach((s, i) => {
      s.label = (chosen[i] ?? '').padEnd(pad);
    });
  }
}

/** An ID this long is shown whole however narrow the terminal. */
const WHOLE_ID_MIN = 14;

/**
 * How many rows a block whose rows were drawn `widths` columns wide takes now that the terminal
 * is `columns` wide: a row wider than the terminal has been re-wrapped onto several.
 */
export function rowsOnScreen(widths: readonly number[], columns: number | undefined): number {
  if (!columns || columns <= 0) return widths.length;
  return widths.reduce((rows, width) => rows + Math.max(1, Math.ceil(width / columns)), 0);
}
