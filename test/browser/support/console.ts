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
  await screenshot(page, name);
}
