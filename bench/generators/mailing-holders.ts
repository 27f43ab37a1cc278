import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { PinLetter } from '../../src/mailing/letters';
import type { CardCodes } from '../../src/mailing/pin-codes';
import { layoutPostalAddress } from '../../src/mailing/postal-address';
import { letterAddressee, type RegistryAddressFields } from '../../src/rpps/mailing-address';
import { COMMUNES, fnv1a, mulberry32, type Rng } from './rpps-generator';

/**
 * The holders of the `mailing` benchmark: professionals of the registry, each with a card
 * whose card letter was printed, whose PIN letter waits. Pure and deterministic (holder `i`
 * of a seed is always the same), so that the benchmark's database and its pdfkit floor
 * (the same letters drawn from memory) hold the same names and addresses.
 *
 * Names and addresses are as the registry's extract spells them (capitals, accents kept):
 * civilities of practice or not, compound and long names (shortened to an initial on the
 * letter), recipient and building complements, repetition indexes, long street names
 * (abbreviated), distribution mentions, cedex offices, and a few addresses abroad. Every
 * one lays out (layoutPostalAddress): none is held.
 */

export const MAILING_SEED = 20261130;

/** A practice situation's address, under rpps_situation's column names. */
export interface SituationAddress {
  recipient_complement: string;
  geo_complement: string;
  street_number: string;
  repetition_index: string;
  street_type_label: string;
  street_label: string;
  distribution_mention: string;
  cedex: string;
  postal_code: string;
  city: string;
  country_code: string;
  country_label: string;
}

export interface MailingHolder {
  nationalId: string;
  civilityPracticeCode: string;
  civilityCode: string;
  lastName: string;
  firstName: string;
  professionCode: string;
  cardType: 'CPS' | 'CPF';
  generation: 'CPS3' | 'CPS4';
  cardNumber: string;
  /** The first practice situation of the profession: where the letters go. */
  address: SituationAddress;
  /** A second situation, later in the extract (never the letters' address), or none. */
  otherAddress: SituationAddress | null;
}

const FIRST_NAMES = [
  'MARIE',
  'JEAN-BAPTISTE',
  'HÉLÈNE',
  'FRANÇOIS',
  'CHLOÉ',
  'JÉRÔME',
  'ÉLODIE',
  'NOËL',
  'GAËLLE',
  'LUC',
  'ANNE-SOPHIE',
  'BENOÎT',
  'ZOÉ',
  'MAËLYS',
  'CÉCILE',
  'JOSÉ',
  'INÈS',
  'RENÉ',
  'AGNÈS',
  'THÉO',
  'PAUL',
  'CLAIRE',
  'MARIE-CHRISTINE-ÉLISABETH',
  'ÇAĞLA',
];
const LAST_NAMES = [
  'LEFÈVRE',
  'DUBOIS',
  'MÜLLER',
  "N'DIAYE",
  'DE LA FONTAINE-DUVAL',
  'CŒURDEROY',
  'BÉRANGER',
  'GIRAUD',
  'FAURÉ',
  'MOREAU',
  'PÉREZ',
  'GONÇALVES',
  'BRUNEAU-LÉVÊQUE',
  'NGUYEN',
  "D'ALEMBERT",
  'ÉTIENNE',
  'SCHNEIDER',
  'CHÂTEAUBRIAND',
  'MARTIN',
  'VAN DER BRÜGGEN-SAINT-ÉVREMOND',
  'LÆNNEC',
  'OUÉDRAOGO',
];
const RECIPIENT_COMPLEMENTS = [
  'SERVICE DE CARDIOLOGIE',
  'CABINET MÉDICAL DES TILLEULS',
  'CHEZ M. DUPRÉ',
  'PÔLE SANTÉ DU HAUT-DOUBS',
  'MAISON DE SANTÉ PLURIPROFESSIONNELLE',
  'PHARMACIE DE LA GARE',
];
const GEO_COMPLEMENTS = ['BÂTIMENT B ENTRÉE 2', 'RÉSIDENCE LES ÉRABLES', 'ESCALIER C 3E ÉTAGE', 'IMMEUBLE LE PANORAMA', 'HALL A'];
const STREET_TYPES = ['Rue', 'Avenue', 'Boulevard', 'Place', 'Chemin', 'Allée', 'Impasse', 'Route', 'Quai', 'Cours', 'Faubourg'];
const STREET_LABELS = [
  'DE LA RÉPUBLIQUE',
  'VICTOR HUGO',
  'DES ÉCOLES',
  "DE L'ÉGLISE",
  'DU GÉNÉRAL DE GAULLE',
  'JEAN JAURÈS',
  'DES CHÂTAIGNIERS',
  'DU MARÉCHAL DE LATTRE',
  'SAINT-ÉLOI',
  'PASTEUR',
  'DES FRÈRES LUMIÈRE',
  'DES CHAMPS-ÉLYSÉES',
  "D'ALSACE-LORRAINE",
  'DU 8 MAI 1945',
];
const REPETITION_INDEXES = ['B', 'T', 'Q'];
const DISTRIBUTION_MENTIONS = ['BP 123', 'LIEU-DIT LES PINS', 'CS 40012', 'BP 7'];
/** Addresses abroad: postal code, town, the extract's country code (TRE_R20) and label. */
const ABROAD = [
  ['1204', 'GENÈVE', '99140', 'Suisse'],
  ['1000', 'BRUXELLES', '99131', 'Belgique'],
  ['4000', 'LIÈGE', '99131', 'Belgique'],
  ['L-1616', 'LUXEMBOURG', '99137', 'Luxembourg'],
  ['77694', 'KEHL', '99109', 'Allemagne'],
] as const;
const PROFESSIONS = ['10', '10', '10', '21', '40', '50', '60', '60', '70', '91'];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

