import type { ChalkInstance } from 'chalk';
import { type Env, makeChalk, supportsUnicode, wantsColor } from './color.js';

/** The little of a stream that the CLI needs; process.stdout and a test buffer both fit. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/**
 * What the terminal a run writes to can show, decided once per run: whether stderr can take a
 * live display, whether Unicode symbols show, how wide each stream is, and whether each takes
 * colour. Every command asks this object, never the streams or the environment themselves.
 */
export interface Terminal {
  out: Sink;
  err: Sink;
  unicode: boolean;
  /** stderr is a terminal that can take a live display: a TTY with a width, not TERM=dumb. */
  interactive: boolean;
  /** The width of stdout when it is a terminal, read when asked (a resize counts); else undefined. */
  outWidth(): number | undefined;
  /** The same for stderr. */
  errWidth(): number | undefined;
  /** Whether stdout and stderr take colour, given --no-color. */
  color(noColorFlag: boolean): { out: boolean; err: boolean };
}

/** One object owns the output streams and what they can show (colour, Unicode, width). */
export interface IO extends Terminal {
  /** Colour for what goes to stdout (summaries) and to stderr (progress, errors). */
  outColor: ChalkInstance;
  errColor: ChalkInstance;
}

const terminals = new WeakMap<object, Terminal>();

/**
 * Asks a terminal its size now, so that `columns` and `rows` are the terminal's at this moment.
 * Node reads them again only on SIGWINCH, which it handles after the timers and I/O already due,
 * and which a job stopped with Ctrl-Z and resumed with fg never gets. A stream that is not a
 * terminal (a pipe, a test's buffer) is left as it is. Node's stream says 'resize' when the size
 * has changed, as on SIGWINCH.
 */
export function askSize(sink: Sink): void {
  const stream = sink as Sink & { _refreshSize?: () => void };
  if (sink.isTTY && typeof stream._refreshSize === 'function') stream._refreshSize();
}

/** The terminal of a run's streams: made the first time it is asked for, the same object after. */
export function terminalOf(streams: { stdout: Sink; stderr: Sink; env: Env }): Terminal {
  let terminal = terminals.get(streams);
  if (!terminal) {
    const { stdout: out, stderr: err, env } = streams;
    const widthOf = (sink: Sink) => {
      askSize(sink);
      return sink.isTTY && sink.columns ? sink.columns : undefined;
    };
    terminal = {
      out,
      err,
      unicode: supportsUnicode(env),
      interactive: Boolean(err.isTTY) && (err.columns ?? 0) > 0 && env.TERM !== 'dumb',
      outWidth: () => widthOf(out),
      errWidth: () => widthOf(err),
      color: (noColorFlag) => ({
        out: wantsColor(Boolean(out.isTTY), env, noColorFlag),
        err: wantsColor(Boolean(err.isTTY), env, noColorFlag),
      }),
    };
    terminals.set(streams, terminal);
  }
  return terminal;
}

/** The run's terminal with its colours chosen (--no-color, NO_COLOR, FORCE_COLOR, a TTY). */
export function makeIO(streams: { stdout: Sink; stderr: Sink; env: Env }, noColorFlag = false): IO {
  const terminal = terminalOf(streams);
  const color = terminal.color(noColorFlag);
  return { ...terminal, outColor: makeChalk(color.out), errColor: makeChalk(color.err) };
}
