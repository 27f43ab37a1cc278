/**
 * The fault tier prints how long each scenario took to get back to the undisturbed state,
 * one line per scenario: `fault: <scenario> converged in <seconds> s`.
 */
export function reportConvergence(scenario: string, startedAt: number, detail = '', endedAt = Date.now()): number {
  const seconds = Math.round((endedAt - startedAt) / 100) / 10;
  process.stdout.write(`fault: ${scenario} converged in ${seconds} s${detail ? ` (${detail})` : ''}\n`);
  return seconds;
}
