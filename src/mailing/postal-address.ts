/**
 * A postal address laid out as the French standard for addresses asks (NF Z10-011, La Poste's
 * recommendations), from the registry's address fields (the first practice situation, see
 * domain.md): at most 6 lines of at most 38 characters, empty lines left out, in this order:
 *
 * 1. the addressee;
 * 2. the recipient complement (Complément destinataire: a service, "chez");
 * 3. the building (Complément point géographique: entrance, building, residence);
 * 4. the street: number, repetition index (BIS, TER...), street type and name;
 * 5. the distribution mention (Mention distribution: BP, lieu-dit);
 * 6. in France, the postal code and the town, or the cedex office line (Bureau cedex), in
 *    capitals, without accents or punctuation; abroad, the locality line, then the
 *    country's name in capitals as the last line.
 *
 * An address that cannot be laid out so is not printed wrong: the answer is a reason, and
 * the letter waits (issue 11). Pure: no I/O.
 */

import { CIVILITY_ABBREVIATIONS, PRACTICE_CIVILITY_ABBREVIATIONS } from '../rpps/mailing-address';

export const MAX_ADDRESS_LINES = 6;
export const MAX_ADDRESS_LINE_LENGTH = 38;

/** The registry's address fields of a practice situation (all optional, as in the extract). */
export interface PostalAddressFields {
  /** Complément destinataire. */
  recipientComplement?: string | null;
  /** Complément point géographique. */
  building?: string | null;
  streetNumber?: string | null;
  /** Indice répétition voie: B, T, Q, C or the word itself. */
  repetitionIndex?: string | null;
  /** Libellé type de voie (Rue, Avenue...). */
  streetTypeLabel?: string | null;
  streetLabel?: string | null;
  /** Mention distribution (BP 123, a lieu-dit). */
  distributionMention?: string | null;
  /** Bureau cedex: the whole distribution line, postal code first (`75384 PARIS CEDEX 08`). */
  cedexOffice?: string | null;
  postalCode?: string | null;
  /** Libellé commune. */
  town?: string | null;
  countryCode?: string | null;
  countryLabel?: string | null;
}

export type AddressLayout = { ok: true; lines: string[] } | { ok: false; reason: string };

const REPETITION_WORDS: Readonly<Record<string, string>> = { B: 'BIS', T: 'TER', Q: 'QUATER', C: 'QUINQUIES' };

/** La Poste's abbreviations of street types, used only when the street line would be too long. */
const STREET_TYPE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  ALLEE: 'ALL',
  AVENUE: 'AV',
  BOULEVARD: 'BD',
  CHEMIN: 'CHE',
  COURS: 'CRS',
  FAUBOURG: 'FG',
  IMPASSE: 'IMP',
  LOTISSEMENT: 'LOT',
  PASSAGE: 'PAS',
  PLACE: 'PL',
  QUARTIER: 'QUA',
  RESIDENCE: 'RES',
  ROUTE: 'RTE',
  SQUARE: 'SQ',
};

/** France, by the registry's country code (ISO, INSEE, or `99000` of the extract's TRE_R20) or label; none given means France. */
const FRANCE_CODES = new Set(['', 'FR', 'FRA', '99100', '99000']);

/** Collapses spaces; null for nothing. */
function clean(v: string | null | undefined): string | null {
  const t = (v ?? '').replace(/\s+/g, ' ').trim();
  return t ? t : null;
}

/** Capitals without accents or punctuation (the last lines of a French address). */
export function postalCapitals(v: string): string {
  return v
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/Œ/gi, 'OE')
    .replace(/Æ/gi, 'AE')
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function isFrance(a: PostalAddressFields): boolean {
  const code = (clean(a.countryCode) ?? '').toUpperCase();
  const label = clean(a.countryLabel);
  return FRANCE_CODES.has(code) && (label === null || postalCapitals(label) === 'FRANCE');
}

