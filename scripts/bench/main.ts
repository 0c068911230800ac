// npm run bench [-- --quick] [-- --only=targets,scale,...]; a part of a section by its name too
// (--only=start-up, --only=many-jobs)
// Measures the built CLI against floors a user could write by hand, each side by side with its
// floor in the same run: the targets (start-up of parse and get, in UTC and far from it; CPU per
// minute of waiting in a terminal and in a log; memory and CPU per poll at 1,000 jobs), then
// scale, endurance, economy and --interval auto. Each target is printed with "met" or "MISSED";
// no mark fails the run (the machines are shared and noisy): only a problem with the CLI itself
// does. Every spawned measurement has a time limit; a section whose tool is missing is skipped
// with a note. A full run writes its figures into BENCHMARKS.md, in the section of the Node
// major it ran on; the figures and what they mean are there, not here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/server.js';
import { adaptive } from './adaptive.js';
import { economy } from './economy.js';
import { fmt, have, markOf, Overrun, Report, ROOT, reap } from './measure.js';
import { endurance, scale } from './scale.js';
import { type Context, startupTargets, thousandJobs, waitingTargets } from './targets.js';

const quick = process.argv.includes('--quick');
/** --only=targets,scale runs just those sections (and writes no BENCHMARKS.md). */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
/** A section runs when --only names its group ("targets") or its own name ("many-jobs"). */
const wanted = (section: string) => {
  const [group = section, part = ''] = section.split(':');
  const slug = part
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  return !only || only.includes(group) || (slug !== '' && only.includes(slug));
};
const report = new Report();
const ctx: Context = { quick, report, startSimulator };

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
console.log(
  `export-status benchmark${quick ? ' (quick: checks that it works, figures not meaningful)' : ''}\n${machine}\n`,
);

const tools = {
  script: have('script'),
  curlJq: have('curl') && have('jq'),
  time: have('/usr/bin/time'),
};
if (!tools.script)
  report.note('targets: `script` (util-linux) is missing: the terminal watch is not measured');
if (!tools.curlJq) report.note('targets: curl or jq is missing: the curl + jq loop is not measured');

/** Runs one section; one that fails or overruns ends with a note, and the others still run. */
async function section(
  name: string,
  run: () => Promise<void>,
  needs: Array<[boolean, string]> = [],
): Promise<void> {
  if (!wanted(name)) return;
  const missing = needs.filter(([ok]) => !ok).map(([, tool]) => tool);
  if (missing.length > 0) {
    report.note(`${name}: skipped, ${missing.join(' and ')} missing`);
    return;
  }
  try {
    await run();
  } catch (err) {
    const why =
      err instanceof Overrun ? err.message : `failed: ${err instanceof Error ? err.message : String(err)}`;
    report.note(`${name}: ${why}; its figures are missing`);
    if (!(err instanceof Overrun)) report.problems.push(`${name}: ${why}`);
  } finally {
    reap();
  }
}

const shared = await startSimulator({ port: 0, durationMs: 3_600_000, maxRecorded: 1_000_000 });
await section('targets: start-up', () => startupTargets(ctx, shared));
await section('targets: waiting', () => waitingTargets(ctx, shared, tools));
await shared.close();
await section('targets: many jobs', () => thousandJobs(ctx));
await section('scale', () => scale(ctx));
await section('endurance', () => endurance(ctx));
await section('economy', () => economy(ctx), [
  [tools.curlJq, 'curl or jq'],
  [tools.time, '/usr/bin/time'],
]);
await section('adaptive', () => adaptive(ctx));

const table = [
  '| section | measurement | median [range] | floor or baseline | ratio | target | |',
  '|---|---|---:|---:|---:|---|---|',
  ...report.rows.map((r) => {
    const mark = markOf(r);
    return `| ${r.section} | ${r.what} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${mark === 'MISSED' ? '**MISSED**' : mark} |`;
  }),
].join('\n');
if (report.notes.length > 0) console.log(`\nnotes:\n${report.notes.join('\n')}`);
if (report.problems.length > 0) console.log(`\nproblems:\n${report.problems.join('\n')}`);
if (!quick && !only) {
  writeBenchmarks(table, report.notes);
  console.log('\nwritten to BENCHMARKS.md');
}
// Only what is wrong with the CLI fails the run, never a mark: the machines are shared and noisy.
process.exitCode = report.problems.length > 0 ? 1 : 0;

/**
 * BENCHMARKS.md keeps a section per Node major, each replaced by a run on that major; what is
 * outside the sections (the introduction, the notes on each missed target) is kept as written.
 */
function writeBenchmarks(table: string, notes: readonly string[]): void {
  const file = join(ROOT, 'BENCHMARKS.md');
  const major = process.versions.node.split('.')[0];
  const begin = `<!-- node ${major}: made by npm run bench -->`;
  const end = `<!-- end of node ${major} -->`;
  const section = [
    begin,
    `## Node ${major}`,
    '',
    `Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
    '',
    table,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    end,
  ].join('\n');
  const text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench` (see scripts/bench/).\n\n## Notes\n';
  const at = text.indexOf(begin);
  let next: string;
  if (at >= 0) {
    const stop = text.indexOf(end, at);
    next = text.slice(0, at) + section + text.slice(stop + end.length);
  } else {
    const notesAt = text.indexOf('\n## Notes');
    next =
      notesAt >= 0
        ? `${text.slice(0, notesAt)}\n${section}\n${text.slice(notesAt)}`
        : `${text.trimEnd()}\n\n${section}\n`;
  }
  writeFileSync(file, next);
}
