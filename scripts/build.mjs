// Bundles the CLI, the library and the benchmark's entry points; every dependency inside, so an
// installed package needs nothing else.
//
// - dist/cli.cjs: the CLI, one CommonJS file that bin/ require()s. One file because each extra
//   module costs start-up time (resolution, the ES module loader, a compile), and CommonJS
//   because the ES module loader alone costs more than the whole CLI's own code.
// - dist/vendor/*.cjs: the large libraries only some runs need (undici behind a proxy,
//   oauth4webapi with client credentials; aws4fetch, fast-xml-parser and ssh2 verifying a delivery), each in a file of its own that dist/cli.cjs
//   require()s when the code that uses it first runs. Compiling them on every start would cost
//   more than all the rest (V8 reads a whole file before running any of it).
// - dist/index.js: the library, ESM, the package's import entry; readable (not minified).
// - action/main.cjs: the GitHub Action (src/action/), one self-contained file committed to the
//   repository, as JavaScript actions are: the runner runs it with nothing to install. CI checks
//   that the committed file is what this build makes.
// - build/bench/bench.js: the benchmark (scripts/bench/), run by `npm run bench`; not shipped.
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // ASCII, every other character escaped: bin/ reads the CLI's bundle as latin1.
  charset: 'ascii',
  // Function and class names kept, so the stack of an internal error (exit 70) can be read.
  keepNames: true,
  logLevel: 'warning',
  // The version is built in: reading package.json at every start costs a file read.
  define: { EXPORT_STATUS_VERSION: JSON.stringify(version) },
  // ssh2's optional native parts (a crypto binding, cpu-features), each require()d in a try:
  // left out, ssh2 runs on its JavaScript alone, as it does where they were never built.
  external: ['*.node', 'cpu-features'],
};
// CommonJS dependencies bundled into ESM still call require() for Node built-ins.
const esmRequire = {
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
};

const VENDORED = ['undici', 'oauth4webapi', 'aws4fetch', 'fast-xml-parser', 'ssh2'];

/**
 * Each vendored library, in the bundle, is a require() of its own file next to it, run the first
 * time the code that imports it runs (so no ES module loader either).
 */
const vendored = {
  name: 'vendored',
  setup(b) {
    const filter = new RegExp(`^(${VENDORED.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'vendored' }));
    b.onLoad({ filter: /.*/, namespace: 'vendored' }, (args) => ({
      contents: `module.exports = require('vendored:${args.path}');`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^vendored:/ }, (args) => ({
      path: `./vendor/${args.path.slice('vendored:'.length)}.cjs`,
      external: true,
    }));
  },
};

/**
 * commander requires node:child_process at load (for executable subcommands, which this CLI does
 * not have); that pulls in net, dgram and more on every start. It gets the module when, if ever,
 * it first touches it.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`commander changed: "${eager}" not found in ${args.path}`);
      const lazy =
        "const childProcess = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * chalk works out at load whether stdout and stderr take colour (loading node:tty and node:os,
 * ~5 ms of every start-up) for its default instance. This project never uses that instance: each
 * Chalk is made with the level src/io/color.ts decided (NO_COLOR, FORCE_COLOR, --no-color, a
 * TTY). Its answer is replaced by "no colour", which nothing reads.
 */
const noColorProbe = {
  name: 'no-color-probe',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({
      path: 'supports-color',
      namespace: 'no-color-probe',
    }));
    b.onLoad({ filter: /.*/, namespace: 'no-color-probe' }, () => ({
      contents: 'export default { stdout: false, stderr: false };',
      loader: 'js',
    }));
  },
};

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await rm(new URL('../build', import.meta.url), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  plugins: [vendored, lazyChildProcess, noColorProbe],
  // CommonJS has no import.meta; nothing the bundle runs needs it (src/version.ts reads the
  // package.json next to it only when not bundled).
  define: { ...common.define, 'import.meta.url': 'undefined' },
});
// bin/ reads the bundle as latin1 (no UTF-8 decoding at every start): esbuild escapes every
// character outside ASCII, and this keeps it so.
const bundle = await readFile(new URL('../dist/cli.cjs', import.meta.url));
if (bundle.some((byte) => byte > 0x7f))
  throw new Error('dist/cli.cjs is not ASCII: bin/export-status.js reads it as latin1');
// bin/ compiles it with V8's code cache on Node 20, which loses the handler of import(): every
// module the bundle loads late is require()d (process.getBuiltinModule for Node's own).
if (/\bimport\(/.test(bundle.toString('latin1')))
  throw new Error('dist/cli.cjs calls import(): it fails when bin/ loads its code from a cache');
for (const name of VENDORED) {
  await build({
    ...common,
    stdin: { contents: `module.exports = require('${name}');`, resolveDir: '.' },
    outfile: `dist/vendor/${name}.cjs`,
    format: 'cjs',
  });
}
await build({
  ...common,
  ...esmRequire,
  entryPoints: { index: 'src/library/index.ts' },
  outdir: 'dist',
  format: 'esm',
  // Not minified: Node prints the source line an uncaught error was thrown from, and a user's
  // program that does not catch an ExportStatusError should show a line of code, not 18 kB of one.
  // A program loads the library once, so its size costs little.
  minify: false,
  splitting: true,
  // The same vendored files as the CLI's: each library ships once in the package.
  plugins: [vendored, noColorProbe],
});
await build({
  ...common,
  stdin: {
    contents: [
      "import { runAction } from './src/action/index.ts';",
      "import { systemDeps } from './src/node/system.ts';",
      'runAction(process.env, systemDeps()).then((code) => { process.exitCode = code; });',
    ].join('\n'),
    resolveDir: '.',
    loader: 'ts',
    sourcefile: 'action-entry.ts',
  },
  outfile: 'action/main.cjs',
  format: 'cjs',
  plugins: [lazyChildProcess, noColorProbe],
  banner: { js: '// The GitHub Action, built from src/action/ by `npm run build`: do not edit.' },
  define: { ...common.define, 'import.meta.url': 'undefined' },
});
await build({
  ...common,
  ...esmRequire,
  entryPoints: { bench: 'scripts/bench/main.ts' },
  outdir: 'build/bench',
  format: 'esm',
});
