import { runCli } from '../support/processes';
import { checkScreen, signInWithForm } from './support/console';
import { expect, test } from './support/seed';
import { createUser } from './support/users';

test('an auditor sees the trail and checks the chain intact against the signed checkpoints', async ({ page, seed }) => {
  expect((await runCli(['audit:checkpoint', '--json'], seed.tier.env)).code).toBe(0);
  const auditor = await createUser('Inès Auditrice', ['auditor'], 'rien ne se perd, tout se chaîne');
  await signInWithForm(page, auditor);
  await expect(page.getByRole('heading', { level: 1, name: 'Journal d’audit' })).toBeVisible();
  const menu = page.getByRole('navigation', { name: /menu principal/i });
  await expect(menu.getByRole('link', { name: 'Commandes' })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'order.approve' }).first()).toBeVisible();

  await page.getByRole('button', { name: 'Vérifier la chaîne' }).click();
  await expect(page.getByText('Chaîne intacte')).toBeVisible();
  await expect(page.getByText(/points de contrôle signés concordent/)).toBeVisible();
  await checkScreen(page, 'audit', 'journal d’audit');

  await page.getByLabel('Objet', { exact: true }).selectOption('card_order');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/objet=card_order/);
  await expect(page.getByRole('row').filter({ hasText: 'Commande' }).first()).toBeVisible();
});
