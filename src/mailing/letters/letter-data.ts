import { calendarDay } from '../../common/clock/business-date';
import { isHelpdeskPhone, isPrintableLine } from '../../common/config/letter-settings';
import { MailingError } from '../mailing.errors';
import { MAX_ADDRESS_LINE_LENGTH, MAX_ADDRESS_LINES } from '../postal-address';

/**
 * What the two letters a card holder receives are made of (domain.md, "The letters"), and
 * the checks a letter passes before it is drawn. The card letter (the carrier the card is
 * glued to) never carries a code; the PIN letter never carries the full card number: each
 * type holds only the fields its letter prints, and a letter with a field of the other
 * kind is refused. Pure: no I/O. A refusal names the letter and the field, never a value.
 */

export const CARD_TYPES = ['CPS', 'CPF', 'CPE', 'CPA'] as const;
export type CardType = (typeof CARD_TYPES)[number];
export const CARD_GENERATIONS = ['CPS3', 'CPS4'] as const;
export type CardGeneration = (typeof CARD_GENERATIONS)[number];

/** The fields both letters share. */
interface LetterBase {
  /** A short printable reference of the mailing batch (letters, digits, `-`, `.`, `_`). */
  batchNumber: string;
  /** The letter's place in its batch, from 1. */
  sequence: number;
  /** The postal address, already laid out (layoutPostalAddress): at most 6 lines of 38 characters. */
  addressLines: string[];
  cardType: CardType;
  generation: CardGeneration;
  /** The helpdesk's number, printed as given (the agency's, from configuration). */
  helpdeskPhone: string;
  /** The day printed on the letter, YYYY-MM-DD. */
  letterDate: string;
}

/** The card's letter: the carrier the card is glued to. Never a code. */
export interface CardLetter extends LetterBase {
  /** The card's number, 10 digits. */
  cardNumber: string;
  validFrom: string;
  validUntil: string;
  holderName: string;
  professionLabel: string;
}

/** The codes' letter, sent apart from the card. Never the full card number. */
export interface PinLetter extends LetterBase {
  /** The last 4 digits of the card's number. */
  cardLast4: string;
  /** The PIN (code porteur), 4 digits. */
  pin: string;
  /** The unblocking code (code de déblocage), 8 digits. */
  puk: string;
}

export type LetterKind = 'card' | 'pin';
export type LetterOf<K extends LetterKind> = K extends 'card' ? CardLetter : PinLetter;

const BASE_FIELDS = ['batchNumber', 'sequence', 'addressLines', 'cardType', 'generation', 'helpdeskPhone', 'letterDate'];
const FIELDS: Readonly<Record<LetterKind, ReadonlySet<string>>> = {
  card: new Set([...BASE_FIELDS, 'cardNumber', 'validFrom', 'validUntil', 'holderName', 'professionLabel']),
  pin: new Set([...BASE_FIELDS, 'cardLast4', 'pin', 'puk']),
};

export const BATCH_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;
/** Names and labels printed in the text: at most this many characters (the layout is checked with it). */
export const MAX_NAME_LENGTH = 80;

/** What is wrong with the field `name` of a letter of `kind`, or null. The answer never holds the value. */
function fieldProblem(kind: LetterKind, name: string, v: unknown): string | null {
  switch (name) {
    case 'batchNumber':
      return typeof v === 'string' && BATCH_NUMBER.test(v) ? null : 'expected 1 to 16 letters, digits, ".", "_" or "-"';
    case 'sequence':
      return Number.isSafeInteger(v) && (v as number) >= 1 ? null : 'expected an integer from 1';
    case 'addressLines':
      return Array.isArray(v) &&
        v.length >= 1 &&
        v.length <= MAX_ADDRESS_LINES &&
        v.every((l) => isPrintableLine(l, MAX_ADDRESS_LINE_LENGTH))
        ? null
        : `expected 1 to ${MAX_ADDRESS_LINES} printable lines of at most ${MAX_ADDRESS_LINE_LENGTH} characters`;
    case 'cardType':
      return (CARD_TYPES as readonly unknown[]).includes(v) ? null : `expected one of ${CARD_TYPES.join(', ')}`;
    case 'generation':
      return (CARD_GENERATIONS as readonly unknown[]).includes(v) ? null : `expected one of ${CARD_GENERATIONS.join(', ')}`;
    case 'helpdeskPhone':
      return isHelpdeskPhone(v) ? null : 'expected a phone number (digits, spaces, dots, a leading +)';
    case 'letterDate':
    case 'validFrom':
    case 'validUntil':
      return calendarDay(v) ? null : 'expected an existing date YYYY-MM-DD';
    case 'cardNumber':
      return typeof v === 'string' && /^\d{10}$/.test(v) ? null : 'expected 10 digits';
    case 'holderName':
    case 'professionLabel':
      return isPrintableLine(v, MAX_NAME_LENGTH) ? null : `expected printable text of at most ${MAX_NAME_LENGTH} characters`;
    case 'cardLast4':
    case 'pin':
      return typeof v === 'string' && /^\d{4}$/.test(v) ? null : 'expected 4 digits';
    case 'puk':
      return typeof v === 'string' && /^\d{8}$/.test(v) ? null : 'expected 8 digits';
    default:
      return `not a field of a ${KIND_WORDS[kind]}`;
  }
}

