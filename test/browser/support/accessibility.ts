import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** An axe-core violation (axe-core's Result, through the builder: axe-core is not a dependency of ours). */
type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

/** The rules checked: WCAG 2.0 and 2.1, levels A and AA (the RGAA's reference). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** One line per violation and one per element it was found on: what, where, how to fix. */
export function describeViolations(violations: Violation[]): string[] {
  return violations.map((v) => {
    const where = v.nodes.map((n) => `    at ${n.target.join(' ')}: ${n.html.replace(/\s+/g, ' ').slice(0, 160)}`).join('\n');
    return `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${where}`;
  });
}

/**
 * Runs axe-core on the page as it is now and fails, listing them, on any `serious` or
 * `critical` violation of WCAG 2.0/2.1 A and AA; `screenName` names the screen in the message.
 * Lesser ones (`minor`, `moderate`) are not failures.
 */
export async function expectAccessible(page: Page, screenName: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    describeViolations(blocking),
    `accessibility of the screen "${screenName}" (${page.url()}): serious or critical violations of WCAG 2.1 AA`,
  ).toEqual([]);
}
