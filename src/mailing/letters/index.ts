/** The letters of a mailing batch (issue 11): their data, their PDF and their manifest. */
export {
  CARD_GENERATIONS,
  CARD_TYPES,
  type CardGeneration,
  type CardLetter,
  type CardType,
  checkLetter,
  frenchDate,
  type LetterKind,
  type LetterOf,
  letterProblems,
  type PinLetter,
  postalCodeOf,
} from './letter-data';
export type { LetterEncryption, ManifestRow } from './letter-pdf-writer';
export { DEFAULT_SENDER, type LetterSender } from './letter-text';
export {
  type LetterSource,
  type RenderLettersOptions,
  type RenderLettersResult,
  removeUnfinishedRenders,
  renderLetters,
  renderLettersInProcess,
} from './letters-pdf';
export { MANIFEST_COLUMNS, type ManifestSeparator, manifestCsv, writeManifestCsv } from './manifest-csv';
