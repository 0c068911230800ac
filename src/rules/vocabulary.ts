/**
 * The settings every front end has, and how a front end names them. The rules below the front
 * ends (settings checks, the secret policy, starting an export, the reasons a watch ends) speak
 * of settings by these keys; the CLI says `--max-retries`, the library `maxRetries`.
 */
export type SettingName =
  | 'interval'
  | 'minInterval'
  | 'maxInterval'
  | 'waitForCreate'
  | 'timeout'
  | 'deadline'
  | 'stallTimeout'
  | 'requestTimeout'
  | 'maxRetries'
  | 'failOn'
  | 'until'
  | 'failFast'
  | 'concurrency'
  | 'language'
  | 'header'
  | 'baseUrl'
  | 'tokenUrl'
  | 'job'
  | 'insecureHttp'
  | 'body'
  | 'stateFile'
  | 'verifyDelivery'
  | 'profile';

export interface Vocabulary {
  /** The caller's name of each setting. */
  name: Readonly<Record<SettingName, string>>;
  /** A setting with its value, as the caller writes it: `--fail-on errors`, `failOn: 'errors'`. */
  setting(name: SettingName, value: number | string): string;
  /** A duration as the caller gives it: `2m` for the CLI, `120000 ms` for the library. */
  duration(ms: number): string;
  /** What a duration setting takes, for a value of the wrong type. */
  durationType: string;
  /** Every way to give a credential (a 401 that had none, no credential for a remote host). */
  credentialSources: string;
  /** The sources that renew their tokens (a fixed token was refused). */
  renewableSources: string;
  /** Where a private certificate authority is configured. */
  privateCa: string;
}
