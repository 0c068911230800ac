import { describe, expect, it } from 'vitest';
import {
  type CommandResult,
  CredentialError,
  type CredentialIO,
  renewAt,
  TOKEN_COMMAND_TIMEOUT_MS,
  tokenCommand,
} from '../src/api/credentials.js';
import { runShell } from '../src/node/shell.js';
import { VirtualClock } from './support/virtual-clock.js';

function io(
  answers: CommandResult[],
  clock = new VirtualClock(0),
): CredentialIO & { calls: Array<[string, number]> } {
  const calls: Array<[string, number]> = [];
  return {
    calls,
    clock,
    readTextFile: async () => '',
    transport: async () => {
      throw new Error('no HTTP here');
    },
    runCommand: async (command, timeoutMs) => {
      calls.push([command, timeoutMs]);
      const next = answers.shift();
      if (!next) throw new Error('ran once too often');
      return next;
    },
  };
}
const LIMITS = { signal: new AbortController().signal, timeoutMs: 60_000 };
const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: '', timedOut: false });

describe('renewal timing', () => {
  it('renews a minute early, or a fifth of the lifetime early for short-lived tokens', () => {
    expect(renewAt(0, 3_600_000)).toBe(3_540_000);
    expect(renewAt(1000, 2000)).toBe(2600);
  });
});

describe('the token command', () => {
  it('takes a bare token, or JSON with expires_in, and runs again only when due', async () => {
    const clock = new VirtualClock(0);
    const fake = io([ok('{"access_token":"a1","expires_in":10}\n'), ok('  b2\n')], clock);
    const credentials = tokenCommand('get-token', fake, '--token-command');
    expect(await credentials.token(LIMITS)).toBe('a1');
    clock.t = 7_000;
    expect(await credentials.token(LIMITS)).toBe('a1');
    clock.t = 8_000;
    expect(await credentials.token(LIMITS)).toBe('b2');
    // no expiry known: kept until refused
    clock.t = 1e9;
    expect(await credentials.token(LIMITS)).toBe('b2');
    expect(fake.calls).toEqual([
      ['get-token', TOKEN_COMMAND_TIMEOUT_MS],
      ['get-token', TOKEN_COMMAND_TIMEOUT_MS],
    ]);
  });

  it('a hung command, a failure, or output that is no token is a final error', async () => {
    const hung = tokenCommand(
      'x',
      io([{ code: null, stdout: '', stderr: '', timedOut: true }]),
      '--token-command',
    );
    await expect(hung.token(LIMITS)).rejects.toThrow('the token command gave no token within 30 s');
    const failed = tokenCommand(
      'x',
      io([{ code: 2, stdout: '', stderr: 'no such vault\n', timedOut: false }]),
      '--token-command',
    );
    await expect(failed.token(LIMITS)).rejects.toThrow(
      new CredentialError('final', 'the token command failed (exit 2): no such vault'),
    );
    const noToken = tokenCommand('x', io([ok('{"token":"x"}')]), '--token-command');
    await expect(noToken.token(LIMITS)).rejects.toThrow('JSON without a string "access_token"');
    const twoLines = tokenCommand('x', io([ok('a\nb')]), '--token-command');
    await expect(twoLines.token(LIMITS)).rejects.toThrow('holds a space or a control character');
  });

  it('runs each command once however many jobs ask at the same time', async () => {
    const fake = io([ok('t1')]);
    const credentials = tokenCommand('x', fake, '--token-command');
    expect(
      await Promise.all([credentials.token(LIMITS), credentials.token(LIMITS), credentials.token(LIMITS)]),
    ).toEqual(['t1', 't1', 't1']);
    expect(fake.calls).toHaveLength(1);
  });
});

describe('runShell', () => {
  it('runs a shell command line, collects stdout and stderr', async () => {
    const r = await runShell('printf token-1; echo warn >&2', 5_000);
    expect(r).toEqual({ code: 0, stdout: 'token-1', stderr: 'warn\n', timedOut: false, overflowed: false });
  });

  it('gives up on a command that hangs, killing it and its children', async () => {
    const started = Date.now();
    const r = await runShell('sleep 20 & sleep 20', 300);
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
