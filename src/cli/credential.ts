import { parseHttpUrl } from '../api/urls.js';
import { ENV } from '../core/defaults.js';
import { UsageError } from '../core/errors.js';
import type { ConfigSources } from '../deps.js';
import { type CredentialSpec, checkToken } from '../rules/connection.js';
import type { Profile } from './profile.js';
import type { Flags } from './program.js';
import { type Origin, pick } from './settings.js';
import { readSecretFile } from './token.js';

type Level = Origin;

/** A source as one level names it, before its secrets are read. */
export type Named =
  | { kind: 'fixed'; token: string; label: string }
  | { kind: 'file'; path: string; label: string }
  | { kind: 'command'; command: string; label: string }
  | { kind: 'client'; label: string };

/**
 * The one credential source of this run, its secrets read. Flags beat the environment, which
 * beats the profile; two sources at the same level are a usage error. (Whether the API may be
 * asked without one, or a secret may go where it is bound, is the connection's check.)
 */
export async function resolveCredential(
  flags: Flags,
  profile: Profile,
  sources: ConfigSources,
  warnings: string[],
): Promise<CredentialSpec> {
  const chosen = chosenSource(flags, profile, sources.env);
  if (chosen) return read(chosen.named, chosen.level, flags, profile, sources, warnings);
  return { kind: 'none' };
}

/** The source this run will use and the level that names it (nothing read yet); undefined: none. */
export function chosenSource(
  flags: Flags,
  profile: Profile,
  env: Readonly<Record<string, string | undefined>>,
): { level: Origin; named: Named } | undefined {
  const levels: Array<[Origin, Named[]]> = [
    ['flag', namedByFlags(flags)],
    ['environment', namedByEnv(env)],
    ['profile', namedByProfile(profile)],
  ];
  for (const [level, named] of levels) {
    if (named.length > 1) {
      throw new UsageError(
        `two credential sources in the ${level === 'flag' ? 'flags' : level}: ${named.map((n) => n.label).join(' and ')}; give one`,
      );
    }
    const [one] = named;
    if (one) return { level, named: one };
  }
  return undefined;
}

function namedByFlags(flags: Flags): Named[] {
  const named: Named[] = [];
  if (flags.tokenFile !== undefined)
    named.push({ kind: 'file', path: flags.tokenFile, label: '--token-file' });
  if (flags.tokenCommand !== undefined)
    named.push({ kind: 'command', command: flags.tokenCommand, label: '--token-command' });
  if (flags.clientId !== undefined || flags.clientSecretFile !== undefined)
    named.push({ kind: 'client', label: '--client-id/--client-secret-file' });
  return named;
}

function namedByEnv(env: Readonly<Record<string, string | undefined>>): Named[] {
  const named: Named[] = [];
  const token = env[ENV.token];
  if (token) named.push({ kind: 'fixed', token, label: ENV.token });
  const command = env[ENV.tokenCommand];
  if (command) named.push({ kind: 'command', command, label: ENV.tokenCommand });
  if (env[ENV.clientId] || env[ENV.clientSecret])
    named.push({ kind: 'client', label: `${ENV.clientId}/${ENV.clientSecret}` });
  return named;
}

function namedByProfile(profile: Profile): Named[] {
  const named: Named[] = [];
  if (profile.tokenFile)
    named.push({ kind: 'file', path: profile.tokenFile, label: "the profile's tokenFile" });
  if (profile.tokenCommand)
    named.push({ kind: 'command', command: profile.tokenCommand, label: "the profile's tokenCommand" });
  if (profile.clientId || profile.clientSecretFile)
    named.push({ kind: 'client', label: "the profile's clientId" });
  return named;
}

async function read(
  named: Named,
  level: Level,
  flags: Flags,
  profile: Profile,
  sources: ConfigSources,
  warnings: string[],
): Promise<CredentialSpec> {
  switch (named.kind) {
    case 'fixed':
      return { kind: 'fixed', token: checkToken(named.token.trim(), named.label), source: named.label };
    case 'file':
      return {
        kind: 'file',
        path: named.path,
        token: await readSecretFile(named.path, named.label, sources, warnings),
        source: `${named.label} ${named.path}`,
      };
    case 'command':
      if (named.command.trim() === '') throw new UsageError(`${named.label} is empty`);
      // Quoted nowhere: a command line can carry a secret.
      if (named.command.includes('\u0000')) throw new UsageError(`${named.label} contains a NUL character`);
      return { kind: 'command', command: named.command, source: named.label };
    case 'client':
      return clientCredentials(level, flags, profile, sources, warnings);
  }
}

/** Client credentials: each part from the flag, else the environment, else the profile. */
async function clientCredentials(
  level: Level,
  flags: Flags,
  profile: Profile,
  sources: ConfigSources,
  warnings: string[],
): Promise<CredentialSpec> {
  const { env } = sources;
  const clientId = pick('clientId', flags, env, profile).value;
  const pickedTokenUrl = pick('tokenUrl', flags, env, profile);
  const tokenUrlText = pickedTokenUrl.value;
  const scope = pick('scope', flags, env, profile).value;
  const missing = [
    clientId ? '' : `the client ID (--client-id or ${ENV.clientId})`,
    flags.clientSecretFile || env[ENV.clientSecret] || profile.clientSecretFile
      ? ''
      : `the client secret (--client-secret-file or ${ENV.clientSecret})`,
    tokenUrlText ? '' : `the token URL (--token-url or ${ENV.tokenUrl})`,
  ].filter(Boolean);
  if (missing.length > 0 || !clientId || !tokenUrlText) {
    throw new UsageError(`client credentials (from the ${level}) lack ${missing.join(', ')}`);
  }
  const tokenUrlFrom =
    pickedTokenUrl.from === 'flag'
      ? '--token-url'
      : pickedTokenUrl.from === 'environment'
        ? ENV.tokenUrl
        : "the profile's tokenUrl";
  const tokenUrl = parseHttpUrl(tokenUrlText, tokenUrlFrom);
  const secretFromEnv = env[ENV.clientSecret];
  const clientSecret = flags.clientSecretFile
    ? await readSecretFile(flags.clientSecretFile, '--client-secret-file', sources, warnings)
    : secretFromEnv
      ? checkToken(secretFromEnv.trim(), ENV.clientSecret)
      : await readSecretFile(
          profile.clientSecretFile ?? '',
          "the profile's clientSecretFile",
          sources,
          warnings,
        );
  return { kind: 'client', tokenUrl, tokenUrlFrom, clientId, clientSecret, scope };
}
