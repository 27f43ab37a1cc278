import fc from 'fast-check';
import { isBusinessDate } from '../common/clock/business-date';
import {
  addDays,
  CARD_PRODUCT_CODES,
  CARD_TYPES,
  cardTypeForCategory,
  cardTypeFromCode,
  DEFAULT_CPS4_START_DATE,
  Generation,
  generationFor,
  isDue,
  MANUAL_ONLY_CARD_TYPES,
  validityYears,
  validUntil,
} from './validity';

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Any real calendar date between 1900-01-01 and 2199-12-31, as YYYY-MM-DD. */
const isoDate = fc
  .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2199, 11, 31)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const generation = fc.constantFrom<Generation>('CPS3', 'CPS4');

describe('the card generation', () => {
  const policy = { cps4StartDate: DEFAULT_CPS4_START_DATE };

  it('defaults the CPS4 start to 1 July 2025', () => {
    expect(DEFAULT_CPS4_START_DATE).toBe('2025-07-01');
  });

  it('gives a CPS4 to an order approved on or after the start date', () => {
    expect(generationFor('2025-07-01', '10', policy)).toBe('CPS4');
    expect(generationFor('2026-01-15', '60', policy)).toBe('CPS4');
  });

  it('gives a CPS3 to an order approved before the start date', () => {
    expect(generationFor('2025-06-30', '10', policy)).toBe('CPS3');
    expect(generationFor('2019-12-31', '10', policy)).toBe('CPS3');
  });

  it('limits the CPS4 to the listed professions', () => {
    const limited = { cps4StartDate: '2025-07-01', cps4Professions: ['10', '21'] };
    expect(generationFor('2025-08-01', '10', limited)).toBe('CPS4');
    expect(generationFor('2025-08-01', '60', limited)).toBe('CPS3');
    expect(generationFor('2025-06-01', '10', limited)).toBe('CPS3');
  });

  it('treats an empty profession list as all professions', () => {
    expect(generationFor('2025-08-01', '60', { cps4StartDate: '2025-07-01', cps4Professions: [] })).toBe('CPS4');
  });

  it('refuses a malformed approval or start date', () => {
    expect(() => generationFor('2025-7-1', '10', policy)).toThrow(/approval date "2025-7-1"/);
    expect(() => generationFor('2025-07-01', '10', { cps4StartDate: '01/07/2025' })).toThrow(/CPS4 start date/);
  });

  it('gives 3 years to a CPS3 and 6 years to a CPS4', () => {
    expect(validityYears('CPS3')).toBe(3);
    expect(validityYears('CPS4')).toBe(6);
    expect(() => validityYears('CPS5' as Generation)).toThrow(/unknown card generation/);
  });
});

