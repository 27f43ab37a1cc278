/**
 * Card data for unit tests: a professional as the registry extract gives one (see
 * test/fixtures), approved for a CPS4.
 */
import type { CardData } from './card-profile';

export function sampleCardData(overrides: Partial<CardData['content']> = {}): CardData {
  return {
    card: { number: '2900001260', cardType: 'CPS', generation: 'CPS4', validFrom: '2026-11-30', validUntil: '2032-11-29' },
    content: {
      nationalId: '810000000355',
      civilityPracticeCode: 'DR',
      civilityCode: 'M',
      lastName: 'LEFÈVRE',
      firstName: 'MARIE',
      professionCode: '10',
      categoryCode: 'C',
      specialtyTypeCode: 'S',
      specialtyCode: 'SM54',
      situations: [
        {
          modeCode: 'L',
          sectorCode: 'SA08',
          structureId: 'S30000000079198',
          siret: '30000000079198',
          finessSite: '',
          siteName: 'CABINET MICHEL',
          streetNumber: '10',
          streetTypeLabel: 'Place',
          streetLabel: 'DE LA RÉPUBLIQUE',
          postalCode: '75011',
          city: 'PARIS 11E ARRONDISSEMENT',
        },
        {
          modeCode: 'S',
          sectorCode: 'SA01',
          structureId: 'F758503239',
          siret: '',
          finessSite: '758503239',
          siteName: 'CENTRE DE SANTÉ PARIS',
          streetNumber: '',
          streetTypeLabel: '',
          streetLabel: '',
          postalCode: '75011',
          city: 'PARIS 11E ARRONDISSEMENT',
        },
      ],
      ...overrides,
    },
  };
}
