/**
 * What the console's search box was given (GET /api/v1/search?q=): a name, a national
 * identifier or a card number. Pure code: no framework, no database.
 *
 * - Only digits (spaces, dots and hyphens between them ignored): an identifier.
 *   - 12 digits starting with 8: a national identifier (8 + RPPS); 11 digits: an RPPS
 *     number (8 is put before it); 9 digits: an ADELI number (0 is put before it).
 *   - 10 digits: a card number; when no card has it and it starts with 0, the national
 *     identifier of an ADELI number (0 + 9 digits), which has the same shape.
 *   - Any other count of digits is refused (400 naming q).
 * - Anything else: a name (see RegistrySearchService.searchByName for how it matches), unless
 *   nothing of it is left once folded (src/rpps/name-key.ts).
 */

import { foldName } from '../rpps/name-key';

export const SEARCH_QUERY_MIN_LENGTH = 2;
export const SEARCH_QUERY_MAX_LENGTH = 100;

export type SearchTarget =
  | { kind: 'name'; text: string }
  | { kind: 'nationalId'; nationalId: string }
  /** 10 digits: a card number, or else (starting with 0) an ADELI national identifier. */
  | { kind: 'cardNumber'; cardNumber: string; orNationalId: string | null };

const SEPARATORS = /[\s.-]+/g;
const DIGITS_AND_SEPARATORS = /^[\d\s.-]+$/;
/** A letter or a digit of any script: a query of only punctuation says nothing. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export const IDENTIFIER_FORMS =
  'a national identifier (8 + 11-digit RPPS, or 0 + 9-digit ADELI), an RPPS number (11 digits), an ADELI number (9 digits) or a card number (10 digits)';

/** The target of a query already trimmed, or why it is refused (a sentence for the 400 naming q). */
export function readSearchQuery(q: string): SearchTarget | { refused: string } {
  if (q.length < SEARCH_QUERY_MIN_LENGTH) return { refused: `expected at least ${SEARCH_QUERY_MIN_LENGTH} characters` };
  if (!LETTER_OR_DIGIT.test(q)) return { refused: 'expected a name, a national identifier or a card number (letters or digits)' };
  if (!DIGITS_AND_SEPARATORS.test(q)) {
    // Letters the name rule drops (apostrophe-like modifier letters alone) leave nothing to look for.
    if (!foldName(q)) return { refused: 'expected a name, a national identifier or a card number (letters or digits)' };
    return { kind: 'name', text: q };
  }
  const digits = q.replace(SEPARATORS, '');
  switch (digits.length) {
    case 12:
      if (digits.startsWith('8')) return { kind: 'nationalId', nationalId: digits };
      break;
    case 11:
      return { kind: 'nationalId', nationalId: `8${digits}` };
    case 10:
      return { kind: 'cardNumber', cardNumber: digits, orNationalId: digits.startsWith('0') ? digits : null };
    case 9:
      return { kind: 'nationalId', nationalId: `0${digits}` };
  }
  return { refused: `${digits.length} digits: expected ${IDENTIFIER_FORMS}, or a name` };
}
