/**
 * Headers of the RPPS / ADELI public extraction ("PS_LibreAcces"): the Personne_activite
 * layouts (52 and 56 columns) and the SavoirFaire file, mapped by column names. Pure
 * code. Format notes: docs `rpps-extract-format.md`.
 */

import { ExtractFormatError } from '../common/extract/extract.errors';
import { HeaderBase, indexNames, mapColumns, normalizeHeaderName, splitHeader } from '../common/extract/extract-header';
import { ExtractLine, ReadLinesOptions, readHeaderLine } from '../common/extract/extract-lines';

const PERSONNE_ACTIVITE_REQUIRED = {
  idType: "Type d'identifiant PP",
  identifier: 'Identifiant PP',
  nationalId: 'Identification nationale PP',
  civilityPracticeCode: "Code civilité d'exercice",
  civilityCode: 'Code civilité',
  lastName: "Nom d'exercice",
  firstName: "Prénom d'exercice",
  professionCode: 'Code profession',
  categoryCode: 'Code catégorie professionnelle',
  modeCode: 'Code mode exercice',
  siret: 'Numéro SIRET site',
  siren: 'Numéro SIREN site',
  finessSite: 'Numéro FINESS site',
  finessLegal: 'Numéro FINESS établissement juridique',
  structureId: 'Identifiant technique de la structure',
  siteName: 'Raison sociale site',
  streetNumber: 'Numéro Voie (coord. structure)',
  streetTypeLabel: 'Libellé type de voie (coord. structure)',
  streetLabel: 'Libellé Voie (coord. structure)',
  postalCode: 'Code postal (coord. structure)',
  city: 'Libellé commune (coord. structure)',
  cedex: 'Bureau cedex (coord. structure)',
  sectorCode: "Code secteur d'activité",
  registrationAuthority: "Autorité d'enregistrement",
} as const;

/**
 * Columns an extract may lack: the savoir-faire ones (gone from the 56-column layout), and
 * the address columns only the letters need (an extract without them imports, leaving them
 * empty).
 */
const PERSONNE_ACTIVITE_OPTIONAL = {
  specialtyTypeCode: 'Code type savoir-faire',
  specialtyCode: 'Code savoir-faire',
  recipientComplement: 'Complément destinataire (coord. structure)',
  geoComplement: 'Complément point géographique (coord. structure)',
  repetitionIndex: 'Indice répétition voie (coord. structure)',
  distributionMention: 'Mention distribution (coord. structure)',
  countryCode: 'Code pays (coord. structure)',
  countryLabel: 'Libellé pays (coord. structure)',
} as const;

/** Columns that mark the 56-column layout. */
const LAYOUT_56_MARKERS = ['Code fonction', "Code genre d'activité"];

const SAVOIR_FAIRE_REQUIRED = {
  nationalId: 'Identification nationale PP',
  professionCode: 'Code profession',
  specialtyTypeCode: 'Code type savoir-faire',
  specialtyCode: 'Code savoir-faire',
} as const;

export type PersonneActiviteColumn = keyof typeof PERSONNE_ACTIVITE_REQUIRED | keyof typeof PERSONNE_ACTIVITE_OPTIONAL;
export type SavoirFaireColumn = keyof typeof SAVOIR_FAIRE_REQUIRED;

export type PersonneActiviteLayout = 'personne-activite-52' | 'personne-activite-56';

export interface PersonneActiviteHeader extends HeaderBase {
  kind: 'personne-activite';
  layout: PersonneActiviteLayout;
  /** 0-based index of each needed column; -1 for an absent optional column. */
  columns: Record<PersonneActiviteColumn, number>;
  /**
   * The 56-column layout as published: its header names 52 columns (no savoir-faire
   * columns) while its data lines still carry the 4 savoir-faire fields, empty, after
   * the category. This is the header with those 4 slots put back, used for such lines.
   */
  withSavoirFaireSlots?: PersonneActiviteHeader;
}

export interface SavoirFaireHeader extends HeaderBase {
  kind: 'savoir-faire';
  layout: 'savoir-faire';
  columns: Record<SavoirFaireColumn, number>;
}

