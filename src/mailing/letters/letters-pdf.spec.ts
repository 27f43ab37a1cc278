import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { digitRuns, FAKE_BATCH, fakeCardLetter, fakePinLetter, pdfInfo, pdfText } from '../../../test/support/letters';
import { MailingError } from '../mailing.errors';
import type { CardLetter, PinLetter } from './letter-data';
import { registerFonts } from './letter-pages';
import { trimLayoutCaches } from './letter-pdf-writer';
import { lettersWorkerFile, renderLettersInProcess } from './letters-pdf';

/** pdftotext's text with French no-break spaces as spaces. */
const text = (file: string, options: { page?: number; password?: string } = {}) => pdfText(file, options).replace(/\u00a0/g, ' ');

describe(renderLettersInProcess.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'letters-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('the card letter', () => {
    const letter = fakeCardLetter(1);
    let file: string;
    let page: string;
    beforeEach(async () => {
      file = join(dir, 'cards.pdf');
      await renderLettersInProcess('card', [letter], { path: file });
      page = text(file);
    });

    it('tells in French, with accents, how to start using the card, unblock it, and whom to call', () => {
      for (const words of [
        'Agence du numérique en santé',
        'Objet : votre carte CPS (génération CPS4)',
        'Le 30 novembre 2026',
        'Dr Claire MARTIN',
        'Médecin',
        'CPS – carte de professionnel de santé, génération CPS4',
        '2900000001',
        'du 30 novembre 2026',
        'au 29 novembre 2032',
        'lecteur PC/SC',
        'lecteur homologué SESAM-Vitale',
        'code porteur à 4 chiffres',
        'courrier séparé',
        'Après 3 codes porteur erronés, la carte se bloque',
        'code de déblocage à 8 chiffres',
        'Gestionnaire de la carte CPS',
        'mise en opposition',
        'Assistance 24 h/24, 7 j/7 : 0 800 00 12 34',
        'Emplacement de la carte',
        'B20261130-A-1',
      ]) {
        expect(page.replace(/\s+/g, ' ')).toContain(words);
      }
    });

    it('prints the address lines as given', () => {
      expect(page).toContain(letter.addressLines.join('\n'));
    });

    it('holds no number that looks like a code: its only 4- and 8-digit numbers are the years and the batch', () => {
      const codeLike = digitRuns(page).filter((r) => r.length === 4 || r.length === 8);
      expect(new Set(codeLike)).toEqual(new Set(['2026', '2032', '20261130']));
      const { pin, puk } = fakePinLetter(1);
      expect(page).not.toContain(pin);
      expect(page).not.toContain(puk);
    });

    it('embeds its two fonts as subsets', () => {
      const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
      const rows = fonts.split('\n').filter((l) => /DejaVuSans/.test(l));
      expect(rows.map((r) => r.split(/\s+/)[0].replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
      for (const row of rows) expect(row).toMatch(/TrueType.*\byes\s+yes\b/); // emb, sub
    });
  });

  it('writes the first day of a month as "1er"', async () => {
    const file = join(dir, 'cards.pdf');
    await renderLettersInProcess('card', [fakeCardLetter(1, { letterDate: '2026-12-01' })], { path: file });
    expect(text(file)).toContain('Le 1er décembre 2026');
  });

  describe('the PIN letter', () => {
    const letter = fakePinLetter(1, { cardLast4: '0001', pin: '4719', puk: '83025716' });
    let page: string;
    beforeEach(async () => {
      const file = join(dir, 'pins.pdf');
      await renderLettersInProcess('pin', [letter], { path: file, sender: { name: 'Agence de test — Service CPS' } });
      page = text(file).replace(/\s+/g, ' ');
    });

    it('holds both codes and names the card by its type, generation and last 4 digits only', () => {
      expect(page).toContain('Code porteur (4 chiffres) 4719');
      expect(page).toContain('Code de déblocage (8 chiffres) 83025716');
      expect(page).toContain('carte de professionnel de santé (CPS), génération CPS4.');
      expect(page).toContain('Carte concernée CPS, génération CPS4, se terminant par 0001');
      expect(page).not.toContain(fakeCardLetter(1).cardNumber);
      expect(digitRuns(page).filter((r) => r.length >= 9)).toEqual([]);
    });

    it('says what to do after 3 wrong codes, when the card never came, and to keep the codes apart and secret', () => {
      for (const words of [
        'Objet : codes confidentiels de votre carte CPS',
        'Le 3 décembre 2026',
        'Après 3 codes porteur erronés : la carte se bloque. Débloquez-la vous-même avec le code de déblocage',
        'Vous n’avez pas reçu votre carte ? Appelez l’assistance au 0 800 00 12 34 (24 h/24, 7 j/7) : elle met cette carte en opposition',
        'une nouvelle carte vous est envoyée',
        'conservez ce courrier à part de votre carte',
        'Ne communiquez vos codes à personne',
        'Agence de test — Service CPS',
        'B20261130-A-1',
      ]) {
        expect(page).toContain(words);
      }
    });
  });

  it('encrypts with AES-256: the PDF cannot be read without the user password', async () => {
    const file = join(dir, 'pins.pdf');
    const encryption = { userPassword: 'lettres-du-jour', ownerPassword: 'owner-secret-2026' };
    await renderLettersInProcess('pin', [fakePinLetter(1, { pin: '4719' })], { path: file, encryption });
    expect(() => pdfText(file)).toThrow(/Incorrect password|Command failed/);
    expect(readFileSync(file).includes(Buffer.from('4719'))).toBe(false);
    expect(text(file, { password: 'lettres-du-jour' })).toContain('4719');
    expect(pdfInfo(file, 'lettres-du-jour').Encrypted).toMatch(/^yes .*algorithm:AES-256/);
  });

  it('draws a batch of 200 letters as 200 pages in sequence order, with one manifest row each', async () => {
    const file = join(dir, 'pins.pdf');
    const progress: number[] = [];
    const letters = Array.from({ length: 200 }, (_, i) => fakePinLetter(i + 1));
    const result = await renderLettersInProcess('pin', letters, { path: file, onProgress: (n) => progress.push(n) });
    expect(pdfInfo(file).Pages).toBe('200');
    expect(result.pages).toBe(200);
    expect(result.bytes).toBe(statSync(file).size);
    expect(result.manifest.map((r) => [r.sequence, r.page])).toEqual(letters.map((_, i) => [i + 1, i + 1]));
    for (const n of [1, 57, 200]) {
      const page = text(file, { page: n });
      expect(page).toContain(`B${FAKE_BATCH}-${n}`);
      expect(page).toContain(letters[n - 1].puk);
    }
    expect(progress).toEqual([100, 200, 200]);
  });

  it('creates the file with mode 0600 and nothing else beside it', async () => {
    const file = join(dir, 'cards.pdf');
    await renderLettersInProcess('card', [fakeCardLetter(1)], { path: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['cards.pdf']);
  });

  it('never writes over an existing file', async () => {
    const file = join(dir, 'cards.pdf');
    writeFileSync(file, 'earlier batch');
    await expect(renderLettersInProcess('card', [fakeCardLetter(1)], { path: file })).rejects.toMatchObject({
      code: 'letter_file_exists',
    });
    expect(readFileSync(file, 'utf8')).toBe('earlier batch');
    expect(readdirSync(dir)).toEqual(['cards.pdf']);
  });

  it('refuses a bad letter in the middle of a batch by its sequence, without its codes, and leaves no file', async () => {
    const file = join(dir, 'pins.pdf');
    const letters = [fakePinLetter(1), fakePinLetter(2), fakePinLetter(3, { pin: '47190' }), fakePinLetter(4)];
    const refusal = renderLettersInProcess('pin', letters, { path: file });
    await expect(refusal).rejects.toThrow(
      new MailingError(
        'letter_invalid',
        `letter 3 of batch ${FAKE_BATCH} cannot be printed as a letter of the codes: first code: expected 4 digits`,
      ),
    );
    await expect(refusal).rejects.not.toThrow(/47190/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each<[string, PinLetter[], RegExp]>([
    [
      'a sequence out of order',
      [fakePinLetter(2), fakePinLetter(1)],
      /letter 1 of batch 20261130-A comes after letter 2: letters must come in rising sequence order/,
    ],
    [
      'a second batch',
      [fakePinLetter(1), fakePinLetter(2, { batchNumber: 'OTHER' })],
      /letter 2 of batch OTHER: one PDF holds one batch, and it began with batch 20261130-A/,
    ],
  ])('refuses %s and leaves no file', async (_, letters, message) => {
    await expect(renderLettersInProcess('pin', letters, { path: join(dir, 'pins.pdf') })).rejects.toThrow(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a PIN letter given as a card letter (its codes would be out of place)', async () => {
    const asCard = fakePinLetter(1) as unknown as CardLetter;
    await expect(renderLettersInProcess('card', [asCard], { path: join(dir, 'cards.pdf') })).rejects.toThrow(
      /first code: not a field of a card letter; unblocking code: not a field of a card letter/,
    );
  });

  it('passes on the failure of the letters source and leaves no file', async () => {
    async function* source() {
      yield fakeCardLetter(1);
      throw new Error('the database went away');
    }
    await expect(renderLettersInProcess('card', source(), { path: join(dir, 'cards.pdf') })).rejects.toThrow('the database went away');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fits the longest texts a letter may hold on its one page', async () => {
    const upTo = (n: number, text: string) => `${text.repeat(3).slice(0, n - 1)}Z`;
    const long = {
      addressLines: Array.from({ length: 6 }, () => upTo(38, 'RESIDENCE DES JARDINS DE LA MEDITERRANEE ')),
      cardType: 'CPF' as const,
      helpdeskPhone: '+33 1 23 45 67 89 01',
    };
    const sender = {
      name: upTo(60, 'Agence du numérique en santé — Service des cartes CPS, '),
      addressLines: Array.from({ length: 3 }, () => upTo(50, 'Tour Montparnasse, 33 avenue du Maine, ')),
    };
    const holderName = upTo(80, 'Dr MARIE-CHRISTINE ALEXANDRA DE LA ROCHEFOUCAULD-MONTMORENCY ');
    const professionLabel = upTo(80, 'Masseur-Kinésithérapeute, rééducation vestibulaire et maxillo-faciale, ');
    expect([holderName.length, professionLabel.length]).toEqual([80, 80]);
    await renderLettersInProcess('card', [fakeCardLetter(1, { ...long, holderName, professionLabel })], {
      path: join(dir, 'cards.pdf'),
      sender,
    });
    await renderLettersInProcess('pin', [fakePinLetter(1, long)], { path: join(dir, 'pins.pdf'), sender });
    expect(pdfInfo(join(dir, 'cards.pdf')).Pages).toBe('1');
    expect(pdfInfo(join(dir, 'pins.pdf')).Pages).toBe('1');
  });

  it('draws in the floor mode one constant letter per letter given', async () => {
    const file = join(dir, 'floor.pdf');
    const result = await renderLettersInProcess('pin', [fakePinLetter(1), fakePinLetter(2), fakePinLetter(3)], { path: file, floor: true });
    expect(result.pages).toBe(3);
    expect(text(file, { page: 3 })).toContain('BFLOOR-1');
    expect(text(file)).not.toContain(fakePinLetter(2).puk);
  });
});

describe(lettersWorkerFile.name, () => {
  it("finds the compiled worker beside it, or from the sources the build's; else says the worker runs from the build", () => {
    const root = mkdtempSync(join(tmpdir(), 'letters-'));
    try {
      const src = join(root, 'src', 'mailing', 'letters');
      const built = join(root, 'dist', 'src', 'mailing', 'letters');
      mkdirSync(src, { recursive: true });
      expect(() => lettersWorkerFile(src)).toThrow(
        /letters\.worker\.js does not exist: renderLetters runs from the build .*under ts-jest use renderLettersInProcess/,
      );
      mkdirSync(built, { recursive: true });
      writeFileSync(join(built, 'letters.worker.js'), '');
      expect(lettersWorkerFile(src)).toBe(join(built, 'letters.worker.js'));
      expect(lettersWorkerFile(built)).toBe(join(built, 'letters.worker.js'));
      // Only from the sources' own folder: another folder never reaches into a build.
      expect(() => lettersWorkerFile(join(root, 'src', 'other', 'letters'))).toThrow(/does not exist/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe(trimLayoutCaches.name, () => {
  it('finds pdfkit’s word layout caches and starts them again past their limit', () => {
    const doc = new PDFDocument({ autoFirstPage: false });
    registerFonts(doc);
    doc.addPage();
    const words = Array.from({ length: 30 }, (_, i) => `mot${i}`).join(' ');
    doc.font('regular').text(words).font('bold').text(words);
    const caches = () =>
      Object.values((doc as unknown as { _fontFamilies: Record<string, { layoutCache?: object }> })._fontFamilies)
        .filter((f) => f.layoutCache)
        .map((f) => Object.keys(f.layoutCache!).length);
    expect(caches().length).toBeGreaterThanOrEqual(2); // the regular and the bold font
    expect(Math.min(...caches())).toBeGreaterThanOrEqual(30);
    expect(trimLayoutCaches(doc, 100)).toBeGreaterThanOrEqual(2);
    expect(Math.min(...caches())).toBeGreaterThanOrEqual(30);
    expect(trimLayoutCaches(doc, 10)).toBeGreaterThanOrEqual(2);
    expect(caches().length).toBeGreaterThanOrEqual(2);
    expect(caches().every((n) => n === 0)).toBe(true);
    doc.end();
  });
});
