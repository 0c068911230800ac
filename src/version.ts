import { readFileSync } from 'node:fs';

/** Put in by the bundler (scripts/build.mjs); absent when the sources run as they are (tests). */
declare const EXPORT_STATUS_VERSION: string | undefined;

/** The package version: built in, else read from package.json (src/ sits one level below it). */
export const VERSION: string =
  typeof EXPORT_STATUS_VERSION === 'string'
    ? EXPORT_STATUS_VERSION
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
        .version;

export const USER_AGENT = `export-status/${VERSION} node/${process.versions.node}`;