/**
 * Maps a `PS_LibreAcces_Personne_activite` header by column names (never by
 * position). Throws {@link ExtractFormatError} naming every missing required column,
 * or when the layout is neither the 52-column one (savoir-faire columns) nor the
 * 56-column one (`Code fonction` / `Code genre d'activité`).
 */
export function parsePersonneActiviteHeader(line: string): PersonneActiviteHeader {
  if (line.trim() === '') throw new ExtractFormatError('Personne_activite: empty header line');
  const { names, trailingDelimiter } = splitHeader(line);
  const { index, duplicates } = indexNames(names);
  const columns = mapColumns(
    'Personne_activite header',
    index,
    duplicates,
    PERSONNE_ACTIVITE_REQUIRED,
    PERSONNE_ACTIVITE_OPTIONAL,
  ) as Record<PersonneActiviteColumn, number>;
  const has56Markers = LAYOUT_56_MARKERS.some((n) => index.has(normalizeHeaderName(n)));
  const hasSavoirFaire = columns.specialtyTypeCode >= 0 && columns.specialtyCode >= 0;
  let layout: PersonneActiviteLayout;
  if (has56Markers) layout = 'personne-activite-56';
  else if (hasSavoirFaire) layout = 'personne-activite-52';
  else {
    throw new ExtractFormatError(
      'Personne_activite header: unknown layout: neither the savoir-faire columns (52-column layout) ' +
        `nor ${LAYOUT_56_MARKERS.map((n) => `"${n}"`).join(' / ')} (56-column layout)`,
    );
  }
  const header: PersonneActiviteHeader = { kind: 'personne-activite', layout, names, fieldCount: names.length, trailingDelimiter, columns };
  if (layout === 'personne-activite-56' && !hasSavoirFaire) {
    const category = index.get(normalizeHeaderName('Libellé catégorie professionnelle')) ?? columns.categoryCode;
    const slotted = [
      ...names.slice(0, category + 1),
      'Code type savoir-faire',
      'Libellé type savoir-faire',
      'Code savoir-faire',
      'Libellé savoir-faire',
      ...names.slice(category + 1),
    ];
    const trailer = trailingDelimiter ? '|' : '';
    header.withSavoirFaireSlots = parsePersonneActiviteHeader(slotted.join('|') + trailer);
  }
  return header;
}

/** Maps a `PS_LibreAcces_SavoirFaire` header by column names. */
export function parseSavoirFaireHeader(line: string): SavoirFaireHeader {
  if (line.trim() === '') throw new ExtractFormatError('SavoirFaire: empty header line');
  const { names, trailingDelimiter } = splitHeader(line);
  const { index, duplicates } = indexNames(names);
  const columns = mapColumns('SavoirFaire header', index, duplicates, SAVOIR_FAIRE_REQUIRED) as Record<SavoirFaireColumn, number>;
  return { kind: 'savoir-faire', layout: 'savoir-faire', names, fieldCount: names.length, trailingDelimiter, columns };
}

/** Tells a Personne_activite header from a SavoirFaire one (anything else: 'unknown'). */
export function detectFileKind(headerLine: string): ExtractFileKind {
  const { names } = splitHeader(headerLine);
  const set = new Set(names.map(normalizeHeaderName));
  const has = (n: string): boolean => set.has(normalizeHeaderName(n));
  if (has('Identification nationale PP') && has('Code mode exercice') && has("Nom d'exercice")) {
    return 'personne-activite';
  }
  if (has('Identification nationale PP') && has('Code savoir-faire') && has('Code type savoir-faire')) {
    return 'savoir-faire';
  }
  return 'unknown';
}

export type ExtractFileKind = 'personne-activite' | 'savoir-faire' | 'unknown';

export interface ExtractStart {
  /** The first line (header). */
  header: ExtractLine;
  kind: ExtractFileKind;
  /** The data lines that follow the header, in batches. */
  batches: AsyncGenerator<ExtractLine[], void, undefined>;
  /**
   * Releases the stream when `batches` will not be read to the end (e.g. the header is
   * refused). Not needed after a complete or interrupted `for await` over `batches`.
   */
  close(): Promise<void>;
}

export async function readHeader(stream: NodeJS.ReadableStream, options: ReadLinesOptions = {}): Promise<ExtractStart> {
  const start = await readHeaderLine(stream, options);
  return { ...start, kind: detectFileKind(start.header.text) };
}
