import type { ClientOptions } from '../api/client.js';
import type { PollConfig } from '../cli/config.js';
import type { Deps } from '../deps.js';
import { USER_AGENT } from '../version.js';

/** The HTTP client's options from a validated config: one place for `watch`, `get` and `start`. */
export function clientOptions(config: PollConfig, deps: Deps, log?: (line: string) => void): ClientOptions {
  return {
    transport: deps.transport,
    token: config.token,
    language: config.language,
    userAgent: USER_AGENT,
    headers: config.headers,
    requestTimeoutMs: config.settings.requestTimeoutMs,
    strict: config.strict,
    now: deps.clock.now,
    log: config.verbose ? log : undefined,
  };
}
