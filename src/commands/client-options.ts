import type { ClientOptions } from '../api/client.js';
import {
  type CredentialIO,
  type Credentials,
  fixedToken,
  tokenCommand,
  tokenFile,
} from '../api/credentials.js';
import type { CredentialSpec } from '../cli/credential.js';
import type { ApiConfig, OutputConfig } from '../cli/resolve.js';
import type { Deps } from '../deps.js';
import { USER_AGENT } from '../version.js';

/**
 * The credential source of a run, made once and shared by all its jobs, so a renewed token serves
 * them all. Client credentials load their OAuth library only when used.
 */
export async function credentialsFor(
  spec: CredentialSpec,
  deps: Deps,
  requestTimeoutMs: number,
): Promise<Credentials | undefined> {
  const io: CredentialIO = {
    clock: deps.clock,
    readTextFile: deps.readTextFile,
    runCommand: deps.runCommand,
    passStderr: (text) => deps.stderr.write(text),
    transport: deps.transport,
  };
  switch (spec.kind) {
    case 'none':
      return undefined;
    case 'fixed':
      return fixedToken(spec.token, spec.source);
    case 'file':
      return tokenFile(spec.path, spec.token, io, spec.source);
    case 'command':
      return tokenCommand(spec.command, io, spec.source);
    case 'client': {
      const { clientCredentials } = await import('../api/client-credentials.js');
      return clientCredentials({ ...spec, requestTimeoutMs }, io);
    }
  }
}

/** The HTTP client's options from a resolved config: one place for `watch`, `get`, `start` and `demo`. */
export function clientOptions(
  api: ApiConfig,
  output: Pick<OutputConfig, 'strict' | 'verbose'>,
  credentials: Credentials | undefined,
  deps: Deps,
  log?: (line: string) => void,
): ClientOptions {
  return {
    transport: deps.transport,
    credentials,
    language: api.language,
    userAgent: USER_AGENT,
    headers: api.headers,
    strict: output.strict,
    clock: deps.clock,
    log: output.verbose ? log : undefined,
  };
}
