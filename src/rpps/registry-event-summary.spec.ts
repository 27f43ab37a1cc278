import { registryEventSummary } from './registry-event-summary';

describe(registryEventSummary.name, () => {
  const summary = (kind: string, details: Record<string, unknown> = {}, professionCode: string | null = null) =>
    registryEventSummary({ kind, professionCode, details });

  it('names the professions of a newcomer and of a professional who left, with their labels', () => {
    expect(summary('NEW_PROFESSIONAL', { professions: ['10', '21'] })).toBe('entered the registry: professions 10 Médecin, 21 Pharmacien');
    expect(summary('CEASED', { professions: ['60'] })).toBe('left the registry: profession 60 Infirmier');
    expect(summary('CEASED', { professions: ['60'], after: 'migration candidate rejected' })).toBe(
      'left the registry (identifier migration rejected): profession 60 Infirmier',
    );
    expect(summary('CEASED', { professions: null })).toBe('left the registry');
  });

  it('names the profession added or removed, by its code alone when it is not listed', () => {
    expect(summary('PROFESSION_ADDED', { categoryCode: 'C' }, '40')).toBe('profession 40 Chirurgien-Dentiste added');
    expect(summary('PROFESSION_REMOVED', {}, '77')).toBe('profession 77 removed');
  });

  it('says which fields of the identity changed, before and after, and the professions whose category or specialty did', () => {
    const before = { lastName: 'DUPONT', firstName: 'JEAN', civilityPracticeCode: 'DR', civilityCode: 'M' };
    expect(summary('IDENTITY_CHANGED', { before, after: { ...before, lastName: 'DURAND', civilityPracticeCode: '' } })).toBe(
      'name of practice DUPONT → DURAND; civility of practice DR → (none)',
    );
    expect(
      summary('IDENTITY_CHANGED', {
        professions: [
          {
            professionCode: '10',
            before: { categoryCode: 'C', specialtyTypeCode: 'S', specialtyCode: 'SM26' },
            after: { categoryCode: 'C', specialtyTypeCode: 'S', specialtyCode: 'SM54' },
          },
        ],
      }),
    ).toBe('profession 10 Médecin: specialty SM26 → SM54');
    expect(summary('IDENTITY_CHANGED', {})).toBe('identity changed');
  });

  it('says where an identifier migrated from and how, and that situations changed', () => {
    expect(summary('IDENTIFIER_MIGRATED', { fromNationalId: '0123456789', source: 'correspondence' })).toBe(
      'identifier migrated from 0123456789 (correspondence file)',
    );
    expect(summary('IDENTIFIER_MIGRATED', { fromNationalId: '0123456789', source: 'candidate', decidedBy: 'principal:bob' })).toBe(
      'identifier migrated from 0123456789 (candidate confirmed by an operator)',
    );
    expect(summary('SITUATION_CHANGED')).toBe('practice situations changed');
  });
});
