import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeCardLetter, fakePinLetter, type PdfWord, pdfWords } from '../../../test/support/letters';
import type { CardLetter, LetterKind, PinLetter } from './letter-data';
import { fontsDir } from './letter-pages';
import type { LetterSender } from './letter-text';
import { renderLettersInProcess } from './letters-pdf';

/**
 * Where things land on the page, read back from the PDF (pdftotext -bbox): the address in
 * the envelope's window and nothing else there, the codes in the middle panel (hidden once
 * folded), nothing printed where the card is glued, no text over other text.
 */

const mm = (v: number) => (v * 72) / 25.4;
/** The usual French DL window on the unfolded sheet: 100-200 mm from the left, 50-95 mm from the top. */
const WINDOW = { xMin: mm(100), xMax: mm(200), yMin: mm(50), yMax: mm(95) };
const MIDDLE_PANEL = { yMin: mm(99), yMax: mm(198) };
const CARD_PLACE = { xMin: mm(104.4), xMax: mm(190), yMin: mm(132), yMax: mm(186) };

const meets = (w: PdfWord, r: { xMin: number; xMax: number; yMin: number; yMax: number }, slack = 0.5) =>
  w.xMax > r.xMin + slack && w.xMin < r.xMax - slack && w.yMax > r.yMin + slack && w.yMin < r.yMax - slack;

const upTo = (n: number, text: string) => `${text.repeat(3).slice(0, n - 1)}Z`;
const LONGEST = {
  addressLines: Array.from({ length: 6 }, () => upTo(38, 'RESIDENCE DES JARDINS DE LA MEDITERRANEE ')),
  cardType: 'CPF' as const,
  helpdeskPhone: '+33 1 23 45 67 89 01',
};
const LONGEST_SENDER: LetterSender = {
  name: upTo(60, 'Agence du numérique en santé — Service des cartes CPS, '),
  addressLines: Array.from({ length: 3 }, () => upTo(50, 'Tour Montparnasse, 33 avenue du Maine, ')),
};
const LONGEST_CARD = fakeCardLetter(1, {
  ...LONGEST,
  holderName: upTo(80, 'Dr MARIE-CHRISTINE ALEXANDRA DE LA ROCHEFOUCAULD-MONTMORENCY '),
  professionLabel: upTo(80, 'Masseur-Kinésithérapeute, rééducation vestibulaire et maxillo-faciale, '),
});

describe('the letter page', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'letter-pages-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  async function wordsOf(kind: LetterKind, letter: CardLetter | PinLetter, sender?: LetterSender): Promise<PdfWord[]> {
    const file = join(dir, `${++n}.pdf`);
    await renderLettersInProcess(kind, [letter] as never, { path: file, sender });
    return pdfWords(file);
  }

  const cases: Array<[string, LetterKind, CardLetter | PinLetter, LetterSender | undefined]> = [
    ['card letter', 'card', fakeCardLetter(1), undefined],
    ['PIN letter', 'pin', fakePinLetter(1), undefined],
    ['card letter with the longest texts', 'card', LONGEST_CARD, LONGEST_SENDER],
    ['PIN letter with the longest texts', 'pin', fakePinLetter(1, LONGEST), LONGEST_SENDER],
  ];

  it.each(cases)('%s: the address, and only it, is in the envelope window', async (_, kind, letter, sender) => {
    const words = await wordsOf(kind, letter, sender);
    const inWindow = words.filter((w) => meets(w, WINDOW, 0));
    expect(inWindow.map((w) => w.text).join(' ')).toBe(letter.addressLines.join(' '));
    const e = 0.01; // pdftotext's rounding
    const outside = (w: PdfWord) =>
      w.xMin < WINDOW.xMin - e || w.xMax > WINDOW.xMax + e || w.yMin < WINDOW.yMin - e || w.yMax > WINDOW.yMax + e;
    expect(inWindow.filter(outside)).toEqual([]);
  });

  it.each(cases)('%s: no word is printed over another', async (_, kind, letter, sender) => {
    const words = await wordsOf(kind, letter, sender);
    const overlaps = words.flatMap((a, i) =>
      words
        .slice(i + 1)
        .filter((b) => meets(a, b))
        .map((b) => `${a.text} / ${b.text}`),
    );
    expect(overlaps).toEqual([]);
  });

  it.each(cases.filter(([, kind]) => kind === 'card'))(
    '%s: nothing is printed where the card is glued but its label',
    async (_, kind, letter, sender) => {
      const words = await wordsOf(kind, letter, sender);
      expect(words.filter((w) => meets(w, CARD_PLACE)).map((w) => w.text)).toEqual(['Emplacement', 'de', 'la', 'carte']);
    },
  );

  it.each(cases.filter(([, kind]) => kind === 'pin'))(
    '%s: the codes are in the middle panel, hidden once the sheet is folded',
    async (_, kind, letter, sender) => {
      const words = await wordsOf(kind, letter, sender);
      const { pin, puk } = letter as PinLetter;
      const codes = words.filter((w) => w.text === pin || w.text === puk);
      expect(codes.map((w) => w.text)).toEqual([pin, puk]);
      for (const w of codes) {
        expect(w.yMin).toBeGreaterThan(MIDDLE_PANEL.yMin);
        expect(w.yMax).toBeLessThan(MIDDLE_PANEL.yMax);
      }
    },
  );
});

describe(fontsDir.name, () => {
  it('finds assets/fonts at the root of the repository from the source and from the build', () => {
    const root = join(__dirname, '..', '..', '..');
    expect(fontsDir(__dirname)).toBe(join(root, 'assets', 'fonts'));
    expect(fontsDir(join(root, 'dist', 'src', 'mailing', 'letters'))).toBe(join(root, 'assets', 'fonts'));
  });

  it('says where it looked when the fonts are missing', () => {
    expect(() => fontsDir('/')).toThrow(/the letters' fonts \(DejaVuSans\.ttf\) are not in \/assets\/fonts/);
  });
});
