import fc from 'fast-check';
import { luhnValid } from '../rpps/identifiers';
import { cardNumberFromSequence, isOurCardNumber, MAX_CARD_SEQUENCE } from './card-number';

const sequence = fc.integer({ min: 1, max: MAX_CARD_SEQUENCE });

describe('the card number', () => {
  it('is the zero-padded sequence value followed by its Luhn key', () => {
    expect(cardNumberFromSequence(1)).toBe('0000000018');
    expect(cardNumberFromSequence(290099523)).toBe('2900995230');
    expect(cardNumberFromSequence(999_999_999)).toBe('9999999999');
  });

  it('accepts a bigint or the decimal string pg returns for nextval()', () => {
    expect(cardNumberFromSequence(290099523n)).toBe('2900995230');
    expect(cardNumberFromSequence('290099523')).toBe('2900995230');
  });

  it('refuses a sequence value below 1', () => {
    expect(() => cardNumberFromSequence(0)).toThrow(/at least 1/);
    expect(() => cardNumberFromSequence(-5n)).toThrow(/at least 1/);
  });

  it('refuses a sequence value that needs more than 9 digits', () => {
    expect(() => cardNumberFromSequence(1_000_000_000)).toThrow(/more than 9 digits/);
    expect(() => cardNumberFromSequence(10n ** 12n)).toThrow(/more than 9 digits/);
  });

  it('refuses a value that is not an integer', () => {
    expect(() => cardNumberFromSequence(1.5)).toThrow(/not an integer/);
    expect(() => cardNumberFromSequence(Number.NaN)).toThrow(/not an integer/);
    expect(() => cardNumberFromSequence('12a')).toThrow(/not an integer/);
    expect(() => cardNumberFromSequence('-3')).toThrow(/not an integer/);
  });

  it('always has 10 digits and a valid Luhn key', () => {
    fc.assert(
      fc.property(sequence, (n) => {
        const s = cardNumberFromSequence(n);
        expect(s).toMatch(/^\d{10}$/);
        expect(luhnValid(s)).toBe(true);
        expect(isOurCardNumber(s)).toBe(true);
        expect(Number(s.slice(0, 9))).toBe(n);
      }),
    );
  });

  it('never gives two equal numbers for different sequence values', () => {
    fc.assert(
      fc.property(sequence, sequence, (a, b) => {
        fc.pre(a !== b);
        expect(cardNumberFromSequence(a)).not.toBe(cardNumberFromSequence(b));
      }),
    );
  });

  it('gives the same number for a number, a bigint and a string of the same value', () => {
    fc.assert(
      fc.property(sequence, (n) => {
        const s = cardNumberFromSequence(n);
        expect(cardNumberFromSequence(BigInt(n))).toBe(s);
        expect(cardNumberFromSequence(String(n))).toBe(s);
      }),
    );
  });
});

describe('recognising our card numbers', () => {
  it('refuses a wrong key, a wrong length or non-digits', () => {
    expect(isOurCardNumber('2900995230')).toBe(true);
    expect(isOurCardNumber('2900995231')).toBe(false);
    expect(isOurCardNumber('290099523')).toBe(false);
    expect(isOurCardNumber('29009952300')).toBe(false);
    expect(isOurCardNumber('29009952a0')).toBe(false);
    expect(isOurCardNumber('')).toBe(false);
  });

  it('refuses the all-zero payload, which no sequence value gives', () => {
    expect(isOurCardNumber('0000000000')).toBe(false);
  });

  it('refuses any single-digit change of a valid number', () => {
    fc.assert(
      fc.property(sequence, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (n, pos, delta) => {
        const s = cardNumberFromSequence(n);
        const changed = s.slice(0, pos) + String((Number(s[pos]) + delta) % 10) + s.slice(pos + 1);
        expect(isOurCardNumber(changed)).toBe(false);
      }),
    );
  });
});
