import { idleConsoleSessions } from '../support/console-users';
import { runCli } from '../support/processes';
import { checkScreen, signInWithForm } from './support/console';
import { expect, test } from './support/seed';
import { createUser, signIn } from './support/users';

test('an operator made with users:create sets a password and signs in: an httpOnly session cookie, the roles and a CSRF token', async ({
  page,
}) => {
  const user = await createUser('Élodie Opératrice', ['operator'], 'une phrase de passe assez longue, 2026');
  const session = await signIn(page, user);
  expect(session.roles).toEqual(['operator']);
  expect(session.csrfToken).toMatch(/^\S{16,}$/);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'cps_session');
  expect(cookie).toEqual(expect.objectContaining({ httpOnly: true }));
});

test('a wrong password is refused and sets no session cookie', async ({ page }) => {
  const user = await createUser('Bruno Guichet', ['helpdesk'], 'une autre phrase de passe assez longue');
  const r = await page.request.post('/api/v1/session', { data: { login: user.login, password: 'pas le bon mot de passe' } });
  expect(r.status()).toBe(401);
  expect((await page.context().cookies()).find((c) => c.name === 'cps_session')).toBeUndefined();
});

test('the sign-in form: a wrong password is refused in French, the right one opens the console', async ({ page }) => {
  const user = await createUser('Chloé Connexion', ['operator'], 'une phrase de passe vraiment à moi');
  await page.goto('./');
  await checkScreen(page, 'connexion', 'connexion');
  await page.getByLabel('Identifiant').fill(user.login);
  await page.getByLabel('Mot de passe').fill('pas la bonne phrase de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert')).toContainText('Identifiant ou mot de passe incorrect.');
  await signInWithForm(page, user);
  await expect(page.locator('#en-tete-quick-access-item-0')).toHaveText('Chloé Connexion · Opérateur');
});

test('a session ends after the idle timeout: the next action shows the sign-in form with the reason', async ({ page, seed }) => {
  const user = await createUser('Ida Inactive', ['helpdesk'], 'partie déjeuner sans fermer la session');
  await signInWithForm(page, user);
  await expect(page.getByRole('heading', { level: 1, name: 'Rechercher un professionnel' })).toBeVisible();
  // 16 minutes pass without a request (SESSION_IDLE_MINUTES is 15).
  expect(await idleConsoleSessions(seed.tier.env.DATABASE_URL, user.login, 16)).toBe(1);
  await page.getByLabel('Nom, identifiant national ou numéro de carte').fill('lefevre');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion à la console' })).toBeVisible();
  await expect(page.getByText('Votre session a expiré faute d’activité. Reconnectez-vous.')).toBeVisible();
  expect((await page.request.get('/api/v1/session')).status()).toBe(401);
});

test('the console signs out by itself after the idle timeout without a key or a click', async ({ page }) => {
  await page.clock.install();
  const user = await createUser('Ulysse Absent', ['helpdesk'], 'je reviens dans un quart d’heure');
  await signInWithForm(page, user);
  await page.clock.fastForward('15:01');
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion à la console' })).toBeVisible();
  await expect(page.getByText(/Votre session a expiré après une période d’inactivité/)).toBeVisible();
  expect((await page.request.get('/api/v1/session')).status()).toBe(401);
});

test('a POST with the session cookie but without its CSRF token is refused, and nothing is done', async ({ page, seed }) => {
  const user = await createUser('Claude Contrôle', ['operator'], 'pas de jeton, pas de changement');
  await signIn(page, user);
  const order = seed.orderAwaitingApproval.id;
  const bare = await page.request.post(`/api/v1/orders/${order}/reject`, { data: { reason: 'forged by another site' } });
  expect(bare.status()).toBe(403);
  expect((await bare.json()).code).toBe('csrf_token_missing');
  const wrong = await page.request.post(`/api/v1/orders/${order}/reject`, {
    data: { reason: 'forged by another site' },
    headers: { 'X-CSRF-Token': 'not-the-token' },
  });
  expect((await wrong.json()).code).toBe('csrf_token_invalid');
  expect((await (await page.request.get(`/api/v1/orders/${order}`)).json()).status).not.toBe('rejected');
});

test('a new person opens their one-time link, chooses a password in the console, then signs in; the link works once', async ({
  page,
  seed,
}) => {
  const made = await runCli(['users:create', '--role', 'helpdesk', '--name', 'Noémie Nouvelle', '--json'], seed.tier.env);
  expect(made.code).toBe(0);
  const fragment = new URL(made.json.setPasswordUrl as string).hash;
  expect(fragment).toMatch(/^#jeton=\S+$/);
  await page.goto(`mot-de-passe${fragment}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Choisir votre mot de passe' })).toBeVisible();
  await checkScreen(page, 'mot-de-passe', 'choix du mot de passe');
  const password = 'ma nouvelle phrase de passe, bien à moi';
  await page.getByLabel('Nouveau mot de passe').fill(password);
  await page.getByLabel('Confirmez le mot de passe').fill(password);
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByText('Mot de passe enregistré')).toBeVisible();
  await signInWithForm(page, { login: 'Noémie Nouvelle', password, roles: ['helpdesk'] });

  await page.goto(`mot-de-passe${fragment}`);
  await page.getByLabel('Nouveau mot de passe').fill('une autre phrase de passe encore');
  await page.getByLabel('Confirmez le mot de passe').fill('une autre phrase de passe encore');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByText('Ce lien n’est plus valable')).toBeVisible();
});
