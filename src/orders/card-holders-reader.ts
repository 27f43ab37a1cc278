/**
 * Reading layer of the card-holders extract (`Porteurs_CPS_CPF_<stamp>.txt`): the cards
 * that already exist (type, number, validity, opposition date).
 *
 * Pure code: no Nest, no database. Lines come from the shared extract reading
 * (`src/common/extract`: `openExtract` / `readHeaderLine`: `.txt` or `.zip`, UTF-8 or Latin-1, BOM, CRLF); this
 * module maps the header by (normalised) column names, never by position, and parses
 * each data line into a record or a per-line reject reason.
 *
 * - A file that cannot be used at all (no header, missing or duplicated required
 *   column) throws {@link ExtractFormatError}.
 * - A bad data line is not an exception: {@link parseCardHolderLine} returns
 *   `{ ok: false, lineNo, reason }`, the reason naming each faulty field with the file's
 *   own column spelling; the import goes on.
 */

import { ExtractFormatError } from '../common/extract/extract.errors';
import { field, LineResult, rejectLine, scanLine } from '../common/extract/extract-fields';
import { HeaderBase, indexNames, mapColumns, splitHeader } from '../common/extract/extract-header';
import { ReadLinesOptions, readHeaderLine } from '../common/extract/extract-lines';
import { openExtract } from '../common/extract/extract-open';
import { checkAdeli, checkNationalId, checkRpps, ID_TYPE_ADELI, ID_TYPE_RPPS } from '../rpps/identifiers';

export { ExtractFormatError } from '../common/extract/extract.errors';

// ---------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------

const CARD_HOLDERS_REQUIRED = {
  identifier: 'Identifiant PP',
  nationalId: 'Identification nationale PP',
  professionCode: 'Code profession',
  cardTypeCode: 'Code type de carte',
  cardNumber: 'Numéro carte',
  validFrom: 'Date début validité',
  validUntil: 'Date fin validité',
  opposedOn: 'Date opposition',
} as const;

const CARD_HOLDERS_OPTIONAL = {
  idType: "Type d'identifiant PP",
  lastName: "Nom d'exercice",
  firstName: "Prénom d'exercice",
  categoryCode: 'Code catégorie professionnelle',
  cardTypeLabel: 'Libellé type de carte',
  nationalIdInCard: 'Identifiant national contenu dans la carte',
  updatedOn: 'Date de mise à jour',
} as const;

export type CardHoldersColumn = keyof typeof CARD_HOLDERS_REQUIRED | keyof typeof CARD_HOLDERS_OPTIONAL;

export interface CardHoldersHeader extends HeaderBase {
  kind: 'card-holders';
  /** 0-based index of each column used; -1 for an absent optional column. */
  columns: Record<CardHoldersColumn, number>;
}

/**
 * Maps a `Porteurs_CPS_CPF` header by column names (case, accents, punctuation and
 * spacing do not matter; order does not matter). Throws {@link ExtractFormatError}
 * naming every missing required column, or any used column present twice.
 */
export function parseCardHoldersHeader(line: string): CardHoldersHeader {
  if (line.trim() === '') throw new ExtractFormatError('Porteurs_CPS_CPF header: empty header line');
  const { names, trailingDelimiter } = splitHeader(line);
  const { index, duplicates } = indexNames(names);
  const columns = mapColumns('Porteurs_CPS_CPF header', index, duplicates, CARD_HOLDERS_REQUIRED, CARD_HOLDERS_OPTIONAL) as Record<
    CardHoldersColumn,
    number
  >;
  return { kind: 'card-holders', names, fieldCount: names.length, trailingDelimiter, columns };
}

// ---------------------------------------------------------------------------
// Data lines
// ---------------------------------------------------------------------------

export type CardType = 'CPS' | 'CPF' | 'CPE' | 'CPA';

/** TRE_G02 product codes. */
export const CARD_TYPE_BY_CODE: Readonly<Record<string, CardType>> = {
  '00': 'CPS',
  '01': 'CPF',
  '02': 'CPE',
  '03': 'CPA',
};

