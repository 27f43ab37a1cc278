import fc from 'fast-check';
import { foldName, nameKeys, searchPattern } from './name-key';

describe('foldName', () => {
  it('drops accents and case', () => {
    expect(foldName('LEFÈVRE')).toBe('lefevre');
    expect(foldName('Hélène')).toBe('helene');
    expect(foldName('ÇELIK')).toBe('celik');
    expect(foldName('Ñúñez')).toBe('nunez');
    expect(foldName('İLHAN')).toBe('ilhan');
  });

  it('spells out the letters that carry no accent to drop', () => {
    expect(foldName('CŒUR')).toBe('coeur');
    expect(foldName('Lætitia')).toBe('laetitia');
    expect(foldName('STRAßE')).toBe('strasse');
    expect(foldName('ØSTERGÅRD')).toBe('ostergard');
    expect(foldName('Łukasz')).toBe('lukasz');
    expect(foldName('Dıǧ')).toBe('dig');
  });

  it('joins the letters around an apostrophe, whichever is typed', () => {
    for (const name of ["D'ARCY", 'D’Arcy', 'd‘arcy', 'DʼARCY', 'd`arcy', 'DARCY']) expect(foldName(name)).toBe('darcy');
  });

  it('takes hyphens, dots, spaces and their runs for one space, and trims', () => {
    expect(foldName('JEAN-PIERRE')).toBe('jean pierre');
    expect(foldName('  Jean -  Pierre ')).toBe('jean pierre');
    expect(foldName('DE SAINT-EXUPÉRY')).toBe('de saint exupery');
    expect(foldName('ST. JEAN')).toBe('st jean');
  });

  it('leaves no LIKE wildcard nor escape character', () => {
    expect(foldName('50%_off\\x')).toBe('50 off x');
  });

  it('gives words of lower-case letters and digits separated by one space, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."aZéÈœ-' ’%_\\.ßØ1ı".split('')) }), (s) => {
        const f = foldName(s);
        expect(f).toMatch(/^([a-z0-9]+( [a-z0-9]+)*)?$/);
        expect(foldName(f)).toBe(f);
      }),
    );
  });
});

describe('nameKeys', () => {
  it('are the folded name last name first, and first name first', () => {
    expect(nameKeys("D'ARGENT", 'Jean-Édouard')).toEqual({ nameKey: 'dargent jean edouard', nameKeyFirst: 'jean edouard dargent' });
  });

  it('have no stray space when a part is empty', () => {
    expect(nameKeys('DUPONT', '')).toEqual({ nameKey: 'dupont', nameKeyFirst: 'dupont' });
    expect(nameKeys('', 'Jean')).toEqual({ nameKey: 'jean', nameKeyFirst: 'jean' });
  });
});

describe('searchPattern', () => {
  it('makes each word typed the start of a word, in order', () => {
    expect(searchPattern('dupont je')).toEqual({ pattern: 'dupont% je%', words: 2 });
    expect(searchPattern('  Lefèvre ')).toEqual({ pattern: 'lefevre%', words: 1 });
    expect(searchPattern("d'ar")).toEqual({ pattern: 'dar%', words: 1 });
  });

  it('matches what the key of the name typed in full starts with', () => {
    const like = (pattern: string, key: string) => new RegExp(`^${pattern.replace(/%/g, '.*')}$`).test(key);
    const { nameKey, nameKeyFirst } = nameKeys('LEFÈVRE-DUPONT', 'Marie-Hélène');
    expect(like(searchPattern('lefevre dup mar').pattern, nameKey)).toBe(true);
    expect(like(searchPattern('marie hel lef').pattern, nameKeyFirst)).toBe(true);
    expect(like(searchPattern('helene').pattern, nameKey)).toBe(false);
  });
});
