import fc from 'fast-check';
import { layoutPostalAddress, MAX_ADDRESS_LINE_LENGTH, MAX_ADDRESS_LINES, postalCapitals } from './postal-address';

describe('layoutPostalAddress (NF Z10-011)', () => {
  it('lays out a French address from the extract: street with its number, postal code and town last, in capitals without accents', () => {
    expect(
      layoutPostalAddress('Dr Marie DUPONT', {
        streetNumber: '10',
        streetTypeLabel: 'Place',
        streetLabel: 'DE LA RÉPUBLIQUE',
        postalCode: '75011',
        town: 'PARIS 11E ARRONDISSEMENT',
        countryCode: '',
        countryLabel: 'France',
      }),
    ).toEqual({ ok: true, lines: ['Dr Marie DUPONT', '10 Place DE LA RÉPUBLIQUE', '75011 PARIS'] });
  });

  it('takes every address field in its place: complement, building, repetition index, distribution mention, cedex office', () => {
    expect(
      layoutPostalAddress('Mme Anne LÉGER', {
        recipientComplement: 'Service de cardiologie',
        building: 'Bâtiment B, entrée 2',
        streetNumber: '4',
        repetitionIndex: 'B',
        streetTypeLabel: 'Rue',
        streetLabel: 'des Écoles',
        distributionMention: 'BP 123',
        cedexOffice: '69372 Lyon Cédex 08',
        postalCode: '69008',
        town: 'Lyon 8e arrondissement',
      }),
    ).toEqual({
      ok: true,
      lines: ['Mme Anne LÉGER', 'Service de cardiologie', 'Bâtiment B, entrée 2', '4 BIS Rue des Écoles', 'BP 123', '69372 LYON CEDEX 08'],
    });
  });

  it("takes the extract's country code for France (99000, Libellé pays France) as France: no country line", () => {
    expect(
      layoutPostalAddress('Dr MARIE DUPONT', {
        streetNumber: '10',
        streetTypeLabel: 'Place',
        streetLabel: 'DE LA RÉPUBLIQUE',
        cedexOffice: '75011 PARIS',
        postalCode: '75011',
        town: 'PARIS 11E ARRONDISSEMENT',
        countryCode: '99000',
        countryLabel: 'France',
      }),
    ).toEqual({ ok: true, lines: ['Dr MARIE DUPONT', '10 Place DE LA RÉPUBLIQUE', '75011 PARIS'] });
  });

  it('ends an address abroad with the country in capitals', () => {
    expect(
      layoutPostalAddress('M. Jean MARTIN', {
        streetNumber: '12',
        streetTypeLabel: 'Rue',
        streetLabel: 'du Rhône',
        postalCode: '1204',
        town: 'Genève',
        countryCode: 'CH',
        countryLabel: 'Suisse',
      }),
    ).toEqual({ ok: true, lines: ['M. Jean MARTIN', '12 Rue du Rhône', '1204 GENÈVE', 'SUISSE'] });
  });

  it('abbreviates the street type, then the first name, before it gives up on a line too long', () => {
    const r = layoutPostalAddress('Dr Marie-Charlotte DE LA ROCHEFOUCAULD-X', {
      streetNumber: '150',
      streetTypeLabel: 'Boulevard',
      streetLabel: 'DU MARÉCHAL DE LATTRE TASSIGNY',
      postalCode: '25300',
      town: 'PONTARLIER',
    });
    expect(r).toEqual({ ok: true, lines: ['Dr M DE LA ROCHEFOUCAULD-X', '150 BD DU MARÉCHAL DE LATTRE TASSIGNY', '25300 PONTARLIER'] });
  });

  it('shortens the first name of an addressee without a civility too (the first word is then the first name)', () => {
    const where = { streetNumber: '3', streetTypeLabel: 'RUE', streetLabel: 'DES LILAS', postalCode: '75019', town: 'PARIS' };
    expect(layoutPostalAddress('Marie-Charlotte DE LA ROCHEFOUCAULD-LIANCOURT', where)).toMatchObject({
      ok: true,
      lines: ['M DE LA ROCHEFOUCAULD-LIANCOURT', '3 RUE DES LILAS', '75019 PARIS'],
    });
    expect(layoutPostalAddress('Mme Marie-Charlotte DE LA ROCHEFOUCAULD-LIANCOURT', where)).toMatchObject({
      ok: true,
      lines: ['Mme M DE LA ROCHEFOUCAULD-LIANCOURT', '3 RUE DES LILAS', '75019 PARIS'],
    });
  });

  it('holds with a reason what cannot be laid out: no postal code, a malformed one, a line still too long, 7 lines', () => {
    const base = { streetNumber: '1', streetTypeLabel: 'Rue', streetLabel: 'HAUTE', town: 'BREST' };
    expect(layoutPostalAddress('M. A B', { ...base })).toEqual({ ok: false, reason: 'no postal code' });
    expect(layoutPostalAddress('M. A B', { ...base, postalCode: '2920' })).toEqual({
      ok: false,
      reason: 'the postal code is not 5 characters of a French postal code',
    });
    expect(layoutPostalAddress('M. A B', { ...base, postalCode: '29200', streetLabel: 'X'.repeat(40) })).toEqual({
      ok: false,
      reason: 'line 2 has 46 characters: at most 38',
    });
    expect(
      layoutPostalAddress('M. A B', {
        ...base,
        recipientComplement: 'c',
        building: 'b',
        distributionMention: 'BP 1',
        postalCode: '1000',
        town: 'Bruxelles',
        countryLabel: 'Belgique',
        countryCode: 'BE',
      }),
    ).toEqual({ ok: false, reason: '7 lines: at most 6' });
    expect(layoutPostalAddress(' ', { ...base, postalCode: '29200' })).toEqual({ ok: false, reason: 'no addressee' });
  });

  it('never gives more than 6 lines or a line over 38 characters, and ends a French address with a postal code line in capitals', () => {
    const text = fc.option(fc.string({ maxLength: 50 }), { nil: null });
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 45 }),
        fc.record({
          recipientComplement: text,
          building: text,
          streetNumber: fc.option(fc.integer({ min: 1, max: 9999 }).map(String), { nil: null }),
          repetitionIndex: fc.option(fc.constantFrom('B', 'T', 'Q', 'C'), { nil: null }),
          streetTypeLabel: fc.option(fc.constantFrom('Rue', 'Avenue', 'Boulevard', 'Place', 'Impasse'), { nil: null }),
          streetLabel: text,
          distributionMention: text,
          postalCode: fc.option(fc.stringMatching(/^[0-9]{5}$/), { nil: null }),
          town: text,
        }),
        (addressee, fields) => {
          const r = layoutPostalAddress(addressee, fields);
          if (!r.ok) return r.reason.length > 0;
          const last = r.lines[r.lines.length - 1];
          return (
            r.lines.length <= MAX_ADDRESS_LINES &&
            r.lines.every((l) => l.length > 0 && l.length <= MAX_ADDRESS_LINE_LENGTH) &&
            /^[0-9]{5} [A-Z0-9 ]+$/.test(last) &&
            last === postalCapitals(last)
          );
        },
      ),
    );
  });

  it('writes capitals without accents or punctuation', () => {
    expect(postalCapitals("Saint-Étienne-d'Œuvre")).toBe('SAINT ETIENNE D OEUVRE');
  });
});
