import fc from 'fast-check';
import { checkAdeli, checkFiness, checkNationalId, checkRpps, checkSiren, checkSiret, luhnCheckDigit, luhnValid } from './identifiers';

const digitString = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((ds) => ds.join(''));

describe('the Luhn check', () => {
  it('accepts known valid numbers and refuses their neighbours', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('10000000355')).toBe(true);
    expect(luhnValid('10000000356')).toBe(false);
    expect(luhnValid('0')).toBe(true);
  });

  it('refuses an empty string and non-digits', () => {
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('7992739871a')).toBe(false);
    expect(luhnValid(' 79927398713')).toBe(false);
    expect(luhnValid('-0')).toBe(false);
  });

  it('always validates a payload followed by its check digit', () => {
    fc.assert(
      fc.property(digitString(0, 20), (payload) => {
        expect(luhnValid(payload + luhnCheckDigit(payload))).toBe(true);
      }),
    );
  });

  it('is broken by changing any single digit', () => {
    fc.assert(
      fc.property(digitString(1, 20), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, rawPos, delta) => {
        const valid = payload + luhnCheckDigit(payload);
        const pos = rawPos % valid.length;
        const changed = String((Number(valid[pos]) + delta) % 10);
        const mutated = valid.slice(0, pos) + changed + valid.slice(pos + 1);
        expect(luhnValid(mutated)).toBe(false);
      }),
    );
  });
});

describe('the RPPS check', () => {
  it('accepts 11 Luhn-valid digits', () => {
    expect(checkRpps('10000000355')).toBeNull();
  });
  it('names the length problem', () => {
    expect(checkRpps('1234')).toBe('RPPS "1234" must be 11 digits');
    expect(checkRpps('1000000035A')).toBe('RPPS "1000000035A" must be 11 digits');
    expect(checkRpps('')).toBe('RPPS "" must be 11 digits');
  });
  it('names the Luhn problem', () => {
    expect(checkRpps('10000000356')).toBe('RPPS 10000000356 fails its Luhn check');
  });
});

describe('the ADELI check', () => {
  it('accepts 9 Luhn-valid digits', () => {
    expect(checkAdeli('139100010')).toBeNull();
  });
  it('refuses a wrong length or a bad key', () => {
    expect(checkAdeli('13910001')).toBe('ADELI "13910001" must be 9 digits');
    expect(checkAdeli('139100011')).toBe('ADELI 139100011 fails its Luhn check');
  });
});

describe('the FINESS check', () => {
  it('accepts 9 Luhn-valid digits and refuses the others', () => {
    const valid = `75000001${luhnCheckDigit('75000001')}`;
    expect(checkFiness(valid)).toBeNull();
    expect(checkFiness('7500000')).toBe('FINESS "7500000" must be 9 digits');
    const bad = `75000001${(Number(luhnCheckDigit('75000001')) + 1) % 10}`;
    expect(checkFiness(bad)).toBe(`FINESS ${bad} fails its Luhn check`);
  });
});

describe('the SIREN check', () => {
  it('accepts 9 digits, with or without a Luhn key (the registry publishes both), and refuses the others', () => {
    expect(checkSiren('356000000')).toBeNull();
    expect(checkSiren('732829320')).toBeNull();
    expect(checkSiren('300000000')).toBeNull();
    expect(checkSiren('30000000')).toBe('SIREN "30000000" must be 9 digits');
  });
});

describe('the SIRET check', () => {
  it('accepts 14 Luhn-valid digits', () => {
    expect(checkSiret('30000000079198')).toBeNull();
    expect(checkSiret('73282932000074')).toBeNull();
  });
  it('refuses a wrong length or a bad key', () => {
    expect(checkSiret('3000000007919')).toBe('SIRET "3000000007919" must be 14 digits');
    expect(checkSiret('30000000079199')).toBe('SIRET 30000000079199 fails its Luhn check');
  });
  it("only asks La Poste's establishments (SIREN 356000000) for 14 digits", () => {
    const notLuhn = '35600000000049';
    expect(luhnValid(notLuhn)).toBe(false);
    expect(checkSiret(notLuhn)).toBeNull();
    expect(checkSiret('3560000000004')).toBe('SIRET "3560000000004" must be 14 digits');
  });
});

describe('the national identifier check', () => {
  it('accepts 8 + RPPS and 0 + ADELI', () => {
    expect(checkNationalId('8', '10000000355', '810000000355')).toBeNull();
    expect(checkNationalId('0', '139100010', '0139100010')).toBeNull();
  });
  it('refuses another type', () => {
    expect(checkNationalId('3', '139100010', '3139100010')).toBe('identifier type "3" must be 0 (ADELI) or 8 (RPPS)');
    expect(checkNationalId('', '139100010', '139100010')).toMatch(/identifier type ""/);
  });
  it('checks the identifier against the type', () => {
    expect(checkNationalId('8', '139100010', '8139100010')).toBe('RPPS "139100010" must be 11 digits');
    expect(checkNationalId('0', '10000000355', '010000000355')).toBe('ADELI "10000000355" must be 9 digits');
    expect(checkNationalId('8', '10000000356', '810000000356')).toBe('RPPS 10000000356 fails its Luhn check');
  });
  it('wants the national identifier to be the type followed by the identifier', () => {
    expect(checkNationalId('8', '10000000355', '810000000728')).toBe(
      'national identifier "810000000728" must be "810000000355" (type followed by identifier)',
    );
    expect(checkNationalId('8', '10000000355', '10000000355')).toMatch(/must be "810000000355"/);
  });
  it('accepts any Luhn-valid RPPS built with its key', () => {
    fc.assert(
      fc.property(digitString(10, 10), (payload) => {
        const rpps = payload + luhnCheckDigit(payload);
        expect(checkNationalId('8', rpps, `8${rpps}`)).toBeNull();
      }),
    );
  });
});