function streetLine(a: PostalAddressFields, abbreviate: boolean): string | null {
  const index = clean(a.repetitionIndex)?.toUpperCase() ?? null;
  let type = clean(a.streetTypeLabel);
  if (type && abbreviate) type = STREET_TYPE_ABBREVIATIONS[postalCapitals(type)] ?? type;
  const parts = [clean(a.streetNumber), index ? (REPETITION_WORDS[index] ?? index) : null, type, clean(a.streetLabel)];
  return clean(parts.filter((p) => p).join(' '));
}

/** A town as the post knows it: Paris, Lyon and Marseille without their arrondissement. */
function postalTown(town: string): string {
  return postalCapitals(town).replace(/ \d{1,2} ?(E|ER|EME) ARRONDISSEMENT$/, '');
}

function localityLine(a: PostalAddressFields, france: boolean): AddressLayout | string {
  const cedex = clean(a.cedexOffice);
  const postalCode = clean(a.postalCode);
  const town = clean(a.town);
  if (!france) {
    const line = clean([postalCode, town].filter((p) => p).join(' '));
    return line ? line.toUpperCase() : { ok: false, reason: 'no postal code or town for an address abroad' };
  }
  if (cedex) {
    const line = postalCapitals(cedex);
    if (!/^[0-9][0-9AB][0-9]{3} [A-Z]/.test(line)) {
      return { ok: false, reason: 'the cedex office line does not start with a postal code and a town' };
    }
    return line;
  }
  if (!postalCode || !/^[0-9][0-9AB][0-9]{3}$/.test(postalCode)) {
    return { ok: false, reason: postalCode ? 'the postal code is not 5 characters of a French postal code' : 'no postal code' };
  }
  const postal = town ? postalTown(town) : '';
  if (!postal) return { ok: false, reason: 'no town' };
  return `${postalCode} ${postal}`;
}

/**
 * Lays out `addressee` (civility, first and last name, as printed) at the address `a`, or
 * says why it cannot. Too long a street line is tried again with the street type abbreviated;
 * too long an addressee, with the first name's initial.
 */
export function layoutPostalAddress(addressee: string, a: PostalAddressFields): AddressLayout {
  const france = isFrance(a);
  const locality = localityLine(a, france);
  if (typeof locality !== 'string') return locality;
  let name = clean(addressee);
  if (!name) return { ok: false, reason: 'no addressee' };
  if (name.length > MAX_ADDRESS_LINE_LENGTH) name = initialOfFirstName(name);
  let street = streetLine(a, false);
  if (street && street.length > MAX_ADDRESS_LINE_LENGTH) street = streetLine(a, true);
  const lines = [
    name,
    clean(a.recipientComplement),
    clean(a.building),
    street,
    clean(a.distributionMention),
    locality,
    france ? null : postalCapitals(clean(a.countryLabel) ?? clean(a.countryCode) ?? ''),
  ].filter((l): l is string => !!l);
  if (lines.length > MAX_ADDRESS_LINES) {
    return { ok: false, reason: `${lines.length} lines: at most ${MAX_ADDRESS_LINES}` };
  }
  const long = lines.findIndex((l) => l.length > MAX_ADDRESS_LINE_LENGTH);
  if (long >= 0) {
    return { ok: false, reason: `line ${long + 1} has ${lines[long].length} characters: at most ${MAX_ADDRESS_LINE_LENGTH}` };
  }
  return { ok: true, lines };
}

/** The civilities an addressee may begin with, as letterAddressee writes them. */
const CIVILITIES = new Set([...Object.values(PRACTICE_CIVILITY_ABBREVIATIONS), ...Object.values(CIVILITY_ABBREVIATIONS)]);

/**
 * `Dr Marie-Claire DUPONT` → `Dr M DUPONT`, `Marie-Claire DUPONT` → `M DUPONT`: the first name
 * (the word after the civility, or the first word when there is none) shortened to its initial.
 */
function initialOfFirstName(name: string): string {
  const words = name.split(' ');
  const first = CIVILITIES.has(words[0]) ? 1 : 0;
  if (words.length < first + 2) return name;
  words[first] = words[first][0];
  return words.join(' ');
}
