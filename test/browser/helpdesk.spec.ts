import { checkScreen, signInWithForm } from './support/console';
import { expect, test } from './support/seed';
import { createUser } from './support/users';

test.describe('a helpdesk agent', () => {
  test('finds a professional by a name typed without accents, declares a loss, sees the card opposed and the replacement order', async ({
    page,
    seed,
  }) => {
    const agent = await createUser('Agathe Assistance', ['helpdesk'], 'le téléphone sonne jour et nuit 24/7');
    await signInWithForm(page, agent);
    await expect(page.getByRole('heading', { level: 1, name: 'Rechercher un professionnel' })).toBeVisible();
    await checkScreen(page, 'recherche', 'recherche');

    const p = seed.professionalWithCard;
    await page.getByLabel('Nom, identifiant national ou numéro de carte').fill('lefevre mar');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    const row = page.getByRole('row').filter({ hasText: p.nationalId });
    await expect(row).toContainText(p.lastName); // LEFÈVRE, typed "lefevre"
    await checkScreen(page, 'recherche-resultats', 'résultats de recherche');

    await row.getByRole('link', { name: p.lastName }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`${p.lastName} ${p.firstName}`);
    const card = page.getByRole('region', { name: new RegExp(`Carte .* n° ${p.cardNumber.replace(/(\d{4})(?=\d)/g, '$1 ')}`) });
    await expect(card).toContainText('Active');
    await checkScreen(page, 'professionnel', 'fiche du professionnel');

    await card.getByRole('link', { name: 'Déclarer une opposition' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Déclarer une opposition');
    await checkScreen(page, 'opposition-formulaire', 'déclaration d’opposition');

    // Without the required identity checks, nothing goes out.
    await page.getByText('Perte', { exact: true }).click();
    await page.getByRole('button', { name: 'Vérifier avant de déclarer' }).click();
    await expect(page.getByRole('alert')).toContainText('Vérification obligatoire');

    await page.locator('label', { hasText: /Nom, prénom et date de naissance/ }).click();
    await page.locator('label', { hasText: /Identifiant national .* confirmé/ }).click();
    await page.getByLabel('Commentaire (facultatif)').fill('Carte perdue lors d’un déplacement, appel du titulaire.');
    await page.getByRole('button', { name: 'Vérifier avant de déclarer' }).click();
    await expect(page.getByText('Cette opposition est définitive')).toBeVisible();
    await checkScreen(page, 'opposition-confirmation', 'confirmation de l’opposition');

    await page.getByRole('button', { name: 'Mettre la carte en opposition' }).click();
    await expect(page.getByText('La carte est en opposition')).toBeVisible();
    const replacement = page.getByText(/Une nouvelle carte a été commandée : commande [0-9a-f]{8}\./);
    await expect(replacement).toBeVisible();
    await checkScreen(page, 'opposition-resultat', 'résultat de l’opposition');

    // The API agrees: the card is opposed for a loss, and a replacement order exists.
    const status = await page.request.get(`/api/v1/cards/${p.cardNumber}/status`);
    expect(await status.json()).toMatchObject({ status: 'opposed', reason: 'loss' });

    await page.getByRole('link', { name: 'Revenir à la fiche du professionnel' }).click();
    await expect(card).toContainText('En opposition');
    await expect(card).toContainText('Perte');
    await expect(card.getByRole('link', { name: 'Déclarer une opposition' })).toHaveCount(0);

    // Declaring again shows the existing opposition.
    await page.goto(`cartes/${p.cardNumber}/opposition`);
    await expect(page.getByText('Cette carte est déjà en opposition')).toBeVisible();
  });

  test('cannot reach the order queue: not in the menu, "not allowed" by its address, and the API refuses; a refused search is explained', async ({
    page,
  }) => {
    const agent = await createUser('Hugo Guichet', ['helpdesk'], 'une phrase de passe pour le guichet');
    await signInWithForm(page, agent);
    const menu = page.getByRole('navigation', { name: /menu principal/i });
    await expect(menu.getByRole('link', { name: 'Recherche' })).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Commandes' })).toHaveCount(0);
    await page.goto('commandes');
    await expect(page.getByRole('heading', { level: 1, name: 'Accès non autorisé' })).toBeVisible();
    await checkScreen(page, 'acces-non-autorise', 'accès non autorisé');
    expect((await page.request.get('/api/v1/orders')).status()).toBe(403);

    // A search the API refuses is explained in French, at the box: what a number or a name must be.
    const box = page.getByLabel('Nom, identifiant national ou numéro de carte');
    for (const [typed, said] of [
      ['1234567890123', '13 chiffres : un identifiant national en compte 12'],
      ['a dupont', 'Saisissez au moins deux lettres au début du nom'],
    ]) {
      await page.goto('./');
      await box.fill(typed);
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await expect(page.getByText(said)).toBeVisible();
      await expect(page.getByText('Certaines informations sont manquantes ou invalides.')).toHaveCount(0);
    }
  });
});
