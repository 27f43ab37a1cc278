import { expect, type Page } from '@playwright/test';
import { Client } from 'pg';
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

/**
 * Makes the console sessions of `login` look idle for `minutes` more (their last use moved back
 * in the database), as if the time had passed: the API runs on real time.
 */
export async function ageSessions(databaseUrl: string, login: string, minutes: number): Promise<number> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const r = await pg.query(
      `UPDATE console_session s SET last_seen_at = s.last_seen_at - make_interval(mins => $2::int)
         FROM principal p WHERE p.id = s.principal_id AND lower(p.name) = lower($1)`,
      [login, minutes],
    );
    return r.rowCount ?? 0;
  } finally {
    await pg.end();
  }
}
