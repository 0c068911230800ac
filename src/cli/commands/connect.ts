import type { Deps } from '../../deps.js';
import { type Connection, openConnection } from '../../rules/connection.js';
import type { ApiConfig } from '../resolve.js';

/**
 * The run's connection (rules/connection.ts) with the CLI's side effects: made once and shared
 * by all its jobs, so a renewed token serves them all. `log`: --verbose's lines.
 */
export function connect(api: ApiConfig, deps: Deps, log?: (line: string) => void): Promise<Connection> {
  return openConnection(
    api.connection,
    {
      clock: deps.clock,
      readTextFile: deps.readTextFile,
      runCommand: deps.runCommand,
      passStderr: (text) => deps.stderr.write(text),
      transport: deps.transport,
    },
    { log },
  );
}
