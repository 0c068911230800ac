import { Chalk, type ChalkInstance } from 'chalk';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether to colour a stream. chalk ignores NO_COLOR and follows stdout even for stderr, so the
 * decision is ours: --no-color, NO_COLOR (non-empty) and TERM=dumb turn colour off; FORCE_COLOR
 * turns it on (FORCE_COLOR=0/false off); otherwise colour only on a TTY.
 */
export function wantsColor(isTTY: boolean, env: Env, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** Like is-unicode-supported: Linux console and old Windows consoles get ASCII symbols. */
export function supportsUnicode(env: Env, platform: string = process.platform): boolean {
  if (platform !== 'win32') return env.TERM !== 'linux';
  return Boolean(
    env.WT_SESSION ||
      env.TERMINUS_SUBLIME ||
      env.ConEmuTask === '{cmd::Cmder}' ||
      env.TERM_PROGRAM === 'vscode' ||
      env.TERM === 'xterm-256color' ||
      env.TERM === 'alacritty' ||
      env.CI,
  );
}
