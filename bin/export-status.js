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
  let cli;
  try {
    cli = load(require('node:path').join(__dirname, '../dist/cli.cjs'));
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

/**
 * Loads the bundle with its compiled code kept between runs: compiling it is a fifth of a
 * start-up. Node >= 22.1 does this itself (module.enableCompileCache). On Node 20 the bundle is
 * compiled here, with V8's code cache in a file next to it, made after the first run (with the
 * functions that run compiled) and written only where the bundle's own directory is writable: the
 * cache is trusted as the bundle is, and a global install owned by another user goes without.
 * A cache V8 does not accept (another Node, a file cut short) is made again.
 */
function load(file) {
  // A watch sets V8 flags for its heap, and V8 refuses a cache made under other flags (and would
  // make it again at every run): a watch, which runs for minutes, goes without.
  const command = args[0] ?? '';
  if (/^(watch|start|demo|serve)$/.test(command)) return require(file);
  const Module = require('node:module');
  if (Module.enableCompileCache) {
    Module.enableCompileCache();
    return require(file);
  }
  const fs = require('node:fs');
  const { dirname } = require('node:path');
  // get and parse have one each (each compiles other functions of the bundle), every other
  // command one between them.
  const kind = /^(get|parse)$/.test(command) ? command : 'cli';
  const cacheFile = `${file}.${process.version}-${process.arch}.${kind}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {}
  // Read as latin1, not decoded as UTF-8: the build writes the bundle in ASCII.
  const script = new (require('node:vm').Script)(Module.wrap(fs.readFileSync(file, 'latin1')), {
    filename: file,
    cachedData,
  });
  const mod = { exports: {} };
  script
    .runInThisContext()
    .call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    process.once('beforeExit', () => {
      try {
        fs.accessSync(dirname(file), fs.constants.W_OK);
        // Whole or not at all: a run starting meanwhile reads the old file or the new one.
        const part = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(part, script.createCachedData(), { mode: 0o644 });
        fs.renameSync(part, cacheFile);
      } catch {}
    });
  }
  return mod.exports;
}
