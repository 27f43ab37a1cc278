import { runCli } from '../support/processes';
import { checkScreen, signInWithForm } from './support/console';
import { expect, test } from './support/seed';
import { createUser } from './support/users';

test.describe('an operator', () => {
  test('approves another operator’s manual order, and cannot approve their own', async ({ page, seed }) => {
    const operator = await createUser('Olivia Opératrice', ['operator'], 'quatre yeux valent mieux que deux');
    await signInWithForm(page, operator);

    // The queue opens on the orders waiting for approval.
    await page
      .getByRole('navigation', { name: /menu principal/i })
      .getByRole('link', { name: 'Commandes' })
      .click();
    await expect(page.getByRole('heading', { level: 1, name: 'Commandes' })).toBeVisible();
    const waiting = seed.orderAwaitingApproval;
    const row = page.getByRole('row').filter({ hasText: waiting.nationalId });
    await expect(row).toContainText('À approuver');
    await checkScreen(page, 'commandes', 'file des commandes');

    await row.getByRole('link', { name: waiting.id.slice(0, 8) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('À approuver');
    await checkScreen(page, 'commande', 'détail d’une commande');
    await page.getByRole('button', { name: 'Approuver' }).click();
    await expect(page.getByText('Décision enregistrée.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).not.toContainText('À approuver');
    expect((await (await page.request.get(`/api/v1/orders/${waiting.id}`)).json()).approvedBy).toContain('Olivia Opératrice');

    // A manual order of their own, from a professional's page: one order however many clicks.
    const p = seed.professionalWithCard;
    await page.goto(`professionnels/${p.nationalId}`);
    await page.getByRole('link', { name: 'Commander une carte' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Commander une carte' })).toBeVisible();
    await checkScreen(page, 'commande-manuelle', 'commande manuelle');
    await page.getByText('CPF — en formation').click();
    await expect(page.getByLabel('CPF — en formation')).toBeChecked();
    const submit = page.getByRole('button', { name: 'Commander' });
    await submit.dblclick();
    await expect(page.getByText('Commande enregistrée')).toBeVisible();
    const mine = await (await page.request.get(`/api/v1/orders?nationalId=${p.nationalId}&cardType=CPF&reason=manual`)).json();
    expect(mine.total).toBe(1);

    await page.getByRole('link', { name: 'Voir la commande' }).click();
    const approve = page.getByRole('button', { name: 'Approuver' });
    await expect(approve).toBeDisabled();
    await expect(page.getByText('Vous avez demandé cette commande : un autre opérateur doit l’approuver')).toBeVisible();
    // And the API refuses it anyway.
    const csrf = (await (await page.request.get('/api/v1/session')).json()).csrfToken as string;
    const refused = await page.request.post(`/api/v1/orders/${mine.items[0].id}/approve`, { headers: { 'X-CSRF-Token': csrf } });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).code).toBe('approver_is_requester');
  });

  test('sees the imports, the jobs and mailing, the encoders and the opposition list', async ({ page, seed }) => {
    expect((await runCli(['crl:publish', '--json'], seed.tier.env)).code).toBe(0);
    const operator = await createUser('Paul Exploitant', ['operator'], 'les lots partent à seize heures');
    await signInWithForm(page, operator);
    const menu = page.getByRole('navigation', { name: /menu principal/i });

    await menu.getByRole('link', { name: 'Imports du registre' }).click();
    const imported = page.getByRole('row').filter({ hasText: 'Base initiale' });
    await expect(imported).toHaveCount(1);
    await checkScreen(page, 'imports', 'imports du registre');
    await imported.getByRole('link').click();
    await expect(page.getByRole('heading', { name: 'Lignes rejetées' })).toBeVisible();
    await checkScreen(page, 'import', 'détail d’un import');

    await menu.getByRole('link', { name: 'Travaux et courriers' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Import du registre' }).first()).toBeVisible();
    await checkScreen(page, 'travaux', 'travaux');
    await page.getByRole('tab', { name: 'Lots de courriers' }).click();
    await expect(page.getByRole('heading', { name: /lot/ })).toBeVisible();
    await checkScreen(page, 'courriers', 'lots de courriers');
    await page.getByRole('tab', { name: 'Courrier retourné' }).click();
    await page.getByLabel('Code-barres de l’enveloppe').fill('B999-1');
    await page.getByRole('button', { name: 'Retrouver le courrier' }).click();
    await expect(page.getByText('Aucun courrier ne porte ce code-barres.')).toBeVisible();
    await checkScreen(page, 'courrier-retourne', 'courrier retourné');
    await page.getByRole('tab', { name: 'Réimpressions' }).click();
    await expect(page.getByText('Aucune demande de réimpression en attente.')).toBeVisible();
    await checkScreen(page, 'reimpressions', 'réimpressions');

    await menu.getByRole('link', { name: 'Encodeurs' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Simulé' }).first()).toBeVisible();
    await checkScreen(page, 'encodeurs', 'encodeurs');

    await menu.getByRole('link', { name: 'Liste d’opposition' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Liste d’opposition' })).toBeVisible();
    await expect(page.getByText('Dernière liste complète', { exact: true })).toBeVisible();
    await checkScreen(page, 'liste-opposition', 'liste d’opposition');
  });
});
