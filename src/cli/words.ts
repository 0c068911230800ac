import { ENV } from '../core/defaults.js';
import { typedDuration as typed } from '../core/duration.js';
import type { SettingName, Vocabulary } from '../rules/vocabulary.js';
import { wordingFor } from '../rules/wording.js';

/** The CLI's name of each setting: its flag. */
const FLAGS: Record<SettingName, string> = {
  interval: '--interval',
  minInterval: '--min-interval',
  maxInterval: '--max-interval',
  waitForCreate: '--wait-for-create',
  timeout: '--timeout',
  deadline: '--deadline',
  stallTimeout: '--stall-timeout',
  requestTimeout: '--request-timeout',
  maxRetries: '--max-retries',
  failOn: '--fail-on',
  until: '--until',
  failFast: '--fail-fast',
  concurrency: '--concurrency',
  language: '--language',
  header: '--header',
  baseUrl: '--base-url',
  tokenUrl: '--token-url',
  job: 'job',
  insecureHttp: '--insecure-http',
  body: '--body',
  stateFile: '--state-file',
  verifyDelivery: '--verify-delivery',
  profile: '--profile',
};

const DURATION_SETTINGS = new Set<SettingName>([
  'interval',
  'minInterval',
  'maxInterval',
  'waitForCreate',
  'timeout',
  'stallTimeout',
  'requestTimeout',
]);

/** The rules below the CLI speak of settings; the CLI names them by their flags. */
export const CLI_WORDS: Vocabulary = {
  name: FLAGS,
  setting: (name, value) =>
    `${FLAGS[name]} ${typeof value === 'number' && DURATION_SETTINGS.has(name) ? typed(value) : value}`,
  duration: typed,
  durationType: 'a duration like 250ms, 5s, 2m or 1h30m',
  credentialSources: `${ENV.token}, --token-file, --token-command, or client credentials (${ENV.clientId}, ${ENV.clientSecret}, ${ENV.tokenUrl}, ${ENV.scope})`,
  renewableSources: '--token-command or client credentials',
  privateCa: 'NODE_EXTRA_CA_CERTS',
};

export const CLI_WORDING = wordingFor(CLI_WORDS);
