/**
 * The search keys of a professional's name, and the LIKE pattern of a name typed in the
 * search box (GET /api/v1/search). Pure code: no framework, no database.
 *
 * Folding a name (one rule, for the keys the import stores and for what people type):
 * - accents and case are dropped (LEFÈVRE, Lefèvre and lefevre are `lefevre`; Œ, Æ, ß
 *   are `oe`, `ae`, `ss`; Ø, Ł, Đ, ı and the like their base letter);
 * - an apostrophe joins the letters around it: D'ARCY is `darcy` (found by `darcy`,
 *   `d'arcy`, `D’Arcy`, `dar`; not by `d arcy`);
 * - every other character that is not a letter or a digit (hyphen, space, dot...) separates
 *   words, and runs of them count as one: `JEAN-PIERRE`, `jean pierre` and
 *   `Jean - Pierre` are `jean pierre`.
 *
 * The keys are the folded "last name first name" (`name_key`, which also orders the
 * results) and "first name last name" (`name_key_first`), stored by the import for each
 * professional (registry-diff.sql.ts) in columns of collation "C", so that an index serves
 * prefix patterns and the order.
 *
 * The words typed match the starts of the name's words, in the order typed
 * (`searchPattern`): `dupont je` finds DUPONT Jean (and DUPONT Marie-Jeanne), `jean dup`
 * finds Jean DUPONT (several words are looked for in both keys); one word is the start of
 * the last name (`dup` finds DUPONT, not Dupuis as a first name).
 *
 * A change here changes the keys: it needs a migration that computes them again.
 */

/** Combining marks (accents once a letter is decomposed: NFKD also splits ligatures such as ﬁ and makes full-width letters plain). */
const MARKS = /[\u0300-\u036f]/g;
/** Apostrophes and the characters typed for one. */
const APOSTROPHES = /['’‘ʼ`´ʹ]/g;
/** Runs of what is neither a letter nor a digit. */
const SEPARATORS = /[^\p{L}\p{N}]+/gu;
/** Letters that have no decomposition into a base letter and an accent. */
const SPECIAL: Readonly<Record<string, string>> = {
  œ: 'oe',
  æ: 'ae',
  ß: 'ss',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ŧ: 't',
  þ: 'th',
};
const SPECIAL_LETTERS = new RegExp(`[${Object.keys(SPECIAL).join('')}]`, 'g');
/** What needs no folding but lower case: ASCII letters, digits and single spaces. */
const PLAIN = /^[A-Za-z0-9]+( [A-Za-z0-9]+)*$/;

/** A name (or what was typed) folded: lower-case words of unaccented letters and digits, one space between them. */
export function foldName(s: string): string {
  if (PLAIN.test(s)) return s.toLowerCase();
  return s
    .normalize('NFKD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(SPECIAL_LETTERS, (c) => SPECIAL[c])
    .replace(APOSTROPHES, '')
    .replace(SEPARATORS, ' ')
    .trim();
}

/** The two search keys of a professional: `nameKey` (last name first) and `nameKeyFirst` (first name first). */
export function nameKeys(lastName: string, firstName: string): { nameKey: string; nameKeyFirst: string } {
  const last = foldName(lastName);
  const first = foldName(firstName);
  if (!first) return { nameKey: last, nameKeyFirst: last };
  if (!last) return { nameKey: first, nameKeyFirst: first };
  return { nameKey: `${last} ${first}`, nameKeyFirst: `${first} ${last}` };
}

/**
 * The LIKE pattern of a name typed in the search box: its folded words, each the start of a
 * word of the key, in order (`dupont je` → `dupont% je%`); `words` says how many there are
 * (one word is looked for in `name_key` only). Folded text holds no `%`, `_` or `\`.
 */
export function searchPattern(typed: string): { pattern: string; words: number } {
  const folded = foldName(typed);
  const words = folded ? folded.split(' ') : [];
  return { pattern: `${words.join('% ')}%`, words: words.length };
}
