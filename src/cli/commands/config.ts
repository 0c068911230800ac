import { ExitCode } from '../../core/exit-codes.js';
import { sanitize } from '../../core/sanitize.js';
import type { Deps } from '../../deps.js';
import { jsonLine } from '../../render/json.js';
import type { SettingsReport } from '../report.js';

/** `export-status config`: the profiles, the one in use, and where each effective setting comes from. */
export function runConfig(report: SettingsReport, namesOnly: boolean, deps: Deps, json = false): number {
  if (namesOnly) {
    for (const name of report.profiles) deps.stdout.write(`${sanitize(name, 100)}\n`);
    return ExitCode.ok;
  }
  if (json) {
    // The same report, for scripts: no secret is in it, as in the text.
    const settings = report.rows.map((r) => ({ setting: r.setting, value: r.value, from: r.from }));
    deps.stdout.write(jsonLine({ ...report, rows: undefined, settings }));
    return ExitCode.ok;
  }
  const out: string[] = [];
  const names = report.profiles.length ? report.profiles.join(', ') : 'none';
  out.push(
    `Configuration file: ${sanitize(report.file, 300)}${report.fileExists ? '' : ' (it does not exist: no profiles)'}`,
  );
  out.push(`Profiles: ${sanitize(names, 500)}`);
  out.push(
    report.profile
      ? `In use: ${sanitize(report.profile.name, 100)} (from ${report.profile.chosenBy})`
      : 'In use: no profile',
  );
  out.push('');
  const width = Math.max(...report.rows.map((r) => r.setting.length));
  const valueWidth = Math.min(60, Math.max(...report.rows.map((r) => r.value.length)));
  for (const r of report.rows) {
    const value = sanitize(r.value, 200);
    out.push(`  ${r.setting.padEnd(width)}  ${value.padEnd(valueWidth)}  ${r.from}`.trimEnd());
  }
  deps.stdout.write(`${out.join('\n')}\n`);
  return ExitCode.ok;
}
