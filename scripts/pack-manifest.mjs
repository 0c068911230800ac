// The package as users get it runs no install-time script: `prepare` (which builds a checkout on
// `npm install`) would do nothing in an installed package, yet npm warns about it there. So the
// packed package.json is written without it: `node scripts/pack-manifest.mjs strip` before npm
// packs (prepack), `restore` after (postpack), the original kept in package.json.orig meanwhile.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const saved = new URL('../package.json.orig', import.meta.url);
const mode = process.argv[2];
if (mode === 'strip') {
  if (existsSync(saved)) renameSync(saved, manifest); // an interrupted pack left it
  const text = readFileSync(manifest, 'utf8');
  writeFileSync(saved, text);
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  throw new Error('usage: pack-manifest.mjs strip|restore');
}
