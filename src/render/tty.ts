import type { Ora } from 'ora';
import type { JobRef } from '../api/urls.js';
import type { Sink } from '../io/streams.js';
import type { PollEvent } from '../poll/poller.js';
import { truncateTo } from './fit.js';
import { jobLine, type LineStyle } from './job-line.js';
import { JobState } from './job-state.js';
import type { Progress } from './progress.js';

/**
 * Progress in an interactive terminal: one ora spinner on stderr whose text holds one line per
 * running job. ora is loaded only here, so pipes and CI never pay for it.
 */
export async function createTtyProgress(
  err: Sink,
  out: Sink,
  style: LineStyle,
  now: () => number,
): Promise<Progress> {
  const { default: ora } = await import('ora');
  const spinner = ora({
    stream: err as NodeJS.WritableStream,
    isEnabled: true,
    // ora's default puts stdin in raw mode, where Ctrl-C never becomes SIGINT.
    discardStdin: false,
    hideCursor: true,
    // ora's default 80 ms frame costs ~0.6 s CPU a minute here; 120 ms looks as lively at two thirds of it.
    interval: 120,
    color: style.color.level > 0 ? 'cyan' : false,
  });
  const progress = new TtyProgress(spinner, err, out, style, now);
  // A terminal that is resized gets lines that fit its new width at once.
  const stream = err as Partial<NodeJS.WriteStream>;
  if (typeof stream.on === 'function') {
    const redraw = () => progress.tick();
    stream.on('resize', redraw);
    progress.onStop(() => stream.off?.('resize', redraw));
  }
  return progress;
}

const DEFAULT_ROWS = 24;

class TtyProgress implements Progress {
  /** Elapsed times and ETA countdowns are shown to the second. */
  readonly tickMs = 1_000;
  readonly interactive = true;
  private readonly jobs = new Map<string, JobState>();
  private stopped = false;
  private readonly stopHooks: Array<() => void> = [];

  constructor(
    private readonly spinner: Ora,
    private readonly err: Sink,
    private readonly out: Sink,
    private readonly style: LineStyle,
    private readonly now: () => number,
  ) {}

  start(jobs: readonly JobRef[], now: number): void {
    for (const job of jobs) this.jobs.set(job.url, new JobState(job, now));
    this.spinner.start(this.text(now));
  }

  event(event: PollEvent): void {
    const state = this.jobs.get(event.job.url);
    if (!state) return;
    state.apply(event);
    if (event.type === 'result') this.jobs.delete(event.job.url);
    this.refresh();
  }

  log(line: string): void {
    this.above(() => this.err.write(`${line}\n`));
  }

  writeOut(text: string): void {
    this.above(() => this.out.write(text));
  }

  tick(): void {
    this.refresh();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.spinner.stop();
    for (const hook of this.stopHooks) hook();
  }

  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  private refresh(): void {
    if (this.stopped) return;
    if (this.jobs.size === 0) {
      this.spinner.stop();
      return;
    }
    this.spinner.text = this.text(this.now());
  }

  /** Clears the spinner, writes, and draws it again below what was written. */
  private above(write: () => void): void {
    const spinning = this.spinner.isSpinning;
    if (spinning) this.spinner.clear();
    write();
    if (spinning) this.spinner.render();
  }

  private text(now: number): string {
    // A spinner taller than the terminal cannot be redrawn in place: show what fits, then a count.
    const room = Math.max(1, (this.err.rows || DEFAULT_ROWS) - 2);
    const states = [...this.jobs.values()];
    const shown = states.length > room ? states.slice(0, room - 1) : states;
    // Each line fits the terminal: the spinner frame and a space (or the indent) come before it.
    const width = Math.max(10, (this.err.columns || 80) - 2);
    const lines = shown.map((s) => jobLine(s, now, this.style, width));
    if (shown.length < states.length)
      lines.push(truncateTo(this.style.color.dim(`… and ${states.length - shown.length} more jobs`), width));
    // The spinner frame precedes the first line; later lines are indented to match.
    return lines.join('\n  ');
  }
}
