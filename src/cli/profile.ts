import * as z from 'zod/mini';
import { toFieldIssues } from '../api/schema.js';
import { parseHttpUrl } from '../api/urls.js';
import { ENV } from '../core/defaults.js';
import { UsageError } from '../core/errors.js';
import { errnoWords } from '../core/words.js';
import type { ConfigSources } from '../deps.js';
import { checkLanguage } from '../rules/settings.js';
import type { Vocabulary } from '../rules/vocabulary.js';
import { CLI_WORDS } from './words.js';

/**
 * The configuration file's schema, built the first time a file is read: most runs have none, and
 * building a schema costs start-up time.
 */
function schemas() {
  const text = z.optional(z.string({ error: 'expected a string' }));
  /** One tenant's settings. No secrets: only where to find them. */
  const profile = z.strictObject(
    {
      baseUrl: text,
      language: text,
      tokenUrl: text,
      clientId: text,
      scope: text,
      clientSecretFile: text,
      tokenFile: text,
      tokenCommand: text,
    },
    { error: 'expected an object' },
  );
  const file = z.strictObject(
    {
      profiles: z.optional(z.record(z.string(), profile, { error: 'expected an object of profiles' })),
      defaultProfile: text,
    },
    { error: 'expected a JSON object' },
  );
  return { profile, file };
}

let built: ReturnType<typeof schemas> | undefined;
type Schemas = ReturnType<typeof schemas>;

export type Profile = z.output<Schemas['profile']>;

/** The profile in use, where it came from, and the names the file offers. */
export interface ProfileChoice {
  name: string | undefined;
  /** `--profile`, `EXPORT_STATUS_PROFILE`, `defaultProfile`, or undefined when none is in use. */
  chosenBy: string | undefined;
  profile: Profile;
  file: string;
  names: string[];
  /** The file's permission bits (undefined where unknown). */
  mode: number | undefined;
  /** Whether the configuration file exists at all. */
  exists: boolean;
}

/** The most a configuration file may hold: generous for any number of profiles. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** `$XDG_CONFIG_HOME/export-status/config.json`, by default `~/.config/export-status/config.json`. */
export function configFilePath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? `${env.HOME}/.config` : undefined);
  return base ? `${base}/export-status/config.json` : undefined;
}

/**
 * The profile asked for by `--profile`, else `EXPORT_STATUS_PROFILE`, else the file's
 * `defaultProfile`; none when nothing asks for one. A profile asked for that the file does not
 * have, or a file that is not valid, is a usage error naming what is wrong where.
 */
export async function chooseProfile(
  flag: string | undefined,
  sources: ConfigSources,
  words: Vocabulary = CLI_WORDS,
): Promise<ProfileChoice> {
  const file = configFilePath(sources.env) ?? '(no HOME)';
  const asked = flag ?? sources.env[ENV.profile];
  const askedBy = flag !== undefined ? words.name.profile : asked !== undefined ? ENV.profile : undefined;
  const config = await readConfigFile(file, sources, asked !== undefined);
  const exists = config !== NO_FILE;
  const names = Object.keys(config.profiles ?? {});
  const name = asked ?? config.defaultProfile;
  const none: ProfileChoice = {
    name: undefined,
    chosenBy: undefined,
    profile: {},
    file,
    names,
    mode: undefined,
    exists,
  };
  if (name === undefined) return none;
  const profile = Object.hasOwn(config.profiles ?? {}, name) ? config.profiles?.[name] : undefined;
  if (!profile) {
    const have = names.length
      ? `; the profiles in ${file} are: ${names.join(', ')}`
      : `; ${file} defines none`;
    throw new UsageError(
      `profile ${JSON.stringify(name)} (from ${askedBy ?? 'defaultProfile'}) does not exist${have}`,
    );
  }
  const checked = checkProfile(name, profile, file, sources.env.HOME);
  const mode = await sources.fileMode(file).catch(() => undefined);
  return { name, chosenBy: askedBy ?? 'defaultProfile', profile: checked, file, names, mode, exists };
}

/**
 * A profile's values, checked when it is read, so that a mistake is blamed on the profile and
 * field it is in, not on a flag nobody gave: the language one of the API's 15, URLs http(s).
 */
function checkProfile(name: string, profile: Profile, file: string, home: string | undefined): Profile {
  const where = (field: string) => `${file}: profile ${JSON.stringify(name)}, ${field}`;
  // The same check as --language's, in the profile's words.
  checkLanguage(profile.language, { ...CLI_WORDS, name: { ...CLI_WORDS.name, language: where('language') } });
  for (const field of ['baseUrl', 'tokenUrl'] as const) {
    const value = profile[field];
    if (value !== undefined) parseHttpUrl(value, where(field));
  }
  // Paths as a shell would take them: `~/` is the home directory.
  const expand = (path: string | undefined) =>
    path?.startsWith('~/') && home ? `${home.replace(/\/+$/, '')}/${path.slice(2)}` : path;
  const checked: Profile = { ...profile };
  if (profile.tokenFile !== undefined) checked.tokenFile = expand(profile.tokenFile);
  if (profile.clientSecretFile !== undefined) checked.clientSecretFile = expand(profile.clientSecretFile);
  return checked;
}

/** What a configuration file that does not exist reads as. */
const NO_FILE: z.output<Schemas['file']> = Object.freeze({});

async function readConfigFile(
  file: string,
  sources: ConfigSources,
  required: boolean,
): Promise<z.output<Schemas['file']>> {
  let textContent: string;
  try {
    textContent = await sources.readTextFile(file, MAX_CONFIG_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return NO_FILE;
    const why = code === 'EFBIG' ? 'larger than 1 MiB, which no configuration needs' : errnoWords(err);
    throw new UsageError(`cannot read the configuration file ${file} (${why})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(textContent.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  built ??= schemas();
  const parsed = built.file.safeParse(json);
  if (!parsed.success) {
    const where = toFieldIssues(parsed.error.issues, json)
      .map((i) => `  ${i.path}: ${i.message}`)
      .join('\n');
    throw new UsageError(`${file} is not a valid configuration file:\n${where}`);
  }
  return parsed.data;
}

/** The JSON Schema of the configuration file, shipped as schemas/config.schema.json (npm run schemas). */
export function configJsonSchema(): Record<string, unknown> {
  built ??= schemas();
  return {
    ...z.toJSONSchema(built.file),
    title: 'export-status configuration file',
    description:
      'The profiles of $XDG_CONFIG_HOME/export-status/config.json (by default ~/.config/export-status/config.json): where each tenant is and how its credentials are found, never a secret itself.',
  };
}
