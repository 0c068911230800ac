import type { Command, Option } from 'commander';
import { LANGUAGES } from '../../api/languages.js';
import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Deps } from '../../deps.js';
import { buildProgram } from '../program.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What completion knows of one command, read from the commander program itself. */
interface CommandInfo {
  names: string[];
  options: Array<{
    flags: string[];
    takesValue: boolean;
    choices: readonly string[] | undefined;
    long: string | undefined;
  }>;
}

/** Options whose values are files, and the one whose values come from the configuration file. */
const FILE_OPTIONS = new Set([
  '--body',
  '--token-file',
  '--client-secret-file',
  '--result-file',
  '--state-file',
]);
const PROFILE_OPTION = '--profile';
/** Values an option takes that commander does not know as choices: offered all the same. */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  '--language': LANGUAGES,
  '--interval': ['auto'],
  '--until': ['done', 'running'],
};

/** `export-status completion bash|zsh|fish`: a completion script made from the program's own declaration. */
export function runCompletion(shell: string | undefined, deps: Deps): number {
  if (!shell || !(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`completion: name a shell: ${SHELLS.join(', ')}`);
  }
  const program = buildProgram('0', { out: () => {}, err: () => {} }, () => {});
  const commands: CommandInfo[] = program.commands.map((cmd: Command) => ({
    names: [cmd.name(), ...cmd.aliases()],
    options: cmd.options.map((o: Option) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      takesValue: o.required || o.optional,
      choices: o.argChoices ?? (o.long ? VALUES[o.long] : undefined),
      long: o.long,
    })),
  }));
  const script = shell === 'fish' ? fish(commands) : shell === 'zsh' ? zsh(commands) : bash(commands);
  deps.stdout.write(script);
  return ExitCode.ok;
}

/**
 * Profile names offered as they are: read line by line and compared with what was typed, never
 * given to compgen -W (which expands `$(…)` and backquotes in its word list) nor to an unquoted
 * array assignment (which globs `*` into file names); and no file names when none matches.
 */
const BASH_PROFILE_NAMES =
  'COMPREPLY=(); compopt +o default 2>/dev/null; local name; while IFS= read -r name; do [[ "$name" == "$cur"* ]] && COMPREPLY+=("$name"); done < <(export-status profiles --names 2>/dev/null)';

function bash(commands: CommandInfo[]): string {
  const names = commands.flatMap((c) => c.names).join(' ');
  const valueCases = new Map<string, string>();
  for (const c of commands) {
    for (const o of c.options) {
      if (!o.takesValue || !o.long) continue;
      const pattern = o.flags.join('|');
      if (o.choices) valueCases.set(pattern, `COMPREPLY=($(compgen -W "${o.choices.join(' ')}" -- "$cur"))`);
      else if (FILE_OPTIONS.has(o.long)) valueCases.set(pattern, 'COMPREPLY=($(compgen -f -- "$cur"))');
      else if (o.long === PROFILE_OPTION) valueCases.set(pattern, BASH_PROFILE_NAMES);
      // A value that is no file (a duration, a URL): nothing to offer, and no file names either.
      else if (!valueCases.has(pattern))
        valueCases.set(pattern, 'COMPREPLY=(); compopt +o default 2>/dev/null');
    }
  }
  const perCommand = commands
    .map((c) => `    ${c.names.join('|')}) opts="${c.options.flatMap((o) => o.flags).join(' ')} --help" ;;`)
    .join('\n');
  const values = [...valueCases]
    .map(([pattern, action]) => `    ${pattern}) ${action}; return ;;`)
    .join('\n');
  return `# export-status completion for bash: source this file, or put it in ~/.local/share/bash-completion/completions/export-status
_export_status() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${names} help --help --version" -- "$cur"))
    return
  fi
  if [[ "\${COMP_WORDS[1]}" == completion && $COMP_CWORD -eq 2 ]]; then
    COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur"))
    return
  fi
  case "$prev" in
${values}
  esac
  case "\${COMP_WORDS[1]}" in
${perCommand}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _export_status export-status
`;
}

function zsh(commands: CommandInfo[]): string {
  return `#compdef export-status
# export-status completion for zsh: put this file in a directory of your $fpath as _export-status
autoload -U +X bashcompinit && bashcompinit
${bash(commands).replace(/^# .*\n/, '')}`;
}

function fish(commands: CommandInfo[]): string {
  const lines = [
    '# export-status completion for fish: save as ~/.config/fish/completions/export-status.fish',
    'complete -c export-status -f',
    `complete -c export-status -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'`,
  ];
  for (const c of commands) {
    lines.push(`complete -c export-status -n __fish_use_subcommand -a '${c.names.join(' ')}'`);
    for (const o of c.options) {
      const parts = [`complete -c export-status -n '__fish_seen_subcommand_from ${c.names.join(' ')}'`];
      const long = o.long?.replace(/^--/, '');
      const short = o.flags.find((f) => /^-[^-]/.test(f))?.slice(1);
      if (long) parts.push(`-l ${long}`);
      if (short) parts.push(`-s ${short}`);
      // A value: -r -F for a file, else -x (-r -f), which offers the listed values and no file names.
      const file = o.long !== undefined && FILE_OPTIONS.has(o.long);
      if (o.takesValue) parts.push(file ? '-r -F' : '-x');
      if (o.choices) parts.push(`-a '${o.choices.join(' ')}'`);
      else if (o.long === PROFILE_OPTION) parts.push("-a '(export-status profiles --names 2>/dev/null)'");
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}
