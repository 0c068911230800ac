import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { BIN } from '../support/spawn.js';

// Completion scripts are made from the commander program itself, so they cannot drift from it.
const dir = mkdtempSync(join(tmpdir(), 'export-status-completion-'));

/** What bash completes for the words typed so far (the last one being completed). */
function complete(script: string, words: string[]): string[] {
  const file = join(dir, 'export-status.bash');
  writeFileSync(file, script);
  const line = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _export_status; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('export-status completion', () => {
  it('bash: valid syntax; commands, flags and the values of fixed choices complete', async () => {
    const { code, stdout: script } = await runCli(['completion', 'bash']);
    expect(code).toBe(0);
    const file = join(dir, 'syntax.bash');
    writeFileSync(file, script);
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    expect(complete(script, ['export-status', 'wa'])).toEqual(['watch']);
    expect(complete(script, ['export-status', 'watch', '--output', ''])).toEqual(['text', 'json', 'ndjson']);
    expect(complete(script, ['export-status', 'get', '--fail-on', 'w'])).toEqual(['warnings']);
    expect(complete(script, ['export-status', 'demo', '--scenario', 'tok'])).toEqual(['token-expiry']);
    expect(complete(script, ['export-status', 'watch', '--stall'])).toEqual(['--stall-timeout']);
  });

  it('--profile completes the names in the configuration file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'export-status-completion-home-'));
    mkdirSync(join(home, 'export-status'));
    writeFileSync(
      join(home, 'export-status', 'config.json'),
      JSON.stringify({ profiles: { prod: {}, staging: {} } }),
    );
    const r = await runCli(['profiles', '--names'], { env: { XDG_CONFIG_HOME: home } });
    expect(r.stdout).toBe('prod\nstaging\n');
  });

  it('zsh and fish scripts cover the same commands and choices; an unknown shell is a usage error', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef export-status\n/);
    expect(zsh.stdout).toContain('bashcompinit');
    const fish = await runCli(['completion', 'fish']);
    expect(fish.stdout).toContain("complete -c export-status -n __fish_use_subcommand -a 'watch'");
    expect(fish.stdout).toContain("-l output -s o -x -a 'text json ndjson'");
    // a value that is no file offers no file names (-x); a file's does (-r -F)
    const line = (flag: string) =>
      fish.stdout.split('\n').find((l) => l.includes(`-l ${flag} `) || l.endsWith(`-l ${flag}`));
    for (const flag of ['profile', 'base-url', 'interval', 'until', 'timeout'])
      expect(line(flag), flag).toMatch(/ -x( |$)/);
    for (const flag of ['token-file', 'body', 'result-file', 'state-file'])
      expect(line(flag), flag).toMatch(/ -r -F( |$)/);
    expect(fish.stdout).not.toMatch(/ -r( -a| -s|$)/m);
    const bad = await runCli(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('completion: name a shell: bash, zsh, fish');
  });
});

describe('profile names are offered, never run', () => {
  it.each([['$(touch PWNED1)'], ['`touch PWNED2`'], ['*']])(
    'a profile named %s: Tab after --profile runs nothing and offers the name as it is',
    async (hostile) => {
      const home = mkdtempSync(join(tmpdir(), 'export-status-completion-hostile-'));
      mkdirSync(join(home, 'export-status'));
      writeFileSync(
        join(home, 'export-status', 'config.json'),
        JSON.stringify({ profiles: { [hostile]: {}, prod: {} } }),
      );
      const { stdout: script } = await runCli(['completion', 'bash']);
      const cwd = mkdtempSync(join(tmpdir(), 'export-status-completion-cwd-'));
      writeFileSync(join(cwd, 'a-file'), '');
      const bin = mkdtempSync(join(tmpdir(), 'export-status-completion-bin-'));
      // `export-status` on the PATH, as a user has it: the built CLI.
      writeFileSync(join(bin, 'export-status'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
        mode: 0o755,
      });
      const file = join(dir, 'hostile.bash');
      writeFileSync(file, script);
      const line = `cd ${cwd}; source ${file}; COMP_WORDS=(export-status watch --profile ''); COMP_CWORD=3; _export_status; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', line], {
        encoding: 'utf8',
        env: { PATH: `${bin}:${process.env.PATH}`, XDG_CONFIG_HOME: home, HOME: home },
      });
      const offered = r.stdout.split('\n').filter(Boolean);
      expect(offered).toContain(hostile);
      expect(offered).toContain('prod');
      expect(offered).not.toContain('a-file');
      expect(existsSync(join(cwd, 'PWNED1')) || existsSync(join(cwd, 'PWNED2'))).toBe(false);
    },
  );
});

describe('values completion offers', () => {
  it('completion <Tab> offers the shells; --language the 15 codes; --interval auto; a duration no file names', async () => {
    const { stdout: script } = await runCli(['completion', 'bash']);
    expect(complete(script, ['export-status', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(complete(script, ['export-status', 'watch', '--language', 'ja'])).toEqual(['ja-JP']);
    expect(complete(script, ['export-status', 'watch', '--interval', 'a'])).toEqual(['auto']);
    expect(complete(script, ['export-status', 'watch', '--until', 'r'])).toEqual(['running']);
    const cwd = mkdtempSync(join(tmpdir(), 'export-status-completion-files-'));
    writeFileSync(join(cwd, 'timeout-notes.txt'), '');
    const file = join(dir, 'values.bash');
    writeFileSync(file, script);
    const line = `cd ${cwd}; source ${file}; complete -p export-status >/dev/null; COMP_WORDS=(export-status watch --timeout ''); COMP_CWORD=3; _export_status; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('');
  });
});
