import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH } from './test/browser/support/chromium';

/**
 * The browser tier (`npm run test:browser`, run by `npm test` after the jest tiers): the built
 * console in Debian's chromium (Playwright never downloads a browser), against one API and
 * worker started and seeded by the global setup for the whole tier (test/browser/support).
 * Screenshots and traces of failed tests only, in test-results/.
 */
export default defineConfig({
  testDir: 'test/browser',
  globalSetup: './test/browser/support/global-setup.ts',
  outputDir: 'test-results',
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  timeout: 120_000,
  expect: { timeout: 5_000 },
  use: {
    // Set by the global setup for the tests' workers, which read this file again.
    baseURL: process.env.CPS_CONSOLE_URL,
    // The browser's own language, which date fields follow (jj/mm/aaaa) as on an agent's French
    // desktop: from LANGUAGE, with Debian's chromium-l10n (installed by .ci/services.sh).
    launchOptions: { executablePath: CHROMIUM_PATH, env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' } },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
