import { CommanderError } from 'commander';
import { EndedError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { sanitize } from '../core/sanitize.js';
import type { Deps } from '../deps.js';
import type { Vocabulary } from '../rules/vocabulary.js';
import { VERSION } from '../version.js';
import { buildProgram, type Invocation, isCommand } from './program.js';
import { type Config, resolveConfig } from './resolve.js';
import { CLI_WORDS } from './words.js';

/**
 * Who runs the CLI: the words its refusals name settings by, and how a usage error is reported.
 * The CLI's own flags and `error: …` by default; the GitHub Action runs it with its inputs' words
 * and an ::error annotation.
 */
export interface FrontEnd {
  words: Vocabulary;
  usageError(message: string, deps: Deps): void;
}

const CLI: FrontEnd = {
  words: CLI_WORDS,
  usageError: (message, deps) => deps.stderr.write(`error: ${message}\n(run with --help for usage)\n`),
};

/**
 * The composition root: argv → invocation → config → command → exit code. It never exits the
 * process; bin/ sets the exit code it returns. Tests call it with fake Deps.
 */
export async function main(argv: readonly string[], given?: Deps, frontEnd: FrontEnd = CLI): Promise<number> {
  const deps = given ?? (await import('../node/system.js')).systemDeps();
  // `help nope`: commander would print the whole help; an unknown command is a usage error.
  const [first, second] = argv;
  if (first === 'help' && second !== undefined && !second.startsWith('-') && !isCommand(second)) {
    deps.stderr.write(
      `error: unknown command '${sanitize(second, 60)}'\n(run export-status help for the commands)\n`,
    );
    return ExitCode.usage;
  }
  let invocation: Invocation | undefined;
  const program = buildProgram(
    VERSION,
    { out: (text) => deps.stdout.write(text), err: (text) => deps.stderr.write(text) },
    (inv) => {
      invocation = inv;
    },
    argv,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    throw err;
  }
  if (!invocation) return ExitCode.usage;
  try {
    return await run(await resolveConfig(invocation, deps, frontEnd.words), deps);
  } catch (err) {
    if (err instanceof UsageError) {
      frontEnd.usageError(err.message, deps);
      return ExitCode.usage;
    }
    if (err instanceof EndedError) {
      deps.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    deps.stderr.write(`export-status: internal error, please report it:\n${message}\n`);
    return ExitCode.internal;
  }
}

/** Each command's module is loaded only when it runs. */
async function run(config: Config, deps: Deps): Promise<number> {
  switch (config.command) {
    case 'parse':
      return (await import('./commands/parse.js')).runParse(config.file, config.output, deps);
    case 'watch':
    case 'get':
      return (await import('./commands/watch.js')).runWatch(config.jobs, config.api, config.watch, deps);
    case 'start':
      return (await import('./commands/start.js')).runStart(config, deps);
    case 'serve':
      return (await import('./commands/serve.js')).runServe(config.simulator, config.quiet, deps);
    case 'demo':
      return (await import('./commands/demo.js')).runDemo(config, deps);
    case 'config':
      if (config.check)
        return (await import('./commands/config-check.js')).runConfigCheck(config.check, deps);
      return (await import('./commands/config.js')).runConfig(
        config.report,
        config.namesOnly,
        deps,
        config.json,
      );
    case 'completion':
      return (await import('./commands/completion.js')).runCompletion(config.shell, deps);
    case 'version':
      deps.stdout.write(`${VERSION}\n`);
      return ExitCode.ok;
  }
}

/** commander exits 1 on usage errors; ours is 2. Help and version asked for are 0. */
function commanderExitCode(err: CommanderError): number {
  // `--help`, `help [command]` and `--version`: what was asked for, so 0. Help shown because
  // nothing was asked for (no command) is a usage error.
  const asked = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
  return asked && err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
}
