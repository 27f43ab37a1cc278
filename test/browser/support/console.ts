import { expect, type Page } from '@playwright/test';
import { expectAccessible } from './accessibility';
import { screenshot } from './screenshot';
import type { ConsoleUser } from './users';

/** Signs `user` in through the sign-in form, as a person does; waits for the first screen. */
export async function signInWithForm(page: Page, user: ConsoleUser): Promise<void> {
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion à la console' })).toBeVisible();
  await page.getByLabel('Identifiant').fill(user.login);
  await page.getByLabel('Mot de passe').fill(user.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
}

/** The screen as it is now passes axe-core (no serious or critical violation), and its screenshot is written. */
export async function checkScreen(page: Page, name: string, screenName: string): Promise<void> {
  await expect(page.getByText(/^(Chargement|Recherche en cours|Vérification en cours)…$/)).toHaveCount(0); // nothing still loading
  await expectAccessible(page, screenName);
  await expectButtonsReadable(page, screenName);
  await screenshot(page, name);
}

/**
 * No button of the screen shows less than its label: DSFR clips a button with an icon to the
 * icon alone in some contexts (in a `fr-btns-group` without `fr-btns-group--icon-left`, its
 * `fr-btn--icon-left` loses), which axe cannot see since the label is still there for it.
 */
export async function expectButtonsReadable(page: Page, screenName: string): Promise<void> {
  const clipped = await page.locator('.fr-btn').evaluateAll((buttons) =>
    buttons
      .filter((b) => (b as HTMLElement).offsetParent !== null && (b.textContent ?? '').trim() !== '')
      .filter((b) => b.scrollWidth > b.clientWidth + 1)
      .map((b) => `${(b.textContent ?? '').trim()} (${b.clientWidth} px shown of ${b.scrollWidth})`),
  );
  expect(clipped, `buttons of ${screenName} whose label is cut`).toEqual([]);
}
