#!/usr/bin/env node
// Runs the CLI and sets the exit code, letting the event loop drain so buffered output is never
// dropped. Besides systemDeps(), the only code that touches `process`.
// CommonJS (bin/package.json), like the bundle it loads (dist/cli.cjs): Node's ES module loader
// is never brought up, and `--version` starts as fast as Node itself.

/** ExitCode.internal in src/core/exit-codes.ts (a test keeps the two equal): dist/ cannot be loaded here. */
const INTERNAL_ERROR = 70;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The commonest scripted call, answered without loading the CLI at all.
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // Node >= 22.1 caches compiled code between runs; absent on Node 20.
  require('node:module').enableCompileCache?.();
  let cli;
  try {
    cli = require('../dist/cli.cjs');
  } catch (err) {
    process.stderr.write(
      `export-status: cannot load the CLI (${err.message}); is it built? Run npm install.\n`,
    );
    process.exitCode = INTERNAL_ERROR;
  }
  cli?.main(args).then((code) => {
    process.exitCode = code;
  });
}
