import { normalizeHeaderName } from './extract-header';

describe('normalizing header names', () => {
  it('ignores case, accents, apostrophes and extra spaces', () => {
    const forms = ["Nom d'exercice", 'NOM D’EXERCICE', 'nom  d exercice', ' Nom d\u2019Exercice ', 'nom-d-exercice'];
    for (const f of forms) expect(normalizeHeaderName(f)).toBe('nom d exercice');
  });

  it('turns dots and parentheses into spaces', () => {
    expect(normalizeHeaderName('Numéro Voie (coord. structure)')).toBe('numero voie coord structure');
    expect(normalizeHeaderName('NUMERO VOIE (COORD STRUCTURE)')).toBe('numero voie coord structure');
    expect(normalizeHeaderName('Code genre d’activité')).toBe('code genre d activite');
    expect(normalizeHeaderName("\uFEFFType d'identifiant PP")).toBe('type d identifiant pp');
  });

  it('gives the same result for the composed and decomposed forms of an accent', () => {
    expect(normalizeHeaderName('Pr\u00e9nom')).toBe(normalizeHeaderName('Pre\u0301nom'));
  });
});
