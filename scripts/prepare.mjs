// `npm install` in a checkout builds the CLI, so `npx export-status demo` works right after it.
// An installed package (a tarball, the registry) ships dist/ already built and has no src/:
// nothing is built at install time there.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) await import('./build.mjs');
