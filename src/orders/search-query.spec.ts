import { readSearchQuery } from './search-query';

describe('readSearchQuery', () => {
  it('takes letters for a name, as typed', () => {
    expect(readSearchQuery('dupont je')).toEqual({ kind: 'name', text: 'dupont je' });
    expect(readSearchQuery("d'ar")).toEqual({ kind: 'name', text: "d'ar" });
    expect(readSearchQuery('dupont 2')).toEqual({ kind: 'name', text: 'dupont 2' });
  });

  it('takes 12 digits starting with 8 for a national identifier, 11 for an RPPS and 9 for an ADELI number', () => {
    expect(readSearchQuery('810000000355')).toEqual({ kind: 'nationalId', nationalId: '810000000355' });
    expect(readSearchQuery('10000000355')).toEqual({ kind: 'nationalId', nationalId: '810000000355' });
    expect(readSearchQuery('139100127')).toEqual({ kind: 'nationalId', nationalId: '0139100127' });
  });

  it('ignores spaces, dots and hyphens between digits', () => {
    expect(readSearchQuery('8 1000 0000 355')).toEqual({ kind: 'nationalId', nationalId: '810000000355' });
    expect(readSearchQuery('2900-0012.60')).toEqual({ kind: 'cardNumber', cardNumber: '2900001260', orNationalId: null });
  });

  it('takes 10 digits for a card number, or else, starting with 0, an ADELI national identifier', () => {
    expect(readSearchQuery('2900001260')).toEqual({ kind: 'cardNumber', cardNumber: '2900001260', orNationalId: null });
    expect(readSearchQuery('0139100127')).toEqual({ kind: 'cardNumber', cardNumber: '0139100127', orNationalId: '0139100127' });
  });

  it('refuses fewer than 2 characters, only punctuation, and digits of no identifier length', () => {
    expect(readSearchQuery('a')).toEqual({ refused: 'expected at least 2 characters' });
    expect(readSearchQuery("'-")).toEqual({ refused: expect.stringContaining('letters or digits') });
    expect(readSearchQuery('ʼʼ')).toEqual({ refused: expect.stringContaining('letters or digits') });
    expect(readSearchQuery('12345')).toEqual({ refused: expect.stringMatching(/^5 digits: expected a national identifier/) });
    expect(readSearchQuery('912345678901')).toEqual({ refused: expect.stringMatching(/^12 digits/) });
  });

  it('refuses a name that folds to nothing, or whose first word has fewer than 2 letters or digits once folded', () => {
    for (const q of ['ʼʼ', "''", '’‘', 'ʹ-ʼ'])
      expect(readSearchQuery(q)).toEqual({ refused: expect.stringContaining('letters or digits') });
    for (const q of ["d'", 'd ar', 'é dupont', "ʼd'"])
      expect(readSearchQuery(q)).toEqual({
        refused: expect.stringMatching(/^the first word of a name needs at least 2 letters or digits/),
      });
    expect(readSearchQuery("d'ar")).toEqual({ kind: 'name', text: "d'ar" });
    expect(readSearchQuery('œ')).toEqual({ refused: 'expected at least 2 characters' });
    expect(readSearchQuery('Œu')).toEqual({ kind: 'name', text: 'Œu' });
  });
});
