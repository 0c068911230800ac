// Bundles src/main.ts into dist/ as ESM. Code splitting keeps the modules that only some commands
// need (ora, the simulator) in chunks of their own, loaded by dynamic import when used.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  // sim.js and bench-kit.js are for the benchmark, which runs the simulator in its own process.
  entryPoints: { main: 'src/main.ts', sim: 'src/sim/server.ts', 'bench-kit': 'scripts/bench-kit.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
});
