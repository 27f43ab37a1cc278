import { checkLetter } from '../../src/mailing/letters';
import { MAX_ADDRESS_LINE_LENGTH, MAX_ADDRESS_LINES } from '../../src/mailing/postal-address';
import { holderAddressLines, mailingHolder, mailingHolders, memoryPinLetters } from './mailing-holders';

const N = 10_000;

describe('mailing holders (the mailing benchmark)', () => {
  const holders = mailingHolders(N);
  const lines = holders.map(holderAddressLines);

  it('are the same for the same index and seed, others for another seed', () => {
    expect(mailingHolder(1234)).toEqual(holders[1234]);
    expect(mailingHolders(20, 7)).not.toEqual(holders.slice(0, 20));
    expect(new Set(holders.map((h) => h.nationalId)).size).toBe(N);
    expect(new Set(holders.map((h) => h.cardNumber)).size).toBe(N);
    expect(holders.every((h) => /^8\d{11}$/.test(h.nationalId) && /^\d{10}$/.test(h.cardNumber))).toBe(true);
  });

  it('all lay out as letters (none would be held), in every shape a batch meets', () => {
    expect(lines.every((l) => l.length >= 2 && l.length <= MAX_ADDRESS_LINES)).toBe(true);
    expect(lines.every((l) => l.every((x) => x.length <= MAX_ADDRESS_LINE_LENGTH))).toBe(true);
    const share = (p: (l: string[], i: number) => boolean) => lines.filter(p).length / N;
    // accents kept in the names and the street lines (only the locality line is in plain capitals)
    expect(share((l) => l.slice(0, -1).some((x) => /[À-ÿŒœĞ]/.test(x)))).toBeGreaterThan(0.5);
    expect(share((l) => /[À-ÿ]/.test(l[l.length - 1]))).toBe(0);
    expect(share((l) => l.length === MAX_ADDRESS_LINES)).toBeGreaterThan(0);
    expect(share((l) => l.some((x) => / CEDEX \d\d$/.test(x)))).toBeGreaterThan(0.02);
    expect(share((_, i) => holders[i].address.country_code !== '99000')).toBeGreaterThan(0.01);
    expect(share((l) => /^(BELGIQUE|SUISSE|LUXEMBOURG|ALLEMAGNE)$/.test(l[l.length - 1]))).toBeGreaterThan(0.01);
    // long names shortened to the first name's initial, long streets with their type abbreviated
    expect(share((l, i) => l[0].length < holders[i].lastName.length + holders[i].firstName.length + 1)).toBeGreaterThan(0);
    expect(share((l) => l.some((x) => / BD DU MARÉCHAL| AV DU MARÉCHAL| FG DU /.test(x)))).toBeGreaterThan(0);
    expect(share((_, i) => holders[i].otherAddress !== null)).toBeGreaterThan(0.2);
  });

  it('make PIN letters a batch would print, in sequence', () => {
    let n = 0;
    const letters = memoryPinLetters(holders.slice(0, 300), {
      batchNumber: '2',
      letterDate: '2026-12-02',
      helpdeskPhone: '01 23 45 67 89',
      codes: () => ({ pin: String(1000 + (n % 9000)).padStart(4, '0'), puk: String(10_000_000 + n++) }),
    });
    expect(letters.map((l) => l.sequence)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    for (const l of letters) expect(checkLetter('pin', l)).toBe(l);
    expect(letters[17].cardLast4).toBe(holders[17].cardNumber.slice(-4));
    expect(letters[17].addressLines).toEqual(lines[17]);
  });
});
