#!/usr/bin/env node
// Runs the CLI and sets the exit code, letting the event loop drain so buffered output is never
// dropped. Besides systemDeps(), the only code that touches `process`.
import module from 'node:module';

// Node ≥ 22.1 caches compiled code between runs; absent on Node 20.
module.enableCompileCache?.();

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The commonest scripted call answered without loading the CLI at all.
  const { readFileSync } = await import('node:fs');
  process.stdout.write(
    `${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`,
  );
} else {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(args);
}
