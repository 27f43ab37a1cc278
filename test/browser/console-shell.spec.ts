import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFile, CONSOLE_BASE, FIRST_LOAD_JS_BUDGET_GZIP_KB, firstLoadJs } from '../../bench/console-bundle';
import { ROOT } from '../support/processes';
import { expectAccessible } from './support/accessibility';
import { screenshot } from './support/screenshot';
import { expect, test } from './support/seed';

const TITLE = /Console CPx$/;

test('/console/ loads in French under a title naming the console, passes axe-core, and its screenshot is written', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // Signed out, the console's question "is there a session?" (GET /api/v1/session) is answered 401, which the browser logs.
    if (m.type() === 'error' && new URL(m.location().url || 'about:blank').pathname !== '/api/v1/session') {
      errors.push(`${m.text()} (${m.location().url})`);
    }
  });
  const answer = await page.goto('./');
  expect(answer?.status()).toBe(200);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page).toHaveTitle(TITLE);
  await expect(page.locator('#root')).not.toBeEmpty();

  await expectAccessible(page, 'accueil de la console');

  const png = readFileSync(await screenshot(page, 'shell'));
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(1280); // IHDR width
  expect(errors).toEqual([]);
});

test('an unknown path under /console/ is the console still (index.html), a missing asset a 404', async ({ page }) => {
  const answer = await page.goto('professionnels/810000000355/inconnu');
  expect(answer?.status()).toBe(200);
  expect(answer?.headers()['content-type']).toContain('text/html');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page).toHaveTitle(TITLE);
  await expect(page.locator('#root')).not.toBeEmpty();

  const missing = await page.request.get('assets/absent-0000.js');
  expect(missing.status()).toBe(404);
});

test(`the console's first-load JavaScript is at most ${FIRST_LOAD_JS_BUDGET_GZIP_KB} kB gzipped, and the browser loads all of it`, async ({
  page,
}) => {
  const js = firstLoadJs(join(ROOT, 'web', 'dist'));
  process.stdout.write(`console first-load JavaScript: ${js.gzipKb} kB gzipped (${js.files.map((f) => f.path).join(', ')})\n`);
  expect(js.files.length).toBeGreaterThan(0);

  const loaded: string[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') loaded.push(new URL(r.url()).pathname);
  });
  await page.goto('./', { waitUntil: 'networkidle' });
  // what was measured is what index.html makes the browser load
  for (const f of js.files) expect(loaded).toContain(`/console/${f.path}`);
  expect(js.gzipKb).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET_GZIP_KB);
  // What the browser fetched before the page went quiet, dynamic imports made at start included
  // (react-dsfr's dsfr.module, which index.html does not name): counted the same way, within the budget too.
  const dist = join(ROOT, 'web', 'dist');
  const atStart = [...new Set(loaded)].filter((p) => p.startsWith(`${CONSOLE_BASE}assets/`)).map((p) => p.slice(CONSOLE_BASE.length));
  expect(atStart.filter((p) => !js.files.some((f) => f.path === p))).toEqual([expect.stringMatching(/^assets\/dsfr\.module-.*\.js$/)]);
  const gzipKb = atStart.reduce((n, p) => n + bundleFile(dist, p).gzipBytes, 0) / 1000;
  process.stdout.write(`JavaScript loaded at start: ${gzipKb.toFixed(1)} kB gzipped (${atStart.join(', ')})\n`);
  expect(gzipKb).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET_GZIP_KB);
});
