// npm run schemas: writes the JSON Schemas of the output documents and of the configuration file
// to schemas/, generated from the zod schemas in src/render/document-schemas.ts and
// src/cli/profile.ts (bundled on the fly with esbuild).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const work = await mkdtemp(join(tmpdir(), 'export-status-schemas-'));
const out = join(work, 'schemas.mjs');
await build({
  stdin: {
    contents:
      "export { documentJsonSchemas } from './src/render/document-schemas.ts'; export { configJsonSchema } from './src/cli/profile.ts';",
    resolveDir: '.',
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: out,
  logLevel: 'warning',
});
const { documentJsonSchemas, configJsonSchema } = await import(pathToFileURL(out).href);
await mkdir('schemas', { recursive: true });
const all = { ...documentJsonSchemas(), 'config.schema.json': configJsonSchema() };
for (const [name, schema] of Object.entries(all)) {
  await writeFile(join('schemas', name), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`schemas/${name}`);
}
await rm(work, { recursive: true, force: true });
