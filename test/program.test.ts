import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.js';

const quiet = { out: () => {}, err: () => {} };
const helpOf = (program: Command, name: string) =>
  program.commands.find((c) => c.name() === name || c.aliases().includes(name))?.helpInformation();

// A run that names a command declares only that one: it must not be able to tell.
describe('declaring only the command asked for', () => {
  const full = buildProgram('0', quiet, () => {});
  const names = full.commands.flatMap((c) => [c.name(), ...c.aliases()]);

  it.each(names)('%s: the same help as with every command declared', (name) => {
    const alone = buildProgram('0', quiet, () => {}, [name, '--help']);
    expect(alone.commands).toHaveLength(1);
    expect(helpOf(alone, name)).toBe(helpOf(full, name));
  });

  it.each([[[]], [['--help']], [['help', 'watch']], [['wacth', 'x']], [['-V']]])(
    'declares every command for %j',
    (argv) => {
      expect(buildProgram('0', quiet, () => {}, argv).commands).toHaveLength(full.commands.length);
    },
  );
});
