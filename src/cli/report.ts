import { sanitize } from '../core/sanitize.js';
import type { ConfigSources } from '../deps.js';
import { chosenSource } from './credential.js';
import { chooseProfile } from './profile.js';
import type { Flags } from './program.js';
import { envOf, type Origin, pick, type Setting } from './settings.js';

/** What `export-status config` shows: the profiles, the one in use, each setting and its origin. */
export interface SettingsReport {
  file: string;
  /** Whether the configuration file exists. */
  fileExists: boolean;
  profiles: string[];
  profile: { name: string; chosenBy: string } | undefined;
  rows: Array<{ setting: string; value: string; from: string }>;
}

const LABELS: Record<Setting, string> = {
  baseUrl: 'base URL',
  language: 'language',
  clientId: 'client ID',
  tokenUrl: 'token URL',
  scope: 'scope',
};

const URL_SETTINGS = new Set<Setting>(['baseUrl', 'tokenUrl']);

/**
 * A URL as `config` shows it: a user name or password in it (which every command refuses) hidden,
 * and said to be refused.
 */
function withoutUserinfo(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return sanitize(text, 300);
  }
  if (!url.username && !url.password) return sanitize(text, 300);
  url.username = '';
  url.password = '';
  const [scheme = '', rest = ''] = url.href.split('//');
  return `${sanitize(`${scheme}//***@${rest}`, 300)} (credentials in a URL are refused)`;
}

/** The effective settings, by the same precedence as every command; no secret is read or shown. */
export async function settingsReport(flags: Flags, sources: ConfigSources): Promise<SettingsReport> {
  const { env } = sources;
  const choice = await chooseProfile(flags.profile, sources);
  const { profile } = choice;
  const origin = (from: Origin | undefined, variable?: string): string => {
    if (from === 'profile') return `profile ${choice.name}`;
    if (from === 'environment' && variable) return `environment (${variable})`;
    return from ?? '';
  };
  const row = (setting: Setting) => {
    const { value, from } = pick(setting, flags, env, profile);
    const shown =
      value === undefined ? '(not set)' : URL_SETTINGS.has(setting) ? withoutUserinfo(value) : value;
    return { setting: LABELS[setting], value: shown, from: origin(from, envOf(setting)) };
  };
  const rows = [row('baseUrl'), row('language')];
  const chosen = chosenSource(flags, profile, env);
  if (!chosen) {
    rows.push({ setting: 'credential', value: 'none', from: '' });
  } else {
    const { named } = chosen;
    const value =
      named.kind === 'fixed'
        ? 'a fixed token (cannot be renewed)'
        : named.kind === 'file'
          ? `token file ${named.path}`
          : named.kind === 'command'
            ? `token command: ${commandName(named.command)}`
            : 'OAuth client credentials';
    rows.push({ setting: 'credential', value, from: `${origin(chosen.level)} (${named.label})` });
    if (named.kind === 'client') rows.push(row('clientId'), row('tokenUrl'), row('scope'));
  }
  return {
    file: choice.file,
    fileExists: choice.exists,
    profiles: choice.names,
    profile: choice.name && choice.chosenBy ? { name: choice.name, chosenBy: choice.chosenBy } : undefined,
    rows,
  };
}

/**
 * A token command as `config` shows it: the program it runs, its arguments hidden (they often
 * carry a secret: `curl -H "X-Vault-Token: …"`).
 */
export function commandName(command: string): string {
  const program = /^\s*(\S+)/.exec(command)?.[1] ?? '';
  const shown = sanitize(program, 60);
  return program.length < command.trim().length ? `${shown} (its arguments hidden)` : shown;
}