/** How errors name the letters and the fields that are codes (never a value: only which field). */
const KIND_WORDS: Readonly<Record<LetterKind, string>> = { card: 'card letter', pin: 'letter of the codes' };
const FIELD_WORDS: Readonly<Record<string, string>> = { pin: 'first code', puk: 'unblocking code' };
const fieldWord = (name: string): string => FIELD_WORDS[name] ?? name;

/** Every problem of `letter` as a letter of `kind` (`field: what was expected`), empty when it can be printed. */
export function letterProblems(kind: LetterKind, letter: unknown): string[] {
  if (typeof letter !== 'object' || letter === null || Array.isArray(letter)) return ['expected an object'];
  const fields = FIELDS[kind];
  const record = letter as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(record)) {
    if (!fields.has(name)) problems.push(`${fieldWord(name)}: not a field of a ${KIND_WORDS[kind]}`);
  }
  for (const name of fields) {
    const problem = fieldProblem(kind, name, record[name]);
    if (problem) problems.push(`${fieldWord(name)}: ${problem}`);
  }
  if (kind === 'card' && problems.length === 0 && (record.validFrom as string) > (record.validUntil as string)) {
    problems.push('validUntil: before validFrom');
  }
  return problems;
}

/**
 * The problems of the fields of a letter of `kind` that are known before it is drawn (a letter
 * being assembled: its batch number, sequence, codes or helpdesk number not given yet), checked
 * as letterProblems checks them; the fields not given are not checked. Empty when they can be printed.
 */
export function knownFieldProblems(kind: LetterKind, fields: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [name, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const problem = FIELDS[kind].has(name) ? fieldProblem(kind, name, v) : `not a field of a ${KIND_WORDS[kind]}`;
    if (problem) problems.push(`${fieldWord(name)}: ${problem}`);
  }
  if (
    kind === 'card' &&
    problems.length === 0 &&
    typeof fields.validFrom === 'string' &&
    typeof fields.validUntil === 'string' &&
    fields.validFrom > fields.validUntil
  ) {
    problems.push('validUntil: before validFrom');
  }
  return problems;
}

/** How a letter is named in an error: its batch and sequence when they can be printed (never another field). */
export function letterName(letter: unknown): string {
  const r = (typeof letter === 'object' && letter !== null ? letter : {}) as Record<string, unknown>;
  const seq = Number.isSafeInteger(r.sequence) ? `letter ${r.sequence}` : 'a letter';
  return typeof r.batchNumber === 'string' && BATCH_NUMBER.test(r.batchNumber) ? `${seq} of batch ${r.batchNumber}` : seq;
}

/** `letter` as a letter of `kind` that can be printed, or a refusal naming it and every problem. */
export function checkLetter<K extends LetterKind>(kind: K, letter: unknown): LetterOf<K> {
  const problems = letterProblems(kind, letter);
  if (problems.length) {
    throw new MailingError(
      'letter_invalid',
      `${letterName(letter)} cannot be printed as a ${KIND_WORDS[kind]}: ${problems.join('; ')}`,
      400,
      {
        problems,
      },
    );
  }
  return letter as LetterOf<K>;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** A day YYYY-MM-DD as a French letter writes it: `30 novembre 2026`, `1er décembre 2026`. */
export function frenchDate(day: string): string {
  const c = calendarDay(day);
  if (!c) throw new RangeError('expected an existing date YYYY-MM-DD');
  return `${c.d === 1 ? '1er' : c.d} ${MONTHS[c.m - 1]} ${c.y}`;
}

/** The text of the barcode the mail room's inserting machine matches a letter by: `B<batch>-<sequence>`. */
export function barcodeText(letter: { batchNumber: string; sequence: number }): string {
  return `B${letter.batchNumber}-${letter.sequence}`;
}

/**
 * The postal code of a French address: the 5 characters that start its last line (the
 * postal code and town, or the cedex office line: layoutPostalAddress). Abroad the last
 * line is the country, and the answer is ''.
 */
export function postalCodeOf(addressLines: readonly string[]): string {
  const last = addressLines[addressLines.length - 1] ?? '';
  return /^([0-9][0-9AB][0-9]{3}) \S/.exec(last)?.[1] ?? '';
}
