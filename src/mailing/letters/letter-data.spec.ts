import { fakeCardLetter, fakePinLetter } from '../../../test/support/letters';
import { MailingError } from '../mailing.errors';
import { barcodeText, checkLetter, frenchDate, knownFieldProblems, letterProblems, postalCodeOf } from './letter-data';

describe(checkLetter.name, () => {
  it('takes a card letter and a PIN letter as they are', () => {
    const card = fakeCardLetter(1);
    const pin = fakePinLetter(2);
    expect(checkLetter('card', card)).toBe(card);
    expect(checkLetter('pin', pin)).toBe(pin);
  });

  it('refuses a card letter that carries a code, and a PIN letter that carries the card number', () => {
    expect(letterProblems('card', { ...fakeCardLetter(1), pin: '1234', puk: '12345678' })).toEqual([
      'first code: not a field of a card letter',
      'unblocking code: not a field of a card letter',
    ]);
    expect(letterProblems('pin', { ...fakePinLetter(1), cardNumber: '2900000001' })).toEqual([
      'cardNumber: not a field of a letter of the codes',
    ]);
  });

  it('names every wrong field, the letter by its batch and sequence, and never a value', () => {
    const bad = fakePinLetter(7, { pin: '12a4', puk: '9876543', cardLast4: '29000001', letterDate: '2026-02-30' });
    let err: unknown;
    try {
      checkLetter('pin', bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MailingError);
    const e = err as MailingError;
    expect(e.code).toBe('letter_invalid');
    expect(e.message).toMatch(/^letter 7 of batch 20261130-A cannot be printed as a letter of the codes: /);
    expect(e.extra?.problems).toEqual([
      'letterDate: expected an existing date YYYY-MM-DD',
      'cardLast4: expected 4 digits',
      'first code: expected 4 digits',
      'unblocking code: expected 8 digits',
    ]);
    for (const value of ['12a4', '9876543', '29000001', '2026-02-30']) expect(e.message).not.toContain(value);
  });

  it.each([
    ['batchNumber', 'B 1'],
    ['batchNumber', 'A'.repeat(17)],
    ['sequence', 0],
    ['sequence', 1.5],
    ['addressLines', []],
    ['addressLines', ['A', 'B', 'C', 'D', 'E', 'F', 'G']],
    ['addressLines', ['X'.repeat(39)]],
    ['addressLines', ['DR MARTIN', ' ']],
    ['addressLines', ['DR MARTIN\n75019 PARIS']],
    ['cardType', 'CPX'],
    ['generation', 'CPS5'],
    ['cardNumber', '290000001'],
    ['validFrom', '30/11/2026'],
    ['holderName', 'x'.repeat(81)],
    ['helpdeskPhone', 'call us'],
  ])('refuses a card letter whose %s is %j', (field, value) => {
    expect(letterProblems('card', { ...fakeCardLetter(1), [field]: value })).toEqual([
      expect.stringMatching(new RegExp(`^${field}: expected`)),
    ]);
  });

  it('refuses a card valid until a day before it is valid from', () => {
    expect(letterProblems('card', fakeCardLetter(1, { validFrom: '2026-11-30', validUntil: '2026-11-29' }))).toEqual([
      'validUntil: before validFrom',
    ]);
  });

  it('refuses what is not an object', () => {
    expect(letterProblems('pin', null)).toEqual(['expected an object']);
    expect(letterProblems('card', [fakeCardLetter(1)])).toEqual(['expected an object']);
  });
});

describe(frenchDate.name, () => {
  it('writes a day as a French letter does', () => {
    expect(frenchDate('2026-11-30')).toBe('30 novembre 2026');
    expect(frenchDate('2026-12-01')).toBe('1er décembre 2026');
    expect(frenchDate('2027-02-09')).toBe('9 février 2027');
    expect(frenchDate('2027-08-15')).toBe('15 août 2027');
  });

  it('refuses what is not a day', () => {
    expect(() => frenchDate('2026-02-30')).toThrow(RangeError);
  });
});

describe(postalCodeOf.name, () => {
  it('finds the postal code of a French address in its last line, a cedex one too', () => {
    expect(postalCodeOf(['DR MARTIN', '12 RUE DES LILAS', '75019 PARIS'])).toBe('75019');
    expect(postalCodeOf(['DR MARTIN', 'BP 42', '75384 PARIS CEDEX 08'])).toBe('75384');
    expect(postalCodeOf(['DR MARTIN', '1 COURS NAPOLEON', '20000 AJACCIO'])).toBe('20000');
  });

  it('gives nothing abroad, where the last line is the country', () => {
    expect(postalCodeOf(['DR MARTIN', 'RUE NEUVE 1', '1000 BRUXELLES', 'BELGIQUE'])).toBe('');
    expect(postalCodeOf(['DR MARTIN', '10 DOWNING STREET', 'LONDON SW1A 2AA', 'ROYAUME UNI'])).toBe('');
  });
});

describe(barcodeText.name, () => {
  it('holds the batch and the sequence only', () => {
    expect(barcodeText(fakePinLetter(42))).toBe('B20261130-A-42');
  });
});

describe(knownFieldProblems.name, () => {
  it('checks the fields given as letterProblems checks them, and leaves those not given yet (batch, sequence, codes) alone', () => {
    const { batchNumber: _b, sequence: _s, helpdeskPhone: _h, ...card } = fakeCardLetter(1);
    expect(knownFieldProblems('card', card)).toEqual([]);
    expect(knownFieldProblems('card', { ...card, holderName: 'X'.repeat(81) })).toEqual([
      'holderName: expected printable text of at most 80 characters',
    ]);
    expect(knownFieldProblems('card', { ...card, holderName: 'X'.repeat(81) })).toEqual(
      letterProblems('card', { ...fakeCardLetter(1), holderName: 'X'.repeat(81) }),
    );
    expect(knownFieldProblems('card', { ...card, validFrom: '2032-11-30', validUntil: '2026-11-29' })).toEqual([
      'validUntil: before validFrom',
    ]);
    const { pin: _p, puk: _k, batchNumber: _pb, sequence: _ps, ...pin } = fakePinLetter(1);
    expect(knownFieldProblems('pin', pin)).toEqual([]);
    expect(knownFieldProblems('pin', { ...pin, cardLast4: '12345', cardNumber: '2900000001' })).toEqual([
      'cardLast4: expected 4 digits',
      'cardNumber: not a field of a letter of the codes',
    ]);
    expect(knownFieldProblems('pin', { addressLines: ['X'.repeat(39), '75019 PARIS'] })).toEqual([
      'addressLines: expected 1 to 6 printable lines of at most 38 characters',
    ]);
  });
});