function situationAddress(rng: Rng): SituationAddress {
  const abroad = rng() < 0.02;
  const a: SituationAddress = {
    recipient_complement: rng() < 0.25 ? pick(rng, RECIPIENT_COMPLEMENTS) : '',
    geo_complement: !abroad && rng() < 0.2 ? pick(rng, GEO_COMPLEMENTS) : '',
    street_number: rng() < 0.95 ? String(1 + Math.floor(rng() * 250)) : '',
    repetition_index: rng() < 0.12 ? pick(rng, REPETITION_INDEXES) : '',
    street_type_label: pick(rng, STREET_TYPES),
    street_label: pick(rng, STREET_LABELS),
    distribution_mention: !abroad && rng() < 0.1 ? pick(rng, DISTRIBUTION_MENTIONS) : '',
    cedex: '',
    postal_code: '',
    city: '',
    country_code: '99000',
    country_label: 'France',
  };
  if (abroad) {
    const [postal, town, code, label] = pick(rng, ABROAD);
    return { ...a, postal_code: postal, city: town, country_code: code, country_label: label };
  }
  const c = pick(rng, COMMUNES);
  // The extract's "Bureau cedex" holds the whole distribution line; now and then a cedex office.
  const cedex = rng() < 0.04 ? `${c.postal} ${c.bureau} CEDEX ${String(1 + Math.floor(rng() * 20)).padStart(2, '0')}` : '';
  return { ...a, postal_code: c.postal, city: c.label, cedex: cedex || `${c.postal} ${c.bureau}` };
}

/** Holder `i` (from 0) of `seed`. */
export function mailingHolder(i: number, seed = MAILING_SEED): MailingHolder {
  const rng = mulberry32(fnv1a(`${seed >>> 0}:mailing:${i}`));
  const practice = rng();
  const civilityCode = pick(rng, ['M', 'MME', 'MME', 'M', 'MLLE']);
  return {
    nationalId: `8${String(10_000_000_000 + i).slice(-11)}`,
    civilityPracticeCode: practice < 0.45 ? 'DR' : practice < 0.5 ? 'PR' : '',
    // no civility code only beside a civility of practice: the letter's addressee always starts with one
    civilityCode: rng() < 0.03 && practice < 0.5 ? '' : civilityCode,
    lastName: pick(rng, LAST_NAMES),
    firstName: rng() < 0.02 ? '' : pick(rng, FIRST_NAMES),
    professionCode: pick(rng, PROFESSIONS),
    cardType: rng() < 0.9 ? 'CPS' : 'CPF',
    generation: rng() < 0.8 ? 'CPS4' : 'CPS3',
    cardNumber: String(2_800_000_000 + i),
    address: situationAddress(rng),
    otherAddress: rng() < 0.3 ? situationAddress(rng) : null,
  };
}

export function mailingHolders(n: number, seed = MAILING_SEED): MailingHolder[] {
  return Array.from({ length: n }, (_, i) => mailingHolder(i, seed));
}

