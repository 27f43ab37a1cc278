import { dateInFileName, extractDate } from './extract-date';

const today = '2026-11-30';

describe(extractDate.name, () => {
  it('reads the date in the agency file name (.txt or .zip), with or without the time', () => {
    expect(extractDate({ mainPath: '/x/PS_LibreAcces_Personne_activite_202611250600.txt', today, what: '--as-of' })).toEqual({
      asOf: '2026-11-25',
      asOfGiven: false,
      dateFromCallerOnly: false,
    });
    expect(dateInFileName('PS_LibreAcces_Personne_activite_20261125.zip')).toBe('2026-11-25');
  });

  it('refuses a given date that contradicts the stamp of the file name, naming both', () => {
    expect(() =>
      extractDate({ asOf: '2026-11-30', mainPath: '/x/PS_LibreAcces_Personne_activite_202610010600.txt', today, what: '--as-of' }),
    ).toThrow(/--as-of 2026-11-30 contradicts the date in the file name "PS_LibreAcces_Personne_activite_202610010600.txt" \(2026-10-01\)/);
  });

  it('takes a given date that agrees with the file name, and says it was given', () => {
    expect(
      extractDate({ asOf: '2026-11-25', mainPath: 'PS_LibreAcces_Personne_activite_202611250600.txt', today, what: '--as-of' }),
    ).toEqual({ asOf: '2026-11-25', asOfGiven: true, dateFromCallerOnly: false });
    // No stamp anywhere: the date is the caller's word alone (the import holds any cessation).
    expect(extractDate({ asOf: '2026-11-30', mainPath: 'extract.txt', today, what: '--as-of' })).toEqual({
      asOf: '2026-11-30',
      asOfGiven: true,
      dateFromCallerOnly: true,
    });
  });

  describe('a zip, whose extract inside has a name of its own', () => {
    const old = 'PS_LibreAcces_Personne_activite_202610010600.txt';

    it("refuses a zip whose stamp contradicts the extract's inside it, naming both", () => {
      expect(() =>
        extractDate({ mainPath: '/x/PS_LibreAcces_Personne_activite_202611300600.zip', entryName: old, today, what: '--as-of' }),
      ).toThrow(
        expect.objectContaining({
          code: 'unusable_input',
          message: expect.stringMatching(
            /"PS_LibreAcces_Personne_activite_202611300600\.zip" \(2026-11-30\) contradicts .*"PS_LibreAcces_Personne_activite_202610010600\.txt" \(2026-10-01\)/,
          ),
        }),
      );
    });

    it('refuses a given date that contradicts the stamp of the extract inside a renamed zip, naming both', () => {
      expect(() => extractDate({ asOf: '2026-11-30', mainPath: '/x/extract.zip', entryName: old, today, what: 'asOf' })).toThrow(
        /asOf 2026-11-30 contradicts the date in the file name "PS_LibreAcces_Personne_activite_202610010600\.txt" \(2026-10-01\)/,
      );
    });

    it('takes the date of the extract inside a zip without a stamp, and stamps that agree', () => {
      expect(extractDate({ mainPath: '/x/extract.zip', entryName: `dir/${old}`, today, what: '--as-of' })).toEqual({
        asOf: '2026-10-01',
        asOfGiven: false,
        dateFromCallerOnly: false,
      });
      expect(
        extractDate({ mainPath: '/x/PS_LibreAcces_Personne_activite_20261001.zip', entryName: old, today, what: '--as-of' }).asOf,
      ).toBe('2026-10-01');
      expect(extractDate({ asOf: '2026-11-02', mainPath: '/x/a.zip', entryName: 'a.txt', today, what: '--as-of' })).toEqual({
        asOf: '2026-11-02',
        asOfGiven: true,
        dateFromCallerOnly: true,
      });
    });
  });

  it('never dates a renamed extract from the clock: it names both ways to give a date', () => {
    expect(() => extractDate({ mainPath: '/x/extract.txt', today, what: '--as-of' })).toThrow(
      expect.objectContaining({
        code: 'unusable_input',
        message: expect.stringMatching(
          /"extract\.txt".*no stamp.*_YYYYMMDDhhmm.*--as-of.*keep \(or restore\) the agency's file name.*--as-of YYYY-MM-DD/,
        ),
      }),
    );
    expect(() => extractDate({ mainPath: 'extract.txt', today, what: 'asOf' })).toThrow(/give asOf YYYY-MM-DD/);
  });

  it('refuses a day after today, given or in the file name', () => {
    expect(() => extractDate({ asOf: '2099-12-31', mainPath: 'extract.txt', today, what: '--as-of' })).toThrow(
      /--as-of 2099-12-31 is after today \(2026-11-30/,
    );
    expect(() => extractDate({ mainPath: 'PS_LibreAcces_Personne_activite_202612010600.txt', today, what: '--as-of' })).toThrow(
      /the date in the file name "PS_LibreAcces_Personne_activite_202612010600.txt" 2026-12-01 is after today/,
    );
  });

  it('refuses impossible dates, given or stamped, naming the form YYYY-MM-DD', () => {
    for (const asOf of ['2026-02-30', '06/01/2026']) {
      expect(() => extractDate({ asOf, mainPath: 'extract.txt', today, what: '--as-of' })).toThrow(
        expect.objectContaining({ code: 'validation_failed', message: expect.stringContaining('YYYY-MM-DD') }),
      );
    }
    expect(() => dateInFileName('PS_LibreAcces_Personne_activite_202602300600.txt')).toThrow(/20260230 is not a day.*YYYY-MM-DD/);
  });
});
