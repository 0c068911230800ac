import { expect } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import type { SettingName, Vocabulary } from '../../src/rules/vocabulary.js';

/**
 * The words of the rule tests: each setting named by its key, so a message reads as the rule
 * made it; each front end's own words are held by the tests of that front end.
 */
export const KEYS: Vocabulary = {
  name: new Proxy({} as Record<SettingName, string>, { get: (_, key) => String(key) }),
  setting: (name, value) => `${name}=${value}`,
  duration: (ms) => `${ms}ms`,
  durationType: 'milliseconds',
  credentialSources: 'a credential',
  renewableSources: 'a renewable credential',
  privateCa: 'a CA',
};

/** The message of the UsageError `run` throws; fails the test when it throws nothing. */
export function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}
