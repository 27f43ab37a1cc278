/**
 * Header mapping of an ANS extract: column names matched by their normalised form
 * (case, accents, punctuation), never by position. Pure code. Shared by the registry
 * import and the card base reader.
 */
import { ExtractFormatError } from './extract.errors';

const COMBINING_MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

/**
 * Normalises a column name for matching: lower case, no accents, punctuation
 * (apostrophes, dots, parentheses, hyphens...) as spaces, whitespace collapsed.
 * `Nom d'exercice`, `NOM D’EXERCICE` and `nom  d exercice` all give `nom d exercice`.
 */
export function normalizeHeaderName(s: string): string {
  return s.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(NOT_LETTER_OR_DIGIT, ' ').trim();
}

/** Splits a header line into its column names, without the trailing empty field. */
export function splitHeader(line: string): { names: string[]; trailingDelimiter: boolean } {
  const names = line.split('|');
  const trailingDelimiter = names.length > 1 && names[names.length - 1].trim() === '';
  if (trailingDelimiter) names.pop();
  return { names, trailingDelimiter };
}

export interface HeaderBase {
  /** Column names as spelled in the file (without the trailing empty field). */
  names: string[];
  /** Number of real columns (the trailing empty field is not counted). */
  fieldCount: number;
  /** Whether the header line ends with `|` (so data lines are expected to as well). */
  trailingDelimiter: boolean;
}

/** Map from normalised name to first index; names used twice are reported. */
export function indexNames(names: string[]): { index: Map<string, number>; duplicates: Set<string> } {
  const index = new Map<string, number>();
  const duplicates = new Set<string>();
  names.forEach((n, i) => {
    const key = normalizeHeaderName(n);
    if (key === '') return;
    if (index.has(key)) duplicates.add(key);
    else index.set(key, i);
  });
  return { index, duplicates };
}

/** Indexes of the wanted columns by their normalised names; throws naming every missing or doubled one. */
export function mapColumns<K extends string>(
  what: string,
  index: Map<string, number>,
  duplicates: Set<string>,
  required: Record<K, string>,
  optional: Partial<Record<string, string>> = {},
): Record<string, number> {
  const columns: Record<string, number> = {};
  const missing: string[] = [];
  const ambiguous: string[] = [];
  const all: [string, string, boolean][] = [
    ...Object.entries<string>(required).map(([k, n]): [string, string, boolean] => [k, n, true]),
    ...Object.entries(optional).map(([k, n]): [string, string, boolean] => [k, n as string, false]),
  ];
  for (const [key, name, isRequired] of all) {
    const norm = normalizeHeaderName(name);
    const i = index.get(norm);
    if (i === undefined) {
      if (isRequired) missing.push(name);
      columns[key] = -1;
      continue;
    }
    if (duplicates.has(norm)) ambiguous.push(name);
    columns[key] = i;
  }
  if (missing.length > 0) {
    throw new ExtractFormatError(`${what}: missing required column(s): ${missing.map((n) => `"${n}"`).join(', ')}`);
  }
  if (ambiguous.length > 0) {
    throw new ExtractFormatError(`${what}: column(s) present more than once: ${ambiguous.map((n) => `"${n}"`).join(', ')}`);
  }
  return columns;
}