export interface CardHolderRecord {
  lineNo: number;
  /** `Identification nationale PP`: `8` + RPPS or `0` + ADELI. */
  nationalId: string;
  professionCode: string;
  /** '' when the column is absent. */
  categoryCode: string;
  cardType: CardType;
  /** 10 digits (no check-digit policy applied: existing cards follow other rules). */
  cardNumber: string;
  /** `Identifiant national contenu dans la carte` as is (not checked); '' when absent. */
  nationalIdInCard: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** YYYY-MM-DD, on or after `validFrom`. */
  validUntil: string;
  /** YYYY-MM-DD, null when the card is not opposed. */
  opposedOn: string | null;
  /** YYYY-MM-DD, null when empty or the column is absent. */
  updatedOn: string | null;
  /** '' when the column is absent. */
  lastName: string;
  /** '' when the column is absent. */
  firstName: string;
  /** The line as read, for audit. */
  raw: string;
}

export type CardHolderResult = LineResult<CardHolderRecord>;

function isDigits(s: string, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYYMMDD` or `DD/MM/YYYY` → `YYYY-MM-DD`; otherwise the problem (a phrase to put
 * after the field name).
 */
export function parseExtractDate(s: string): { date: string } | { problem: string } {
  let y: string;
  let m: string;
  let d: string;
  if (isDigits(s, 8)) {
    y = s.slice(0, 4);
    m = s.slice(4, 6);
    d = s.slice(6, 8);
  } else if (s.length === 10 && s[2] === '/' && s[5] === '/' && isDigits(s.slice(0, 2) + s.slice(3, 5) + s.slice(6), 8)) {
    d = s.slice(0, 2);
    m = s.slice(3, 5);
    y = s.slice(6);
  } else {
    return { problem: `"${s}" is not a date (expected YYYYMMDD or DD/MM/YYYY)` };
  }
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { problem: `"${s}" is not a real calendar date` };
  }
  return { date: `${y}-${m}-${d}` };
}

/**
 * Parses one `Porteurs_CPS_CPF` data line. Returns the record, or a reject reason
 * (field count, control characters, over-long field, malformed national identifier,
 * profession code, card type, card number or date, end of validity before its start);
 * several problems are joined with `; `.
 */
export function parseCardHolderLine(text: string, lineNo: number, header: CardHoldersHeader): CardHolderResult {
  const names = header.names;
  // The checks every extract line passes (field count, controls, length): shared with the registry.
  const structural = scanLine(text, header);
  if (structural !== null) return rejectLine(lineNo, structural);

  const c = header.columns;
  const get = (i: number): string => field(text, i);
  const problems: string[] = [];
  const name = (i: number): string => `field "${names[i]}"`;

  // National identifier: type + identifier, type 8 (RPPS, 11 digits) or 0 (ADELI, 9
  // digits), both Luhn-valid; the type column, when present, must agree.
  const nationalId = get(c.nationalId);
  const identifier = get(c.identifier);
  if (nationalId === '') {
    problems.push(`${name(c.nationalId)} is empty`);
  } else {
    const idType = c.idType >= 0 ? get(c.idType) : nationalId.charAt(0);
    const idProblem = checkNationalId(idType, identifier, nationalId);
    if (idProblem !== null) {
      // Name the column at fault: the type, the identifier, or their concatenation.
      let at = c.nationalId;
      if (idType !== ID_TYPE_RPPS && idType !== ID_TYPE_ADELI) at = c.idType >= 0 ? c.idType : c.nationalId;
      else if ((idType === ID_TYPE_RPPS ? checkRpps : checkAdeli)(identifier) !== null) at = c.identifier;
      problems.push(`${name(at)}: ${idProblem}`);
    }
  }

  const professionCode = get(c.professionCode);
  if (!isDigits(professionCode, 2)) problems.push(`${name(c.professionCode)} must be 2 digits, found "${professionCode}"`);

  const cardTypeText = get(c.cardTypeCode);
  const upper = cardTypeText.toUpperCase();
  let cardType: CardType | undefined = CARD_TYPE_BY_CODE[cardTypeText];
  if (cardType === undefined && (upper === 'CPS' || upper === 'CPF' || upper === 'CPE' || upper === 'CPA')) {
    cardType = upper;
  }
  if (cardType === undefined) {
    problems.push(
      cardTypeText === ''
        ? `${name(c.cardTypeCode)} is empty`
        : `${name(c.cardTypeCode)}: unknown card type "${cardTypeText}" (expected 00 CPS, 01 CPF, 02 CPE, 03 CPA, or those letters)`,
    );
  }

  const cardNumber = get(c.cardNumber);
  if (!isDigits(cardNumber, 10)) problems.push(`${name(c.cardNumber)} must be 10 digits, found "${cardNumber}"`);

  const date = (i: number, required: boolean): string | null => {
    const s = get(i);
    if (s === '') {
      if (required) problems.push(`${name(i)} is empty`);
      return null;
    }
    const r = parseExtractDate(s);
    if ('problem' in r) {
      problems.push(`${name(i)}: ${r.problem}`);
      return null;
    }
    return r.date;
  };
  const validFrom = date(c.validFrom, true);
  const validUntil = date(c.validUntil, true);
  const opposedOn = date(c.opposedOn, false);
  const updatedOn = c.updatedOn < 0 ? null : date(c.updatedOn, false);
  if (validFrom !== null && validUntil !== null && validUntil < validFrom) {
    problems.push(`${name(c.validUntil)} (${validUntil}) is before ${name(c.validFrom)} (${validFrom})`);
  }

  if (problems.length > 0 || cardType === undefined || validFrom === null || validUntil === null) {
    return rejectLine(lineNo, problems.join('; '));
  }
  return {
    ok: true,
    record: {
      lineNo,
      nationalId,
      professionCode,
      categoryCode: get(c.categoryCode),
      cardType,
      cardNumber,
      nationalIdInCard: get(c.nationalIdInCard),
      validFrom,
      validUntil,
      opposedOn,
      updatedOn,
      lastName: get(c.lastName),
      firstName: get(c.firstName),
      raw: text,
    },
  };
}

// ---------------------------------------------------------------------------
// File
// ---------------------------------------------------------------------------

export interface CardHoldersExtract {
  /** File name of the text data (the `.txt` itself, or the entry inside the zip). */
  name: string;
  header: CardHoldersHeader;
  /** Parsed data lines, in batches (one per chunk read: a few thousand at most). */
  batches: AsyncGenerator<CardHolderResult[], void, undefined>;
  /**
   * Releases the file when `batches` will not be read to the end. Not needed after a
   * complete or interrupted `for await` over `batches`.
   */
  close(): Promise<void>;
}

/**
 * Opens a `Porteurs_CPS_CPF` extract (`.txt` or `.zip`), maps its header and hands back
 * the parsed data lines in batches, streaming. Throws {@link ExtractFormatError} (after
 * releasing the file) when the file is empty or its header unusable.
 */
export async function readCardHolders(filePath: string, options: ReadLinesOptions = {}): Promise<CardHoldersExtract> {
  const opened = await openExtract(filePath);
  const start = await readHeaderLine(opened.stream, options);
  let header: CardHoldersHeader;
  try {
    header = parseCardHoldersHeader(start.header.text);
  } catch (err) {
    await start.close();
    throw err;
  }
  const source = start.batches;
  async function* batches(): AsyncGenerator<CardHolderResult[], void, undefined> {
    for await (const lines of source) {
      const out: CardHolderResult[] = new Array(lines.length);
      for (let i = 0; i < lines.length; i++) out[i] = parseCardHolderLine(lines[i].text, lines[i].lineNo, header);
      yield out;
    }
  }
  return { name: opened.name, header, batches: batches(), close: start.close };
}
