import type { ClientOptions } from '../api/client.js';
import type { ApiConfig, OutputConfig } from '../cli/resolve.js';
import type { Deps } from '../deps.js';
import { USER_AGENT } from '../version.js';

/** The HTTP client's options from a resolved config: one place for `watch`, `get`, `start` and `demo`. */
export function clientOptions(
  api: ApiConfig,
  output: Pick<OutputConfig, 'strict' | 'verbose'>,
  deps: Deps,
  log?: (line: string) => void,
): ClientOptions {
  return {
    transport: deps.transport,
    token: api.token,
    language: api.language,
    userAgent: USER_AGENT,
    headers: api.headers,
    strict: output.strict,
    now: deps.clock.now,
    log: output.verbose ? log : undefined,
  };
}
