/**
 * Card numbers: 10 digits, a 9-digit payload (the database sequence value, left-padded
 * with zeros) followed by its Luhn key. Sequence values are never reused, so neither are
 * card numbers.
 *
 * Pure code: no framework, no database.
 */
import { luhnCheckDigit, luhnValid } from '../rpps/identifiers';

export const CARD_NUMBER_LENGTH = 10;
const PAYLOAD_LENGTH = CARD_NUMBER_LENGTH - 1;

/** Largest sequence value that fits the 9-digit payload. */
export const MAX_CARD_SEQUENCE = 999_999_999;

/**
 * Card number for a sequence value (1..999 999 999). Also accepts the decimal string that
 * `pg` returns for a `bigint` column or `nextval()`.
 */
export function cardNumberFromSequence(n: number | bigint | string): string {
  let value: bigint;
  if (typeof n === 'bigint') {
    value = n;
  } else if (typeof n === 'number') {
    if (!Number.isSafeInteger(n)) throw new Error(`card number sequence value ${n} is not an integer`);
    value = BigInt(n);
  } else if (typeof n === 'string' && /^\d+$/.test(n)) {
    value = BigInt(n);
  } else {
    throw new Error(`card number sequence value "${String(n)}" is not an integer`);
  }
  if (value < 1n) throw new Error(`card number sequence value ${value} must be at least 1`);
  if (value > BigInt(MAX_CARD_SEQUENCE)) {
    throw new Error(`card number sequence value ${value} needs more than ${PAYLOAD_LENGTH} digits`);
  }
  const payload = value.toString().padStart(PAYLOAD_LENGTH, '0');
  return payload + luhnCheckDigit(payload);
}

/**
 * True when `s` has the shape of one of our card numbers: 10 digits, Luhn-valid, with a
 * payload of at least 1 (sequences start at 1).
 */
export function isOurCardNumber(s: string): boolean {
  return typeof s === 'string' && /^\d{10}$/.test(s) && !s.startsWith('000000000') && luhnValid(s);
}