/** The address as mailing reads it from the registry (RegistryAddressFields, src/rpps/mailing-address.ts). */
export function registryFields(a: SituationAddress): RegistryAddressFields {
  return {
    recipientComplement: a.recipient_complement,
    building: a.geo_complement,
    streetNumber: a.street_number,
    repetitionIndex: a.repetition_index,
    streetTypeLabel: a.street_type_label,
    streetLabel: a.street_label,
    distributionMention: a.distribution_mention,
    cedexOffice: a.cedex,
    postalCode: a.postal_code,
    town: a.city,
    countryCode: a.country_code,
    countryLabel: a.country_label,
  };
}

/** The holder's letters' address lines, as a batch lays them out; throws if it cannot (the generator's fault). */
export function holderAddressLines(h: MailingHolder): string[] {
  const layout = layoutPostalAddress(letterAddressee(h), registryFields(h.address));
  if (!layout.ok) throw new Error(`holder ${h.nationalId}: the address does not lay out (${layout.reason})`);
  return layout.lines;
}

/**
 * The PIN letters of `holders` as a batch numbered `batchNumber` would give them, codes
 * from `codes` (the letters of the pdfkit floor: the same pages, no data access).
 */
export function memoryPinLetters(
  holders: readonly MailingHolder[],
  o: { batchNumber: string; letterDate: string; helpdeskPhone: string; codes: () => CardCodes },
): PinLetter[] {
  return holders.map((h, i) => {
    const c = o.codes();
    return {
      batchNumber: o.batchNumber,
      sequence: i + 1,
      addressLines: holderAddressLines(h),
      cardType: h.cardType,
      generation: h.generation,
      helpdeskPhone: o.helpdeskPhone,
      letterDate: o.letterDate,
      cardLast4: h.cardNumber.slice(-4),
      pin: c.pin,
      puk: c.puk,
    };
  });
}

/** 10:00 in Paris on the day of the SQL parameter `param`. */
const parisTen = (param: string) => `((${param}::date + time '10:00') AT TIME ZONE 'Europe/Paris')`;

const columns = <T, K extends keyof T>(rows: readonly T[], key: K): Array<T[K]> => rows.map((r) => r[key]);
const ADDRESS_COLUMNS: Array<keyof SituationAddress> = [
  'recipient_complement',
  'geo_complement',
  'street_number',
  'repetition_index',
  'street_type_label',
  'street_label',
  'distribution_mention',
  'cedex',
  'postal_code',
  'city',
  'country_code',
  'country_label',
];

/**
 * Writes `holders` in SQL as a day after their card letters were printed: the registry
 * (professional, profession, situations), an order each (its card letter sent), its card
 * (sent), one card-letter batch of `cardLetterDay` recorded as printed that day with each
 * card's letter in it, and each card's PIN letter waiting (as assembling that batch left
 * it). Returns the orders' ids, in the holders' order (their codes are issued by the caller,
 * through the vault). Bulk statements over arrays: seconds for tens of thousands.
 */
