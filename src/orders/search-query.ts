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
 * - Anything else: a name (see RegistrySearchService.searchByName for how it matches), once folded
 *   (rpps/name-key.ts): one that folds to nothing (only apostrophes or punctuation) is refused,
 *   and so is one whose first word has fewer than 2 letters or digits (`d ar`, `a`: such a
 *   start matches too much of the registry to be worth a search).
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

export const NAME_FIRST_WORD_MIN_LENGTH = 2;
const NOTHING_TO_SEARCH = 'expected a name, a national identifier or a card number (letters or digits)';

export const IDENTIFIER_FORMS =
  'a national identifier (8 + 11-digit RPPS, or 0 + 9-digit ADELI), an RPPS number (11 digits), an ADELI number (9 digits) or a card number (10 digits)';

/** A query as the search reads it: its text as given (trimmed), and what it targets. */
export interface ReadQuery {
  text: string;
  target: SearchTarget;
}

/** The target of a query already trimmed, or why it is refused (a sentence for the 400 naming q). */
export function readSearchQuery(q: string): SearchTarget | { refused: string } {
  if (q.length < SEARCH_QUERY_MIN_LENGTH) return { refused: `expected at least ${SEARCH_QUERY_MIN_LENGTH} characters` };
  if (!LETTER_OR_DIGIT.test(q)) return { refused: NOTHING_TO_SEARCH };
  if (!DIGITS_AND_SEPARATORS.test(q)) return readName(q);
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

/** A name, as long as its folded first word has NAME_FIRST_WORD_MIN_LENGTH letters or digits. */
function readName(q: string): SearchTarget | { refused: string } {
  const [first] = foldName(q).split(' ');
  if (!first) return { refused: NOTHING_TO_SEARCH };
  const length = [...first].length;
  if (length < NAME_FIRST_WORD_MIN_LENGTH) {
    return {
      refused:
        `the first word of a name needs at least ${NAME_FIRST_WORD_MIN_LENGTH} letters or digits, apostrophes and punctuation ` +
        `aside ("${first}" has ${length})`,
    };
  }
  return { kind: 'name', text: q };
}
