import type { Page } from '@playwright/test';
import { expect, test } from './support/seed';
import { createUser } from './support/users';

/**
 * RGAA's keyboard rules, on the helpdesk's path: the whole of it with the keyboard only (Tab,
 * Enter, typing), the focus always visible, and each new screen's title focused so that a
 * screen reader starts there.
 */

/** Presses Tab until `target` has the focus (at most `max` times); fails naming what had it last. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  const last = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing');
  throw new Error(`${max} presses of Tab never reached the element; the focus was last on ${last}`);
}

/** The focused element draws a visible outline (DSFR's focus ring), not `outline: none`. */
async function expectVisibleFocus(page: Page): Promise<void> {
  const ring = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth), tag: el.tagName };
  });
  expect(ring.style, `focus ring of the focused ${ring.tag}`).not.toBe('none');
  expect(ring.width).toBeGreaterThan(0);
}

test('a helpdesk agent signs in, searches and opens a professional with the keyboard only, the focus always visible', async ({
  page,
  seed,
}) => {
  const agent = await createUser('Karim Clavier', ['helpdesk'], 'seulement le clavier, jamais la souris');
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1, name: 'Connexion à la console' })).toBeVisible();

  // The sign-in page's only purpose: its identifier field has the focus at once.
  await expect(page.getByLabel('Identifiant')).toBeFocused();
  await expectVisibleFocus(page);
  await page.keyboard.type(agent.login);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Mot de passe')).toBeFocused();
  await page.keyboard.type(agent.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Rechercher un professionnel' })).toBeFocused();

  // A screen loaded afresh: the first Tab reaches the skip link to the content, which leads there.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Rechercher un professionnel' })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Contenu' })).toBeFocused();
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#contenu$/);

  const box = page.getByLabel('Nom, identifiant national ou numéro de carte');
  await tabTo(page, box);
  await expectVisibleFocus(page);
  await page.keyboard.type('lefevre mar');
  await page.keyboard.press('Enter');
  const p = seed.professionalWithCard;
  const link = page.getByRole('row').filter({ hasText: p.nationalId }).getByRole('link', { name: p.lastName });
  await expect(link).toBeVisible();

  await tabTo(page, link);
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`${p.lastName} ${p.firstName}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

  // The card's action is reachable too, and opens the declaration with its title focused.
  await tabTo(page, page.getByRole('link', { name: 'Déclarer une opposition' }));
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Déclarer une opposition');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
});
