#!/usr/bin/env node
// The only file besides systemDeps() that touches `process`: run the CLI, set the exit code,
// and let the event loop drain so buffered output is never dropped.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
