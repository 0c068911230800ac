/**
 * The one fresh-ID helper: each call gives an ID no other test of this run has (the simulator
 * picks its scenario from the ID's start), so tests never share a job.
 */
export function freshIds(tag: string): (scenario: string) => string {
  let n = 0;
  return (scenario) => `${scenario}-${tag}-${process.pid}-${++n}`;
}
