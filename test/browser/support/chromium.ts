import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The browser of the tier: Debian's chromium (`CHROMIUM_PATH` names another); Playwright never downloads one. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails, naming what to install, when the tier's chromium is missing or does not start; its version otherwise. */
export function assertChromium(): string {
  const install =
    "The browser tier needs it and never skips: install Debian's chromium and fonts-dejavu-core (bash .ci/services.sh does), or set CHROMIUM_PATH.";
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`chromium is missing at ${CHROMIUM_PATH}. ${install}`);
  }
  // Its French, for date fields as an agent sees them (jj/mm/aaaa): Debian's chromium-l10n, beside the binary.
  const locales = [join(dirname(realpathSync(CHROMIUM_PATH)), 'locales'), '/usr/lib/chromium/locales'];
  if (!locales.some((d) => existsSync(join(d, 'fr.pak')))) {
    throw new Error(
      `chromium at ${CHROMIUM_PATH} has no French (no fr.pak in ${locales.join(' or ')}): install chromium-l10n (bash .ci/services.sh does).`,
    );
  }
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 }).trim();
  } catch (e) {
    throw new Error(`chromium at ${CHROMIUM_PATH} does not start (${(e as Error).message}). ${install}`);
  }
}
