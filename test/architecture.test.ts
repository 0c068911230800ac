import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The import graph of src/, read from the source: layers point down (docs/ARCHITECTURE.md), and
// nothing imports itself round a circle.
const SRC = fileURLToPath(new URL('../src', import.meta.url));

/**
 * What each layer (a folder of src/, or a top-level file) may import from the others. The front
 * ends (cli/, library/, action/) stand on the rules (rules/) and the engine (poll/ and its parts);
 * the Node adapters (node/) are imported by front ends only.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  version: [],
  core: [],
  io: ['core'],
  api: ['core'],
  poll: ['core', 'api'],
  sim: ['core', 'api', 'delivery'],
  /** Verifying a delivery: its listers and their comparison, loaded only when asked for. */
  delivery: ['core', 'io', 'api', 'poll'],
  rules: ['core', 'api', 'poll'],
  render: ['core', 'io', 'api', 'poll'],
  deps: ['core', 'io', 'api'],
  node: ['core', 'io', 'api', 'deps'],
  cli: ['core', 'io', 'api', 'poll', 'sim', 'render', 'deps', 'rules', 'node', 'version', 'delivery'],
  library: ['core', 'api', 'poll', 'rules', 'render', 'node', 'version', 'delivery'],
  action: ['core', 'rules', 'cli', 'deps', 'render'],
};

/** The front ends: each keeps its promises through rules/, never through a copy of them. */
const FRONT_ENDS = /^(cli|library|action)\//;

/**
 * What rules/ owns, by the names of the lower layers' functions it wraps: a front end that
 * calls one of these directly is making its own copy of a rule (the secret policy decides on
 * loopback hosts, the start outcomes come from one POST, the body and language checks).
 */
const OWNED_BY_RULES = ['isLoopback', 'parseExportRequest', 'apiLanguage', 'jobFromLocation', 'request'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Static imports, re-exports and dynamic imports of the project's own modules, as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(SRC, join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

function layerOf(path: string): string {
  const [first = ''] = path.split('/');
  return first.replace(/\.ts$/, '');
}

const graph = new Map(sourceFiles(SRC).map((file) => [relative(SRC, file), importsOf(file)]));

describe('the import graph of src/', () => {
  it('is read from the files: every import resolves to a source file', () => {
    expect(graph.size).toBeGreaterThan(30);
    const dangling = [...graph].flatMap(([from, to]) =>
      to.filter((t) => !graph.has(t)).map((t) => `${from} → ${t}`),
    );
    expect(dangling).toEqual([]);
  });

  it('has layers that only point down', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const layer = layerOf(from);
      const allowed = MAY_IMPORT[layer];
      if (!allowed) {
        wrong.push(`${from}: layer ${layer} is not in the table`);
        continue;
      }
      for (const to of targets) {
        const target = layerOf(to);
        if (target !== layer && !allowed.includes(target)) wrong.push(`${from} → ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the poll core and the API client free of the front ends and render/', () => {
    const upward = [...graph].flatMap(([from, to]) =>
      /^(poll|api)\//.test(from)
        ? to.filter((t) => /^(cli|library|action|render)\//.test(t)).map((t) => `${from} → ${t}`)
        : [],
    );
    expect(upward).toEqual([]);
  });

  it('leaves every rule rules/ owns to it: no front end calls what rules/ wraps', () => {
    const copies: string[] = [];
    for (const from of graph.keys()) {
      if (!FRONT_ENDS.test(from)) continue;
      const text = readFileSync(join(SRC, from), 'utf8');
      for (const name of OWNED_BY_RULES) {
        if (new RegExp(`\\bimport\\b[^;]*\\b${name}\\b[^;]*from`, 's').test(text))
          copies.push(`${from}: ${name}`);
      }
    }
    expect(copies).toEqual([]);
  });

  it('has no flag or environment variable in a string of api/ or poll/: front ends word their reasons', () => {
    const named: string[] = [];
    for (const from of graph.keys()) {
      if (!/^(api|poll)\//.test(from)) continue;
      const lines = readFileSync(join(SRC, from), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\/\*|\*)/.test(line)) return;
        const strings = line.match(/(['"`])(?:\\.|(?!\1).)*\1/g) ?? [];
        for (const text of strings) {
          if (/--[a-z][a-z-]{2,}|\b(EGAIN|EXPORT_STATUS|NODE)_[A-Z_]+\b/.test(text))
            named.push(`${from}:${i + 1} ${text}`);
        }
      });
    }
    expect(named).toEqual([]);
  });

  it('measures time only on the Clock: no timer or clock read of its own in api/, poll/, rules/ or render/', () => {
    const own: string[] = [];
    for (const from of graph.keys()) {
      if (!/^(api|poll|rules|render)\//.test(from)) continue;
      const lines = readFileSync(join(SRC, from), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\/\*|\*)/.test(line)) return;
        if (/\b(setTimeout|setInterval|Date\.now|AbortSignal\.timeout|performance\.now|hrtime)\b/.test(line))
          own.push(`${from}:${i + 1} ${line.trim()}`);
      });
    }
    expect(own).toEqual([]);
  });

  it('has no import circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });
});
