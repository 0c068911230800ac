import { parseDuration } from './duration.js';

/**
 * Every default the CLI and the library have, in the units people type. `--help` shows these
 * strings, and cli/resolve.ts parses them with the same parsers as the flags, so the two can
 * never disagree.
 */
export const DEFAULTS = {
  baseUrl: 'https://api.aidev.egain.cloud/knowledge/portalmgr/v4',
  language: 'en-US',
  output: 'text',
  failOn: 'never',
  interval: '5s',
  minInterval: '2s',
  maxInterval: '60s',
  notifyAfter: '1m',
  requestTimeout: '30s',
  maxRetries: 10,
  concurrency: 4,
  // The simulator's slow answers come later than the default request timeout.
  serve: { host: '127.0.0.1', port: 8080, duration: '20s', slow: '35s', tokenTtl: '1h' },
  /**
   * `start --watch` and `demo`: a job they have just started may answer 404 for a moment, so
   * their watch treats a 404 as "not created yet" this long unless --wait-for-create says otherwise.
   */
  newJobWaitForCreate: '2m',
  /** How long a token command may take before it is given up on. */
  tokenCommandTimeout: '30s',
  demo: {
    scenario: 'success',
    duration: '15s',
    interval: '1s',
    // The demo's simulator holds back its slow answers for 3 s: a request times out well before.
    requestTimeout: '2s',
    slow: '3s',
  },
} as const;

/** The shortest interval, request timeout or grace a flag accepts. */
export const MIN_INTERVAL_MS = 100;

/** The environment variables each setting falls back to when its flag is not given. */
export const ENV = {
  baseUrl: 'EXPORT_STATUS_BASE_URL',
  language: 'EXPORT_STATUS_LANGUAGE',
  profile: 'EXPORT_STATUS_PROFILE',
  token: 'EGAIN_ACCESS_TOKEN',
  tokenCommand: 'EXPORT_STATUS_TOKEN_COMMAND',
  clientId: 'EGAIN_CLIENT_ID',
  clientSecret: 'EGAIN_CLIENT_SECRET',
  tokenUrl: 'EGAIN_TOKEN_URL',
  scope: 'EGAIN_SCOPE',
} as const;

/** A default duration in milliseconds; a default that does not parse is a bug. */
export function defaultMs(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`bad default duration ${text}`);
  return parsed.ms;
}
