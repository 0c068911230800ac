import { DEFAULTS, ENV } from '../core/defaults.js';
import type { Profile } from './profile.js';
import type { Flags } from './program.js';

/** Where a setting's value came from. */
export type Origin = 'flag' | 'environment' | 'profile' | 'default';

/** The settings a flag, a variable and a profile can all give, and how each is spelled there. */
const SETTINGS = {
  baseUrl: { flag: 'baseUrl', env: ENV.baseUrl, profile: 'baseUrl', fallback: DEFAULTS.baseUrl },
  language: { flag: 'language', env: ENV.language, profile: 'language', fallback: DEFAULTS.language },
  tokenUrl: { flag: 'tokenUrl', env: ENV.tokenUrl, profile: 'tokenUrl', fallback: undefined },
  clientId: { flag: 'clientId', env: ENV.clientId, profile: 'clientId', fallback: undefined },
  scope: { flag: 'scope', env: ENV.scope, profile: 'scope', fallback: undefined },
} as const satisfies Record<
  string,
  { flag: keyof Flags; env: string; profile: keyof Profile; fallback: string | undefined }
>;

export type Setting = keyof typeof SETTINGS;

/** The environment variable of a setting, for messages and reports. */
export const envOf = (setting: Setting): string => SETTINGS[setting].env;

/** A setting's value by the one precedence: flag > environment > profile > default. */
export function pick(
  setting: Setting,
  flags: Flags,
  env: Readonly<Record<string, string | undefined>>,
  profile: Profile,
): { value: string | undefined; from: Origin | undefined } {
  const spec = SETTINGS[setting];
  const fromFlag = flags[spec.flag];
  if (typeof fromFlag === 'string') return { value: fromFlag, from: 'flag' };
  const fromEnv = env[spec.env];
  if (fromEnv) return { value: fromEnv, from: 'environment' };
  const fromProfile = profile[spec.profile];
  if (fromProfile !== undefined) return { value: fromProfile, from: 'profile' };
  return { value: spec.fallback, from: spec.fallback === undefined ? undefined : 'default' };
}
