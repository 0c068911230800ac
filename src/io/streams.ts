import type { ChalkInstance } from 'chalk';
import { type Env, makeChalk, supportsUnicode, wantsColor } from './color.js';

/** The little of a stream that the CLI needs; process.stdout and a test buffer both fit. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** One object owns the output streams and what they can show (colour, Unicode, width). */
export interface IO {
  out: Sink;
  err: Sink;
  /** Colour for what goes to stdout (summaries) and to stderr (progress, errors). */
  outColor: ChalkInstance;
  errColor: ChalkInstance;
  unicode: boolean;
}

export function makeIO(out: Sink, err: Sink, env: Env, noColorFlag = false): IO {
  return {
    out,
    err,
    outColor: makeChalk(wantsColor(Boolean(out.isTTY), env, noColorFlag)),
    errColor: makeChalk(wantsColor(Boolean(err.isTTY), env, noColorFlag)),
    unicode: supportsUnicode(env),
  };
}
