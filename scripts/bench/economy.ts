// A whole export, start to end, watched by the CLI and by the loop people write by hand.
import { BIN, fmt, NODE, timed } from './measure.js';
import { type Context, CURL_LOOP } from './targets.js';

export async function economy(ctx: Context): Promise<void> {
  const { report, quick } = ctx;
  const durationMs = quick ? 12_000 : 60_000;
  // Both end with the export; a watch still running at three times its length is stuck.
  const limitMs = durationMs * 3 + 30_000;
  const sim = await ctx.startSimulator({ port: 0, durationMs, maxRecorded: 1_000_000 });
  const countFor = (id: string) => sim.requests.filter((r) => r.path.endsWith(`/${id}/status`)).length;
  try {
    const ours = await timed(
      NODE,
      [BIN, 'watch', '--base-url', sim.baseUrl, 'success-ours', '--interval', '5s'],
      limitMs,
    );
    const theirs = await timed(
      'bash',
      ['-c', CURL_LOOP, 'loop', `${sim.baseUrl}/content/export/success-theirs/status`],
      limitMs,
    );
    report.add({
      section: 'economy',
      what: 'curl + jq + sleep 5 loop: CPU for one job',
      value: `${fmt(theirs.cpuMs / 1000, 3)} s`,
      ratio: '1.00×',
    });
    report.add({
      section: 'economy',
      what: 'export-status watch --interval 5s: CPU for one job',
      value: `${fmt(ours.cpuMs / 1000, 3)} s`,
      baseline: `${fmt(theirs.cpuMs / 1000, 3)} s`,
      ratio: `${fmt(ours.cpuMs / theirs.cpuMs)}×`,
      target: '< 1×',
      met: ours.cpuMs < theirs.cpuMs,
    });
    const [mine, loop] = [countFor('success-ours'), countFor('success-theirs')];
    report.add({
      section: 'economy',
      what: 'requests: export-status vs the loop',
      value: `${mine}`,
      baseline: `${loop}`,
      target: '≤ the loop',
      met: mine <= loop,
    });
  } finally {
    await sim.close();
  }
}