describe('the end of validity', () => {
  it.each([
    ['2024-02-29', 'CPS3', '2027-02-28'],
    ['2024-02-29', 'CPS4', '2030-02-28'],
    ['2023-03-01', 'CPS3', '2026-02-28'],
    ['2025-07-01', 'CPS4', '2031-06-30'],
    ['2024-12-31', 'CPS3', '2027-12-30'],
    ['2025-01-01', 'CPS3', '2027-12-31'],
    ['2025-03-01', 'CPS3', '2028-02-29'],
    ['2020-02-29', 'CPS4', '2026-02-28'],
    ['2096-02-29', 'CPS4', '2102-02-28'],
    ['2022-02-28', 'CPS4', '2028-02-27'],
  ] as [string, Generation, string][])('ends a card from %s (%s) on %s', (from, g, until) => {
    expect(validUntil(from, g)).toBe(until);
  });

  it.each(['2025-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '25-01-01', '2025-01-01T00:00:00Z', '', ' 2025-01-01'])(
    'refuses the malformed date "%s"',
    (bad) => {
      expect(() => validUntil(bad, 'CPS3')).toThrow(/is not a valid date \(YYYY-MM-DD\)/);
    },
  );

  it('is always after the start, ending the day before the anniversary', () => {
    fc.assert(
      fc.property(isoDate, generation, (from, g) => {
        const until = validUntil(from, g);
        expect(isBusinessDate(until)).toBe(true);
        expect(until > from).toBe(true);
        const [y, m, d] = from.split('-').map(Number);
        const ay = y + validityYears(g);
        const anniversary = m === 2 && d === 29 && !isLeap(ay) ? `${pad(ay, 4)}-03-01` : `${pad(ay, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        expect(addDays(until, 1)).toBe(anniversary);
      }),
    );
  });

  it('lasts exactly the given number of years minus one day, save for 29 February', () => {
    fc.assert(
      fc.property(isoDate, generation, (from, g) => {
        const until = validUntil(from, g);
        const next = addDays(until, 1);
        if (from.slice(5) === '02-29' && next.slice(5) === '03-01') return; // the Feb-29 rule
        expect(next.slice(5)).toBe(from.slice(5));
        expect(Number(next.slice(0, 4)) - Number(from.slice(0, 4))).toBe(validityYears(g));
      }),
    );
  });

  it('agrees with the UTC calendar of JavaScript dates', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -4000, max: 4000 }), (date, n) => {
        const expected = new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        expect(addDays(date, n)).toBe(expected);
      }),
    );
  });
});

describe('the renewal due check', () => {
  it('is due when the card ends within the window', () => {
    expect(isDue('2025-09-29', '2025-07-01', 90)).toBe(true);
    expect(isDue('2025-09-30', '2025-07-01', 90)).toBe(false);
  });

  it('counts an expired card as due', () => {
    expect(isDue('2020-01-01', '2025-07-01', 90)).toBe(true);
    expect(isDue('2025-07-01', '2025-07-01', 0)).toBe(true);
    expect(isDue('2025-07-02', '2025-07-01', 0)).toBe(false);
  });

  it('refuses a negative or fractional window and malformed dates', () => {
    expect(() => isDue('2025-07-01', '2025-07-01', -1)).toThrow(/non-negative integer/);
    expect(() => isDue('2025-07-01', '2025-07-01', 1.5)).toThrow(/non-negative integer/);
    expect(() => isDue('2025-07-32', '2025-07-01', 90)).toThrow(/valid-until date/);
    expect(() => isDue('2025-07-01', 'yesterday', 90)).toThrow(/not a valid date/);
  });

  it('becomes due exactly windowDays before the end', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 0, max: 400 }), (until, window) => {
        expect(isDue(until, addDays(until, -window), window)).toBe(true);
        expect(isDue(until, addDays(until, -window - 1), window)).toBe(false);
      }),
    );
  });
});

describe('the card type', () => {
  it('gives a CPF to a student and a CPS to anyone else', () => {
    expect(cardTypeForCategory('E')).toBe('CPF');
    expect(cardTypeForCategory(' e ')).toBe('CPF');
    expect(cardTypeForCategory('C')).toBe('CPS');
    expect(cardTypeForCategory('M')).toBe('CPS');
    expect(cardTypeForCategory('')).toBe('CPS');
  });

  it('lists the four card types with their product codes', () => {
    expect([...CARD_TYPES]).toEqual(['CPS', 'CPF', 'CPE', 'CPA']);
    expect(CARD_PRODUCT_CODES).toEqual({ CPS: '00', CPF: '01', CPE: '02', CPA: '03' });
    expect([...MANUAL_ONLY_CARD_TYPES]).toEqual(['CPE', 'CPA']);
  });

  it('reads a card type from its product code or its letters', () => {
    expect(cardTypeFromCode('00')).toBe('CPS');
    expect(cardTypeFromCode('01')).toBe('CPF');
    expect(cardTypeFromCode('02')).toBe('CPE');
    expect(cardTypeFromCode('03')).toBe('CPA');
    expect(cardTypeFromCode('CPA')).toBe('CPA');
    expect(cardTypeFromCode(' cpf ')).toBe('CPF');
  });

  it('returns null for an unknown code', () => {
    for (const s of ['04', '0', '3', 'CPX', '', 'CPS4']) expect(cardTypeFromCode(s)).toBeNull();
  });

  it('never derives a manual-only type from the registry', () => {
    fc.assert(
      fc.property(fc.string(), (category) => {
        expect(MANUAL_ONLY_CARD_TYPES).not.toContain(cardTypeForCategory(category));
      }),
    );
  });
});
