/**
 * The shape of a personalization profile: the card layout and its command parameters as
 * data (one file per profile, e.g. `cpx-iso-v1.profile.ts`), and what the card is
 * written from. Code reads a profile; it never hard-codes a FID, a size or a tag.
 *
 * Pure code: no framework, no database.
 */
import type { CardContent } from '../rpps/rpps.service';
import type { ValueFormat } from './card-text';

/** What one card is written from: the card's own data and the order's frozen content. */
export interface CardData {
  card: {
    /** 10 digits, the last a Luhn key (from the orders service's number allocation). */
    number: string;
    cardType: string;
    generation: string;
    /** YYYY-MM-DD. */
    validFrom: string;
    validUntil: string;
  };
  /** The order's `content` as frozen at approval (RppsService.cardContent). */
  content: CardContent;
}

/** Where an EF.ID field's value comes from. */
export type HolderSource =
  | 'card.cardType'
  | 'card.generation'
  | 'card.number'
  | 'card.validFrom'
  | 'card.validUntil'
  /** The first character of the national identifier (8 RPPS, 0 ADELI...). */
  | 'content.nationalIdType'
  | 'content.nationalId'
  | 'content.civilityPracticeCode'
  | 'content.lastName'
  | 'content.firstName'
  | 'content.professionCode'
  | 'content.categoryCode'
  | 'content.specialtyTypeCode'
  | 'content.specialtyCode';

/** Where a practice situation field's value comes from (one situation of `content.situations`). */
export type SituationSource =
  /** Its rank in the registry's order, from 1. */
  | 'situation.number'
  | 'situation.modeCode'
  | 'situation.sectorCode'
  /** The structure identifier's type, from `structureIdentifiers` below. */
  | 'situation.structureIdType'
  | 'situation.structureId'
  | 'situation.siteName'
  | 'situation.postalCode'
  | 'situation.city';

export interface FieldSpec<S extends string> {
  tag: number;
  /** The field's name in decoded output and in error messages. */
  name: string;
  source: S | { constant: string | number };
  format: ValueFormat;
  /** Written with length 0 when empty; a required field that is empty refuses the card data. */
  optional?: boolean;
  /** Values the field accepts (checked before anything is sent to a card). */
  pattern?: RegExp;
}

/** A transparent EF under the application DF, and what it holds. */
export interface ElementaryFileSpec {
  name: string;
  fid: number;
  /** File descriptor byte in the FCP (01: transparent). */
  fdb: number;
  size: number;
  content:
    | { kind: 'fields'; fields: FieldSpec<HolderSource>[] }
    | { kind: 'records'; recordTag: number; maxRecords: number; fields: FieldSpec<SituationSource>[] }
    /** SHA-256 over the exact TLV bytes written to the named files, in that order. */
    | { kind: 'seal'; algorithm: 'sha256'; over: string[] };
}

export interface CodeSpec {
  /** P2 of CHANGE REFERENCE DATA and VERIFY. */
  reference: number;
  digits: number;
  /** Length of the reference data; the ASCII digits are padded up to it with `padding`. */
  length: number;
  padding: number;
}

export interface CardProfile {
  id: string;
  /** P2 of every SELECT (0C: no response data). */
  selectP2: number;
  mf: { fid: number };
  /** The chip serial written by the card manufacturer, directly under the MF, read only for us. */
  serial: { name: string; fid: number; minLength: number; maxLength: number };
  /** The application DF; a card is blank when selecting it answers 6A82. */
  application: { name: string; fid: number; fdb: number };
  files: ElementaryFileSpec[];
  /** UPDATE BINARY chunk size (bytes of data per command). */
  updateChunk: number;
  /** READ BINARY chunk size (Ne per command). */
  readChunk: number;
  codes: {
    /** P1 of CHANGE REFERENCE DATA (01: new reference data only). */
    changeP1: number;
    pin: CodeSpec;
    puk: CodeSpec;
  };
  /** Status words that ACTIVATE FILE may answer besides 9000 and still succeed. */
  activateAlsoAccepts: number[];
  /**
   * How a situation's structure identifier type is found: the first rule whose
   * `structureId` prefix matches gives the type, and the identifier is what follows the
   * prefix. When none matches, the identifier is `structureId` as is and the type is empty.
   */
  structureIdentifiers: Array<{ prefix: string; type: string }>;
}

/** What is wrong with a profile (empty when it can be used): checked by its test, and before use. */
export function profileProblems(p: CardProfile): string[] {
  const problems: string[] = [];
  const fids = [p.mf.fid, p.serial.fid, p.application.fid, ...p.files.map((f) => f.fid)];
  if (new Set(fids).size !== fids.length) problems.push('file identifiers are not distinct');
  const names = new Set(p.files.map((f) => f.name));
  for (const f of p.files) {
    if (f.size < 1 || f.size > 0x7fff) problems.push(`${f.name}: size ${f.size} is outside 1..32767 (READ/UPDATE BINARY offsets)`);
    const c = f.content;
    if (c.kind === 'seal') {
      for (const name of c.over)
        if (!names.has(name) || name === f.name) problems.push(`${f.name}: seals ${name}, not a TLV file of the profile`);
      continue;
    }
    const tags = c.fields.map((x) => x.tag);
    if (new Set(tags).size !== tags.length) problems.push(`${f.name}: a tag appears twice`);
  }
  if (p.updateChunk < 1 || p.updateChunk > 255) problems.push(`updateChunk ${p.updateChunk} is outside 1..255 (short Lc)`);
  if (p.readChunk < 1 || p.readChunk > 256) problems.push(`readChunk ${p.readChunk} is outside 1..256 (short Le)`);
  if (p.serial.minLength < 1 || p.serial.maxLength > 256 || p.serial.minLength > p.serial.maxLength) problems.push('serial lengths');
  for (const [which, code] of Object.entries(p.codes)) {
    if (typeof code === 'object' && code.length < code.digits)
      problems.push(`${which}: ${code.digits} digits do not fit ${code.length} bytes`);
  }
  return problems;
}
