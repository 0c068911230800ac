// Checks the package as a user gets it: packs it, installs the tarball into an empty prefix (no
// dependencies to download), runs the installed CLI, imports it from an ESM program that watches
// a job on the simulator, drives its get, start and watch through client credentials (a token
// renewal included), and type-checks a strict TypeScript consumer against the shipped
// declarations. Prints the installed size. Run by .ci/run; exits non-zero on any failure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'export-status-package-'));
const prefix = join(work, 'prefix');
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...options });
const step = (text) => console.log(`--- ${text}`);

step('npm pack');
run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT });
const tarball = join(
  work,
  readdirSync(work).find((f) => f.endsWith('.tgz')),
);

step('npm install -g of the tarball into an empty prefix');
const install = spawnSync(
  'npm',
  ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', tarball],
  { encoding: 'utf8' },
);
if (install.status !== 0) throw new Error(`npm install failed:\n${install.stderr}`);
// The installed package runs nothing at install time, so npm has nothing to warn about.
if (/install-scripts|prepare/.test(install.stderr)) throw new Error(`npm warned:\n${install.stderr}`);
const installed = join(prefix, 'lib', 'node_modules', 'export-status');
const bin = join(prefix, 'bin', 'export-status');
const size = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((sum, f) => sum + size(join(path, f)), 0)
    : statSync(path).size;
const bytes = size(installed);
console.log(`installed size: ${(bytes / 1024 / 1024).toFixed(2)} MiB (${bytes} bytes); target ≤ 3 MiB`);
if (bytes > 3 * 1024 * 1024) throw new Error('the installed package is larger than 3 MiB');
if (readdirSync(installed).includes('node_modules'))
  throw new Error('the installed package pulled in dependencies');

step('the installed CLI');
console.log(run(bin, ['--version']).trim());
console.log(run(bin, ['parse', '-'], { input: '{"status":"Completed","results":{"successful":3}}' }).trim());
console.log(run(bin, ['demo', '--duration', '1s', '--interval', '200ms', '--quiet']).trim());

step('an ESM program that imports the installed package and watches a job on the simulator');
const consumer = join(work, 'consumer');
mkdirSync(join(consumer, 'node_modules'), { recursive: true });
symlinkSync(installed, join(consumer, 'node_modules', 'export-status'));
writeFileSync(
  join(consumer, 'watch.mjs'),
  `import { watchExport, parseExportStatus, ExportStatusError } from 'export-status';
const baseUrl = process.argv[2];
const watch = watchExport('success-consumer', { baseUrl, interval: 200 });
let polls = 0;
for await (const event of watch) if (event.type === 'poll') polls++;
const result = await watch.result;
if (result.outcome !== 'succeeded' || polls < 2) throw new Error(JSON.stringify(result));
try { parseExportStatus('{}'); throw new Error('no error'); } catch (e) { if (!(e instanceof ExportStatusError) || e.exitCode !== 5) throw e; }
console.log('consumer: ' + result.outcome + ' after ' + polls + ' polls');
`,
);
const server = spawn(bin, ['serve', '--port', '0', '--duration', '1s', '--quiet'], {
  stdio: ['ignore', 'pipe', 'ignore'],
});
const baseUrl = await new Promise((resolve, reject) => {
  server.stdout.setEncoding('utf8').once('data', (line) => resolve(line.trim()));
  server.once('exit', () => reject(new Error('serve ended')));
});
try {
  console.log(run(process.execPath, ['watch.mjs', baseUrl], { cwd: consumer }).trim());
} finally {
  server.kill('SIGTERM');
}

step('the installed library with client credentials: a token, a renewal, the bearer token on every request');
writeFileSync(
  join(consumer, 'credentials.mjs'),
  `import { getExportStatus, startExport, watchExport } from 'export-status';
const [baseUrl, tokenUrl] = process.argv.slice(2);
const credentials = { baseUrl, clientId: 'pkg', clientSecret: 'pkg-secret-123', tokenUrl };
const status = await getExportStatus('stuck-pkg-1', credentials);
const started = await startExport(
  { portalID: 'PROD-1000', language: { code: 'en-US' }, resourceTypes: ['articles'],
    dataDestination: { destinationType: 'AWS S3 bucket', path: 's3://bucket/folder' } },
  credentials,
);
// the job takes 5 s, a token lives 2 s: the watch renews it on the way
const result = await watchExport(started.statusUrl, { ...credentials, interval: 250 }).result;
if (status.status !== 'Pending' || result.outcome !== 'succeeded') throw new Error(JSON.stringify({ status, result }));
console.log('credentials: get ' + status.status + ', start ' + started.jobId + ', watch ' + result.outcome);
`,
);
const guarded = spawn(
  bin,
  [
    'serve',
    '--port',
    '0',
    '--duration',
    '5s',
    '--client-id',
    'pkg',
    '--client-secret',
    'pkg-secret-123',
    '--token-ttl',
    '2s',
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let served = '';
guarded.stderr.setEncoding('utf8').on('data', (text) => {
  served += text;
});
const guardedUrl = await new Promise((resolve, reject) => {
  guarded.stdout.setEncoding('utf8').once('data', (line) => resolve(line.trim()));
  guarded.once('exit', () => reject(new Error('serve ended')));
});
try {
  const tokenUrl = new URL('/oauth2/v2.0/token', guardedUrl).href;
  console.log(
    run(process.execPath, ['credentials.mjs', guardedUrl, tokenUrl], {
      cwd: consumer,
      timeout: 30_000,
    }).trim(),
  );
} finally {
  guarded.kill('SIGTERM');
  await new Promise((resolve) => guarded.once('exit', resolve));
}
const tokenRequests = served
  .split('\n')
  .filter((line) => line.includes('POST /oauth2/v2.0/token → 200')).length;
const refused = served.split('\n').filter((line) => / → 401 /.test(line));
console.log(`token endpoint asked ${tokenRequests} times; ${refused.length} API requests refused`);
if (tokenRequests < 2 || tokenRequests > 5)
  throw new Error(`expected a token and a renewal or two, the log says:\n${served}`);
if (refused.length > 0) throw new Error(`the API refused the token:\n${refused.join('\n')}`);

step('a strict TypeScript consumer, type-checked against the shipped declarations');
writeFileSync(
  join(consumer, 'check.ts'),
  `import { type ExportStatus, type WatchResult, getExportStatus, startExport, watchExport } from 'export-status';
export async function wait(id: string): Promise<number> {
  const watch = watchExport(id, { interval: 'auto', timeout: 3_600_000, clientId: 'c', clientSecret: 's', tokenUrl: 'https://login.example/t' });
  for await (const event of watch) if (event.type === 'retry') console.log(event.reason, event.delayMs);
  const result: WatchResult = await watch.result;
  const status: ExportStatus = await getExportStatus(id, { token: async () => 'token' });
  const { jobId } = await startExport({ portalID: 'PROD-1000' }, { baseUrl: 'https://api.example/v4' });
  return result.exitCode + (status.progress?.processed ?? 0) + jobId.length;
}
`,
);
writeFileSync(
  join(consumer, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2023',
      lib: ['es2023'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      noEmit: true,
      skipLibCheck: false,
    },
    files: ['check.ts'],
  }),
);
run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', consumer]);
console.log('the consumer type-checks');
console.log('package check passed');
