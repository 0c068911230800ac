// Bundles the CLI (src/main.ts) and the library (src/library.ts) into dist/ as ESM, every
// dependency inside: an installed package needs nothing else. Code splitting keeps what only some
// commands need (ora, the simulator, oauth4webapi, undici) in chunks loaded by dynamic import.
// The benchmark's own entry points go to build/bench/, which is not shipped.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const common = {
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
};

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await rm(new URL('../build', import.meta.url), { recursive: true, force: true });
await build({ ...common, entryPoints: { main: 'src/main.ts', index: 'src/library.ts' }, outdir: 'dist' });
await build({
  ...common,
  entryPoints: { sim: 'src/sim/server.ts', 'bench-kit': 'scripts/bench-kit.ts' },
  outdir: 'build/bench',
});
