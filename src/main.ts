import { CommanderError } from 'commander';
import { pollConfig, UsageError } from './cli/config.js';
import { buildProgram, type Invocation } from './cli/program.js';
import type { Deps } from './deps.js';
import { ExitCode } from './exit-codes.js';
import { VERSION } from './version.js';

/** Internal errors (bugs) exit with this: not a code a job outcome can produce (EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT = 70;

/** The composition root: argv → invocation → command → exit code. Only bin/ calls process.exit… never. */
export async function main(argv: readonly string[], given?: Deps): Promise<number> {
  const deps = given ?? (await import('./system.js')).systemDeps();
  let invocation: Invocation | undefined;
  const program = buildProgram(
    VERSION,
    { out: (text) => deps.stdout.write(text), err: (text) => deps.stderr.write(text) },
    (inv) => {
      invocation = inv;
    },
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    throw err;
  }
  if (!invocation) return ExitCode.usage;
  try {
    return await run(invocation, deps);
  } catch (err) {
    if (err instanceof UsageError) {
      deps.stderr.write(`error: ${err.message}\n(run with --help for usage)\n`);
      return ExitCode.usage;
    }
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    deps.stderr.write(`export-status: internal error, please report it:\n${message}\n`);
    return INTERNAL_ERROR_EXIT;
  }
}

async function run(invocation: Invocation, deps: Deps): Promise<number> {
  switch (invocation.command) {
    case 'parse': {
      const { runParse } = await import('./commands/parse.js');
      return runParse(invocation.file, invocation.opts, deps);
    }
    case 'watch':
    case 'get': {
      const config = await pollConfig(invocation.jobs, invocation.opts, invocation.command, deps);
      const { runPoll } = await import('./commands/watch.js');
      return runPoll(config, deps);
    }
    case 'start': {
      const { runStart } = await import('./commands/start.js');
      return runStart(invocation.opts, deps);
    }
    case 'serve': {
      const { runServe } = await import('./commands/serve.js');
      return runServe(invocation.opts, deps);
    }
    case 'demo': {
      const { runDemo } = await import('./commands/demo.js');
      return runDemo(invocation.opts, deps);
    }
  }
}

/** commander exits 1 on usage errors; ours is 2. Help and version asked for are 0. */
function commanderExitCode(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
  return ExitCode.usage;
}
