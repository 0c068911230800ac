// npm run schemas: writes the JSON Schemas of the output documents to schemas/, generated from
// the zod schemas in src/render/document-schemas.ts (bundled on the fly with esbuild).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const work = await mkdtemp(join(tmpdir(), 'export-status-schemas-'));
const out = join(work, 'schemas.mjs');
await build({
  entryPoints: ['src/render/document-schemas.ts'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: out,
  logLevel: 'warning',
});
const { documentJsonSchemas } = await import(pathToFileURL(out).href);
await mkdir('schemas', { recursive: true });
for (const [name, schema] of Object.entries(documentJsonSchemas())) {
  await writeFile(join('schemas', name), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`schemas/${name}`);
}
await rm(work, { recursive: true, force: true });