export async function insertMailingBase(pg: Client, holders: readonly MailingHolder[], o: { cardLetterDay: string }): Promise<string[]> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.cardLetterDay)) throw new Error(`cardLetterDay "${o.cardLetterDay}": expected YYYY-MM-DD`);
  const importId = '00000000-0000-0000-0000-000000000001';
  const nid = columns(holders, 'nationalId');
  const prof = columns(holders, 'professionCode');
  await pg.query(`INSERT INTO rpps_import (id, status, actor, as_of) VALUES ($1, 'baseline', 'bench', $2)`, [importId, o.cardLetterDay]);
  await pg.query(
    `INSERT INTO rpps_professional (national_id, id_type, identifier, civility_practice_code, civility_code, last_name, first_name,
                                    situations_digest, professions_digest, first_import_id, last_import_id)
     SELECT n, '8', substr(n, 2), cp, c, l, f, '0:1', '0:1', $6, $6
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS k(n, cp, c, l, f)`,
    [
      nid,
      columns(holders, 'civilityPracticeCode'),
      columns(holders, 'civilityCode'),
      columns(holders, 'lastName'),
      columns(holders, 'firstName'),
      importId,
    ],
  );
  await pg.query(
    `INSERT INTO rpps_profession (national_id, profession_code, category_code) SELECT n, p, 'C' FROM unnest($1::text[], $2::text[]) AS k(n, p)`,
    [nid, prof],
  );
  // The letters' situation at line 2i+2 of the extract; a second one, when there is one, after it.
  const situations = holders.flatMap((h, i) => [
    { n: h.nationalId, p: h.professionCode, line: 2 * i + 2, a: h.address },
    ...(h.otherAddress ? [{ n: h.nationalId, p: h.professionCode, line: 2 * i + 3, a: h.otherAddress }] : []),
  ]);
  await pg.query(
    `INSERT INTO rpps_situation (national_id, profession_code, situation_hash, mode_code, sector_code, site_name, source_line, raw_line,
                                 ${ADDRESS_COLUMNS.join(', ')})
     SELECT n, p, line::text, 'L', 'SA07', 'CABINET ' || line, line, 'bench line ' || line, ${ADDRESS_COLUMNS.join(', ')}
       FROM unnest($1::text[], $2::text[], $3::int[], ${ADDRESS_COLUMNS.map((_, j) => `$${j + 4}::text[]`).join(', ')})
            AS k(n, p, line, ${ADDRESS_COLUMNS.join(', ')})`,
    [
      situations.map((s) => s.n),
      situations.map((s) => s.p),
      situations.map((s) => s.line),
      ...ADDRESS_COLUMNS.map((c) => situations.map((s) => s.a[c])),
    ],
  );
  const orderIds = holders.map(() => randomUUID());
  await pg.query(
    `INSERT INTO card_order (id, national_id, profession_code, card_type, reason, status, generation, requested_by, requested_at,
                             approved_by, approved_at)
     SELECT id, n, p, t, 'first-issue', 'card-letter-sent', g, 'bench', d - interval '10 days', 'bench', d - interval '9 days'
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS k(id, n, p, t, g), (SELECT $6::date AS d) dd`,
    [orderIds, nid, prof, columns(holders, 'cardType'), columns(holders, 'generation'), o.cardLetterDay],
  );
  await pg.query(
    `INSERT INTO card (card_number, card_type, generation, national_id, national_id_in_card, profession_code, last_name, first_name,
                       valid_from, valid_until, state, order_id, source)
     SELECT c, t, g, n, n, p, l, f, d - 3, ((d - 3) + interval '3 years' - interval '1 day')::date, 'sent', o, 'order'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])
            AS k(c, t, g, n, p, l, f, o), (SELECT $9::date AS d) dd`,
    [
      columns(holders, 'cardNumber'),
      columns(holders, 'cardType'),
      columns(holders, 'generation'),
      nid,
      prof,
      columns(holders, 'lastName'),
      columns(holders, 'firstName'),
      orderIds,
      o.cardLetterDay,
    ],
  );
  // The card letters' batch, printed on its day at 10:00 (Paris); the PIN letters created with it, waiting.
  const [batch] = (
    await pg.query(
      `INSERT INTO mailing_batch (kind, as_of, state, letters, pages, pdf_path, manifest_path, created_by, created_at, rendered_at,
                                  printed_by, printed_at)
       VALUES ('card-letter', $1, 'printed', $2, $2, '(bench: not rendered)', '(bench: not rendered)', 'bench',
               ${parisTen('$1')} - interval '2 hours', ${parisTen('$1')} - interval '1 hour', 'bench', ${parisTen('$1')})
       RETURNING id`,
      [o.cardLetterDay, holders.length],
    )
  ).rows as Array<{ id: string }>;
  await pg.query(
    `INSERT INTO mailing_letter (kind, card_number, order_id, batch_id, sequence, state, address_lines, created_at, updated_at, printed_at)
     SELECT 'card-letter', c, o, $4, s::int, 'printed', a, ${parisTen('$5')} - interval '3 days', ${parisTen('$5')}, ${parisTen('$5')}
       FROM unnest($1::text[], $2::uuid[], $3::jsonb[]) WITH ORDINALITY AS k(c, o, a, s)`,
    [columns(holders, 'cardNumber'), orderIds, holders.map((h) => JSON.stringify(holderAddressLines(h))), batch.id, o.cardLetterDay],
  );
  await pg.query(
    `INSERT INTO mailing_letter (kind, card_number, order_id, state, created_at, updated_at)
     SELECT 'pin-letter', c, o, 'waiting', ${parisTen('$3')} - interval '2 hours', ${parisTen('$3')} - interval '2 hours'
       FROM unnest($1::text[], $2::uuid[]) AS k(c, o)`,
    [columns(holders, 'cardNumber'), orderIds, o.cardLetterDay],
  );
  return orderIds;
}
