import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ROOT } from '../../support/processes';

/** Where the console's screenshots go (the documentation shows them). */
export const SCREENSHOT_DIR = join(ROOT, 'docs', 'screenshots');

/**
 * Writes the whole page (full height, 1280 pixels wide: the tier's viewport) to
 * `docs/screenshots/console-<name>.png`, once its fonts are loaded; answers the file's path.
 * `name`: lower-case words joined by dashes, e.g. `accueil` or `professionnel-fiche`.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`screenshot name "${name}": lower-case words joined by dashes`);
  const width = page.viewportSize()?.width;
  if (width !== 1280) throw new Error(`screenshot "${name}": the page is ${width} pixels wide, the documentation's screenshots 1280`);
  await page.evaluate(() => document.fonts.ready);
  const path = join(SCREENSHOT_DIR, `console-${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}
