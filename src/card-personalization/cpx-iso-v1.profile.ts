/**
 * Card profile CPX-ISO v1, the default personalization profile, as the card
 * manufacturer's specification gives it (FIDs, sizes, tags, formats, command parameters).
 * A second profile is a second file of this shape.
 */
import type { CardProfile } from './card-profile';

const ascii = { kind: 'ascii' } as const;
const utf8 = { kind: 'utf8' } as const;
const date = { kind: 'date' } as const;
const byte = { kind: 'byte' } as const;

export const CPX_ISO_V1: CardProfile = {
  id: 'CPX-ISO-v1',
  selectP2: 0x0c,
  mf: { fid: 0x3f00 },
  serial: { name: 'EF.SN', fid: 0x0002, minLength: 8, maxLength: 16 },
  application: { name: 'DF.CPX', fid: 0x5000, fdb: 0x38 },
  files: [
    {
      name: 'EF.ID',
      fid: 0x5001,
      fdb: 0x01,
      size: 512,
      content: {
        kind: 'fields',
        fields: [
          { tag: 0x80, name: 'profileVersion', source: { constant: 1 }, format: byte },
          { tag: 0x81, name: 'cardType', source: 'card.cardType', format: ascii, pattern: /^(CPS|CPF|CPE|CPA)$/ },
          { tag: 0x82, name: 'generation', source: 'card.generation', format: ascii, pattern: /^(CPS3|CPS4)$/ },
          { tag: 0x83, name: 'cardNumber', source: 'card.number', format: ascii, pattern: /^\d{10}$/ },
          { tag: 0x84, name: 'nationalIdType', source: 'content.nationalIdType', format: ascii, pattern: /^\d$/ },
          { tag: 0x85, name: 'nationalId', source: 'content.nationalId', format: ascii },
          { tag: 0x86, name: 'civilityPracticeCode', source: 'content.civilityPracticeCode', format: ascii, optional: true },
          { tag: 0x87, name: 'lastName', source: 'content.lastName', format: utf8 },
          { tag: 0x88, name: 'firstName', source: 'content.firstName', format: utf8 },
          { tag: 0x89, name: 'professionCode', source: 'content.professionCode', format: ascii, pattern: /^\d{2}$/ },
          { tag: 0x8a, name: 'categoryCode', source: 'content.categoryCode', format: ascii },
          { tag: 0x8b, name: 'specialtyTypeCode', source: 'content.specialtyTypeCode', format: ascii, optional: true },
          { tag: 0x8c, name: 'specialtyCode', source: 'content.specialtyCode', format: ascii, optional: true },
          { tag: 0x8d, name: 'validFrom', source: 'card.validFrom', format: date },
          { tag: 0x8e, name: 'validUntil', source: 'card.validUntil', format: date },
        ],
      },
    },
    {
      name: 'EF.SIT',
      fid: 0x5002,
      fdb: 0x01,
      size: 2048,
      content: {
        kind: 'records',
        recordTag: 0xa0,
        maxRecords: 8,
        // The profile marks no situation field "may be empty"; registry lines do lack some
        // of them, so an empty one is written with length 0 (the EF.ID rule), tags in order.
        fields: [
          { tag: 0x80, name: 'number', source: 'situation.number', format: byte },
          { tag: 0x81, name: 'modeCode', source: 'situation.modeCode', format: ascii, optional: true, pattern: /^[LSBI]$/ },
          { tag: 0x82, name: 'sectorCode', source: 'situation.sectorCode', format: ascii, optional: true },
          { tag: 0x83, name: 'structureIdType', source: 'situation.structureIdType', format: ascii, optional: true, pattern: /^[13456]$/ },
          { tag: 0x84, name: 'structureId', source: 'situation.structureId', format: ascii, optional: true },
          { tag: 0x85, name: 'siteName', source: 'situation.siteName', format: { kind: 'utf8', maxBytes: 64 }, optional: true },
          { tag: 0x86, name: 'postalCode', source: 'situation.postalCode', format: ascii, optional: true },
          { tag: 0x87, name: 'city', source: 'situation.city', format: { kind: 'utf8', maxBytes: 64 }, optional: true },
        ],
      },
    },
    {
      name: 'EF.SEAL',
      fid: 0x5003,
      fdb: 0x01,
      size: 32,
      content: { kind: 'seal', algorithm: 'sha256', over: ['EF.ID', 'EF.SIT'] },
    },
  ],
  updateChunk: 200,
  readChunk: 256,
  codes: {
    changeP1: 0x01,
    pin: { reference: 0x01, digits: 4, length: 8, padding: 0xff },
    puk: { reference: 0x02, digits: 8, length: 8, padding: 0xff },
  },
  activateAlsoAccepts: [0x6d00],
  // The registry's "Identifiant technique de la structure" is a letter and the identifier:
  // F + FINESS site (type 3), S + SIRET (type 5), as the extracts show.
  structureIdentifiers: [
    { prefix: 'F', type: '3' },
    { prefix: 'S', type: '5' },
  ],
};
